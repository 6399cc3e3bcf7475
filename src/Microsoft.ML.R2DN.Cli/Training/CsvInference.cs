using System.Collections.Concurrent;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// Infers the columns of CSV files from their header and rows, reading them with ML.NET's <see cref="TextLoader"/> as
/// text: a column is numeric when each of its values is a number (invariant culture) or missing (empty, <c>?</c>,
/// <c>NA</c> or <c>N/A</c>), otherwise text. <see cref="CsvLoader"/> then loads the files with these columns.
/// </summary>
/// <remarks>Every row is read, not a sample: a TextLoader column of numbers reads a value it cannot parse as NaN, and a
/// row with too few or too many fields as padded or cut, without a word. Here those become one clear error that names
/// the file and the row.</remarks>
internal static class CsvInference
{
    /// <summary>The TextLoader settings of every CSV the CLI reads: separated by commas, RFC 4180 quotes (a quoted
    /// field may hold commas, line breaks and doubled quotes), missing numbers read as NaN.</summary>
    public static TextLoader.Options Options(TextLoader.Column[] columns, bool hasHeader) => new()
    {
        Columns = columns,
        Separators = [','],
        HasHeader = hasHeader,
        AllowQuoting = true,
        ReadMultilines = true,
        TrimWhitespace = true,
        MissingRealsAsNaNs = true,
    };

    /// <summary>Reads <paramref name="paths"/> (one after the other; their headers must match) and infers their
    /// columns.</summary>
    /// <exception cref="FormatException">A file is empty or binary, a header names a column twice or differs from the
    /// first file's, a row has the wrong number of fields, or a quoted field is malformed; the message names the file
    /// and the row or line.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was cancelled.</exception>
    public static CsvColumns Infer(IReadOnlyList<string> paths, CancellationToken cancel = default)
    {
        var scanner = new Scanner(paths, cancel);
        for (int file = 0; file < paths.Count; file++)
            scanner.Read(file);
        return scanner.Result();
    }

    /// <summary>Whether a field is a number or a missing value, as TextLoader reads it into a numeric column.</summary>
    public static bool IsNumber(ReadOnlySpan<char> field)
    {
        var text = field.Trim();
        if (IsMissing(text)) return true;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return false;
        // Infinity from an overflow ("1e400") or as TextLoader spells it; .NET also takes "infinity" and "+Infinity",
        // which TextLoader reads as NaN.
        return !double.IsInfinity(value) || text.ContainsAnyInRange('0', '9') || text is "Infinity" or "-Infinity";
    }

    /// <summary>Empty, <c>?</c> (ML.NET's marker), <c>NA</c> or <c>N/A</c> (any case).</summary>
    public static bool IsMissing(ReadOnlySpan<char> text) =>
        text.IsEmpty || text is "?" || text.Equals("NA", StringComparison.OrdinalIgnoreCase)
        || text.Equals("N/A", StringComparison.OrdinalIgnoreCase);

    // The state of one inference over several files: the first file's header, the columns still numeric, the rows.
    private sealed class Scanner
    {
        // All the fields of a row, however many: the header, and the check that each row has as many.
        private static readonly TextLoader.Column Fields =
            new("Fields", DataKind.String, [new TextLoader.Range(0, null) { AutoEnd = false, VariableEnd = true }]);

        private readonly IReadOnlyList<string> _paths;
        private readonly CancellationToken _cancel;
        private readonly ConcurrentQueue<string> _warnings = new();
        private readonly MLContext _ml = new();
        private readonly int[] _counts;
        private readonly Dictionary<string, (long Row, string Value)> _firstText = new(StringComparer.Ordinal);
        private string[] _names = [];
        private bool[] _numeric = [];
        private long _row;

        public Scanner(IReadOnlyList<string> paths, CancellationToken cancel)
        {
            _paths = paths;
            _cancel = cancel;
            _counts = new int[paths.Count];
            // TextLoader's warnings about the file being read (they name its line and column).
            _ml.Log += (_, e) =>
            {
                if (e.Kind == ChannelMessageKind.Warning
                    && e.Source.StartsWith(nameof(TextLoader), StringComparison.Ordinal))
                    _warnings.Enqueue(e.RawMessage);
            };
        }

        public CsvColumns Result() => new(_names, _numeric, _counts, _firstText);

