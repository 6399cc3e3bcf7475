using System.Globalization;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>One column of a <see cref="CsvTable"/>: numbers (<see cref="float"/>, NaN where missing) or text.</summary>
/// <param name="Name">The header name.</param>
/// <param name="Numbers">The values of a numeric column, or null.</param>
/// <param name="Texts">The values of a text column, or null.</param>
internal sealed record CsvColumn(string Name, float[]? Numbers, string[]? Texts)
{
    /// <summary>Whether every value is a number or missing.</summary>
    public bool IsNumeric => Numbers is not null;
}

/// <summary>
/// The rows of one or more CSV files with the same header, in memory, column by column. A column is numeric when every
/// value of it is a number (invariant culture) or missing (empty, <c>?</c>, <c>NA</c> or <c>N/A</c>, read as NaN);
/// otherwise it is text. <see cref="ToDataView"/> hands it to ML.NET.
/// </summary>
internal sealed class CsvTable
{
    private CsvTable(IReadOnlyList<string> files, CsvColumn[] columns, int[] rowCounts)
    {
        Files = files; Columns = columns; RowCounts = rowCounts;
    }

    /// <summary>The files, as given.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The columns, in header order (an added column last).</summary>
    public IReadOnlyList<CsvColumn> Columns { get; }

    /// <summary>The number of data rows of each file.</summary>
    public IReadOnlyList<int> RowCounts { get; }

    /// <summary>The number of rows of all files together.</summary>
    public int RowCount => RowCounts.Sum();

    /// <summary>The column called <paramref name="name"/>, or null.</summary>
    public CsvColumn? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>Reads <paramref name="paths"/> in two passes: the first checks every record and finds which columns
    /// are numeric, the second stores the values.</summary>
    /// <exception cref="FormatException">A file is empty, a header names a column twice or differs from the first
    /// file's, a line has the wrong number of fields, or a quoted field is malformed; the message names the file and
    /// line.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was cancelled.</exception>
    public static CsvTable Read(IReadOnlyList<string> paths, CancellationToken cancel = default)
    {
        string[]? names = null;
        bool[] numeric = [];
        var counts = new int[paths.Count];
        for (int f = 0; f < paths.Count; f++)
        {
            using var reader = CsvRecordReader.Open(paths[f]);
            var header = ReadHeader(reader);
            if (names is null)
            {
                names = header;
                numeric = Enumerable.Repeat(true, names.Length).ToArray();
            }
            else if (!header.SequenceEqual(names))
                throw reader.Error(reader.Line, $"the header ({Shorten(string.Join(",", header))}) differs from the header of " +
                                                $"{Path.GetFileName(paths[0])} ({Shorten(string.Join(",", names))}).");
            int rows = 0;
            while (reader.Read())
            {
                if ((++rows & 0xFFF) == 0) cancel.ThrowIfCancellationRequested();
                var fields = reader.Fields;
                if (fields.Count != names.Length)
                    throw reader.Error(reader.Line, $"expected {names.Length} fields ({Shorten(string.Join(",", names))}), found {fields.Count}.");
                for (int i = 0; i < names.Length; i++)
                    if (numeric[i] && !TryParseNumber(fields[i], out _)) numeric[i] = false;
            }
            counts[f] = rows;
        }

        int total = counts.Sum();
        var numbers = new float[names!.Length][];
        var texts = new string[names.Length][];
        for (int i = 0; i < names.Length; i++)
        {
            if (numeric[i]) numbers[i] = new float[total];
            else texts[i] = new string[total];
        }
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);   // series ids repeat: one string each
        int row = 0;
        foreach (string path in paths)
        {
            using var reader = CsvRecordReader.Open(path);
            ReadHeader(reader);
            while (reader.Read())
            {
                if ((row & 0xFFF) == 0) cancel.ThrowIfCancellationRequested();
                var fields = reader.Fields;
                for (int i = 0; i < names.Length; i++)
                {
                    if (numeric[i])
                        TryParseNumber(fields[i], out numbers[i][row]);
                    else
                    {
                        string value = fields[i];
                        if (value.Length <= 64)
                        {
                            if (pool.TryGetValue(value, out var shared)) value = shared;
                            else if (pool.Count < 100_000) pool.Add(value, value);
                        }
                        texts[i][row] = value;
                    }
                }
                row++;
            }
        }
        if (row != total) throw new IOException("A data file changed while it was read; read it again.");
        var columns = names.Select((n, i) => new CsvColumn(n, numbers[i], texts[i])).ToArray();
        return new CsvTable(paths, columns, counts);
    }

    /// <summary>This table with a text column <paramref name="name"/> added that holds, in every row, the value given
    /// for its file.</summary>
    /// <exception cref="ArgumentException">The table already has a column called <paramref name="name"/>.</exception>
    public CsvTable WithFileColumn(string name, IReadOnlyList<string> valuePerFile)
    {
        if (Find(name) is not null) throw new ArgumentException($"The data already has a column '{name}'.", nameof(name));
        var values = new string[RowCount];
        int row = 0;
        for (int f = 0; f < RowCounts.Count; f++)
            for (int i = 0; i < RowCounts[f]; i++)
                values[row++] = valuePerFile[f];
        return new CsvTable(Files, [.. Columns, new CsvColumn(name, null, values)], [.. RowCounts]);
    }

    /// <summary>The table as an ML.NET view: numeric columns as <c>Single</c>, text columns as <c>String</c>.</summary>
    public IDataView ToDataView() => new CsvDataView(this);

    /// <summary>Whether a field is a number or a missing value (NaN).</summary>
    public static bool TryParseNumber(string text, out float value)
    {
        if (IsMissing(text))
        {
            value = float.NaN;
            return true;
        }
        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Empty, <c>?</c> (ML.NET's marker), <c>NA</c> or <c>N/A</c>.</summary>
    public static bool IsMissing(string text) =>
        text.Length == 0 || text == "?" || text.Equals("NA", StringComparison.OrdinalIgnoreCase) || text.Equals("N/A", StringComparison.OrdinalIgnoreCase);

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";

    private static string[] ReadHeader(CsvRecordReader reader)
    {
        if (!reader.Read()) throw new FormatException($"{Path.GetFileName(reader.Path)} is empty: expected a header line naming the columns.");
        if (reader.Fields.Any(f => f.Any(c => char.IsControl(c) && c != '\t')))
            throw new FormatException($"{Path.GetFileName(reader.Path)} is not a CSV text file: its first line holds binary data " +
                                      "(a model file? --data takes CSV files).");
        var header = reader.Fields.Select((n, i) => n.Length > 0 ? n : $"Column{i}").ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in header)
            if (!seen.Add(name)) throw reader.Error(reader.Line, $"the header names column '{name}' twice.");
        return header;
    }
}
