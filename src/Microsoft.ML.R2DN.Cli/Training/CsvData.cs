using System.Text;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>Data loaded from one or more CSV files for a command.</summary>
/// <param name="Table">The rows of every file, one file after the other (with the file column when one was added).</param>
/// <param name="View">The rows as an ML.NET view: <see cref="Table"/>'s, or their transform by the transformers that
/// run before a loaded model's R2DN/REN part. Rows stay in the table's order.</param>
/// <param name="FileColumn">The column added to name each row's file, or null.</param>
internal sealed record CsvDataSet(CsvTable Table, IDataView View, string? FileColumn)
{
    /// <summary>The files, as given.</summary>
    public IReadOnlyList<string> Files => Table.Files;

    /// <summary>The files for messages: "a.csv" or "a.csv, b.csv".</summary>
    public string Origin => string.Join(", ", Files.Select(Path.GetFileName));
}

/// <summary>Loading CSV files (column types inferred from the values: numbers or text) for the commands, with the
/// checks that turn common mistakes into one clear message.</summary>
internal static class CsvData
{
    /// <summary>The name given to the file column when several files are trained on without <c>--series-id</c>.</summary>
    public const string DefaultFileColumn = "File";

    /// <summary>Loads <paramref name="paths"/> as one table (their headers must match).</summary>
    /// <exception cref="UsageException">No file, a folder, or a file given twice.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FormatException">A file is empty, the headers differ, or a line has the wrong number of fields.</exception>
    public static CsvDataSet Load(IReadOnlyList<string> paths, CancellationToken cancel = default)
    {
        CheckPaths(paths);
        var table = CsvTable.Read(paths, cancel);
        return new CsvDataSet(table, table.ToDataView(), null);
    }

    /// <summary>Adds a text column <paramref name="fileColumn"/> that holds each row's file name: the series id of a
    /// model trained on several files.</summary>
    /// <exception cref="UsageException">The files already have a column of that name.</exception>
    public static CsvDataSet WithFileColumn(CsvDataSet data, string fileColumn)
    {
        if (data.Table.Find(fileColumn) is not null)
            throw new UsageException($"cannot add the file name as column '{fileColumn}': {data.Origin} already has a column of that name.");
        var table = data.Table.WithFileColumn(fileColumn, FileLabels(data.Files));
        return new CsvDataSet(table, table.ToDataView(), fileColumn);
    }

    /// <summary>The value of the file column for each file: its name, or the path as given when two files share a name.</summary>
    public static string[] FileLabels(IReadOnlyList<string> paths)
    {
        var names = paths.Select(Path.GetFileName).Select(n => n ?? "").ToArray();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Length ? names : [.. paths];
    }

    /// <summary>A column name not in <paramref name="schema"/>: <paramref name="preferred"/>, or it with a number.</summary>
    public static string UniqueName(DataViewSchema schema, string preferred, params string[] taken)
    {
        string name = preferred;
        for (int i = 1; schema.GetColumnOrNull(name) is not null || taken.Contains(name, StringComparer.Ordinal); i++)
            name = $"{preferred}{i}";
        return name;
    }

    /// <summary>Checks that every named column exists (and is numeric, when asked), naming the option that asked for
    /// it and the columns the files do have.</summary>
    /// <exception cref="UsageException">A column is missing or not numeric.</exception>
    public static void RequireColumns(CsvDataSet data, IEnumerable<(string Name, string Role)> columns, bool numeric)
    {
        var schema = data.View.Schema;
        foreach (var (name, role) in columns)
        {
            if (schema.GetColumnOrNull(name) is not { } column)
                throw new UsageException($"column '{name}' ({role}) is not in {data.Origin}; its columns are: {ColumnList(schema)}.");
            if (numeric && !ColumnReader.IsNumeric(column.Type))
                throw new UsageException($"column '{name}' ({role}) in {data.Origin} is not numeric: some of its values are not numbers " +
                                         "(missing values must be empty, '?', 'NA' or 'N/A').");
        }
    }