        public void Read(int file)
        {
            string path = _paths[file];
            CheckIsText(path);
            var view = _ml.Data.CreateTextLoader(Options([Fields], hasHeader: false)).Load(path);
            using (var cursor = view.GetRowCursor(view.Schema))
            {
                var get = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(view.Schema[0]);
                VBuffer<ReadOnlyMemory<char>> fields = default;
                if (!MoveNext(cursor, path))
                    throw new FormatException($"{Name(path)} is empty: expected a header line naming the columns.");
                get(ref fields);
                ReadHeader(file, fields);
                while (MoveNext(cursor, path))
                {
                    if ((_row & 0xFFF) == 0) _cancel.ThrowIfCancellationRequested();
                    get(ref fields);
                    ReadRow(file, fields);
                }
            }
            // A malformed quote ("1"x): TextLoader reads the field as empty and warns with the file, line and column.
            if (_warnings.TryDequeue(out string? warning))
                throw new FormatException($"{Name(path)} is not well-formed CSV: {warning}.");
        }

        private void ReadHeader(int file, VBuffer<ReadOnlyMemory<char>> fields)
        {
            var header = fields.DenseValues()
                               .Select((f, i) => f.ToString().Trim() is { Length: > 0 } n ? n : $"Column{i}")
                               .ToArray();
            string path = _paths[file];
            if (file > 0)
            {
                if (!header.SequenceEqual(_names))
                    throw new FormatException($"{Name(path)}: the header ({Shorten(header)}) differs from the " +
                                              $"header of {Name(_paths[0])} ({Shorten(_names)}).");
                return;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in header)
                if (!seen.Add(name))
                    throw new FormatException($"{Name(path)}: the header names column '{name}' twice.");
            _names = header;
            _numeric = [.. header.Select(_ => true)];
        }

        private void ReadRow(int file, VBuffer<ReadOnlyMemory<char>> fields)
        {
            if (fields.Length != _names.Length)
                throw new FormatException($"row {_counts[file] + 1} of {Name(_paths[file])} (counting data rows " +
                                          $"from 1): expected {_names.Length} fields ({Shorten(_names)}), found " +
                                          $"{fields.Length}.");
            var values = fields.GetValues();   // dense: TextLoader fills every field of a text vector
            for (int i = 0; i < _names.Length; i++)
                if (_numeric[i] && !IsNumber(values[i].Span))
                {
                    _numeric[i] = false;
                    _firstText[_names[i]] = (_row, values[i].ToString());
                }
            _counts[file]++;
            _row++;
        }

        // TextLoader reports a quote never closed by a FormatException for the whole file: find its line here.
        private static bool MoveNext(DataViewRowCursor cursor, string path)
        {
            try
            {
                return cursor.MoveNext();
            }
            catch (FormatException e) when (UnclosedQuoteLine(path) is long line)
            {
                throw new FormatException($"{Name(path)} line {line}: a quoted field is not terminated (missing " +
                                          "closing quote).", e);
            }
        }
    }

    // The 1-based line of the quote that opens a field never closed: the last quote after which the number of quotes in
    // the file stays odd (a doubled "" inside a quoted field keeps it even). Null when every quote is closed.
    private static long? UnclosedQuoteLine(string path)
    {
        long line = 0, opened = 0;
        bool open = false;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            foreach (char c in text)
                if (c == '"' && (open = !open)) opened = line;
        }
        return open ? opened : null;
    }

    // A model file (a zip) given as data reads as a few lines of noise: say what it is instead.
    private static void CheckIsText(string path)
    {
        var start = new byte[512];
        int read;
        using (var stream = File.OpenRead(path))
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        bool utf16 = read >= 2 && (start[0], start[1]) is (0xFF, 0xFE) or (0xFE, 0xFF);
        var bytes = start.AsSpan(0, read);
        bool control = bytes.IndexOfAnyInRange((byte)0, (byte)8) >= 0
                       || bytes.IndexOfAnyInRange((byte)14, (byte)31) >= 0;
        if (!utf16 && control)
            throw new FormatException($"{Name(path)} is not a CSV text file: it holds binary data (a model file? " +
                                      "--data takes CSV files).");
    }

    private static string Name(string path) => Path.GetFileName(path);

    private static string Shorten(IEnumerable<string> names) =>
        string.Join(",", names) is var text && text.Length <= 120 ? text : text[..117] + "...";
}