    /// <summary>The column names of a schema, for messages.</summary>
    public static string ColumnList(DataViewSchema schema) => string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name));

    /// <summary>With several files and a series id column, checks that no series id appears in two files: their rows
    /// would be merged into one series.</summary>
    /// <exception cref="UsageException">An id appears in two files.</exception>
    public static void CheckIdsPerFile(CsvDataSet data, string seriesId, string option)
    {
        if (data.Files.Count < 2 || data.FileColumn is not null) return;
        var ids = ColumnReader.Ids(data.View, seriesId);
        var counts = data.Table.RowCounts;
        var fileOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int file = 0;
        long end = counts[0];
        for (int row = 0; row < ids.Length; row++)
        {
            while (row >= end && file < counts.Count - 1) end += counts[++file];
            if (fileOf.TryGetValue(ids[row], out int first) && first != file)
                throw new UsageException($"series '{ids[row]}' (column '{seriesId}', {option}) appears in both {Path.GetFileName(data.Files[first])} " +
                                         $"and {Path.GetFileName(data.Files[file])}: the rows of one series must come from one file. Give each file " +
                                         $"its own ids, or leave out {option} to use the file name as the series id.");
            fileOf[ids[row]] = file;
        }
    }

    /// <summary>Checks that the named columns hold no missing (NaN) or infinite value, naming the file and row of the
    /// first one: done before training, when missing values are errors.</summary>
    /// <exception cref="UsageException">A value is missing or infinite.</exception>
    public static void CheckFinite(CsvDataSet data, IEnumerable<(string Name, string Role)> columns)
    {
        foreach (var (name, role) in columns)
        {
            var values = ColumnReader.Floats(data.View, name);
            int row = Array.FindIndex(values, v => !float.IsFinite(v));
            if (row < 0) continue;
            string what = float.IsNaN(values[row]) ? "a missing value" : $"an infinite value ({values[row].ToString(System.Globalization.CultureInfo.InvariantCulture)})";
            throw new UsageException($"column '{name}' ({role}) has {what} in {Locate(data, row)}; fill it, or use " +
                                     "--missing-values forward-fill to carry the last value forward.");
        }
    }

    /// <summary>Rewrites the library's "at row N" (a 0-based row of the whole view) as a file and row, and its advice
    /// about the missing-value policy as the command-line option.</summary>
    public static string DescribeRows(CsvDataSet data, string message)
    {
        message = System.Text.RegularExpressions.Regex.Replace(message, @"\bat row (\d+)", m =>
            long.TryParse(m.Groups[1].ValueSpan, out long row) ? "in " + Locate(data, row) : m.Value);
        return message.Replace("or set MissingValues = MissingValuePolicy.ForwardFill to carry the last value forward",
                               "or train the model with --missing-values forward-fill", StringComparison.Ordinal);
    }

    /// <summary>"row 7 of a.csv (counting data rows from 1)" for a 0-based row of the whole view.</summary>
    private static string Locate(CsvDataSet data, long row)
    {
        var counts = data.Table.RowCounts;
        int file = 0;
        while (file < counts.Count - 1 && row >= counts[file]) row -= counts[file++];
        return $"row {row + 1} of {Path.GetFileName(data.Files[file])} (counting data rows from 1)";
    }

    /// <summary>Writes UTF-8 text to <paramref name="path"/> atomically: to a temporary file beside it, then moved over
    /// it.</summary>
    /// <exception cref="IOException">The file cannot be written; an existing file is left unchanged.</exception>
    public static void WriteAtomically(string path, Action<TextWriter> write) =>
        WriteStreamAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            write(writer);
        });

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The file cannot be written; an existing file is left unchanged.</exception>
    public static void WriteAtomically(string path, byte[] bytes) => WriteStreamAtomically(path, s => s.Write(bytes));

    private static void WriteStreamAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = File.Create(temp))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>A field for a CSV line: quoted (RFC 4180) when it holds a separator, a quote or a line break.</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>Checks the files of <c>--data</c> before anything is read.</summary>
    public static void CheckPaths(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) throw new UsageException("--data needs at least one CSV file.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new UsageException("--data was given an empty file name.");
            if (Directory.Exists(path)) throw new UsageException($"'{path}' is a folder; --data takes CSV files.");
            if (!File.Exists(path)) throw new FileNotFoundException($"Could not find the data file '{path}'.", path);
            if (!seen.Add(Path.GetFullPath(path))) throw new UsageException($"the data file '{path}' is given twice.");
        }
    }
}
