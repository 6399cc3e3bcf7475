using System.Text;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// Splits a CSV file into records and fields, one record at a time, following RFC 4180: a field that starts with a
/// double quote may hold commas, line breaks and doubled quotes (<c>""</c> for one <c>"</c>) and ends at the closing
/// quote. Unquoted fields are trimmed; empty and blank lines are skipped.
/// </summary>
/// <remarks>Streams: it holds one buffer and the current record, never the file. Lines end with <c>\n</c>,
/// <c>\r\n</c> or <c>\r</c>. Line numbers are the 1-based physical lines of the file, so a record whose quoted field
/// spans lines reports the line where it starts.</remarks>
internal sealed class CsvRecordReader : IDisposable
{
    /// <summary>The longest record accepted, in characters: an unterminated quote would otherwise swallow the file.</summary>
    internal const int MaxRecordLength = 1 << 24;

    private readonly TextReader _reader;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _field = new();
    private readonly List<string> _fields = [];
    private int _position;
    private int _length;
    private long _line = 1;
    private bool _afterCr;
    private int _recordLength;

    private CsvRecordReader(TextReader reader, string path)
    {
        _reader = reader;
        Path = path;
    }

    /// <summary>The file, as the user gave it (for messages).</summary>
    public string Path { get; }

    /// <summary>The 1-based line on which the current record starts.</summary>
    public long Line { get; private set; }

    /// <summary>The fields of the current record.</summary>
    public IReadOnlyList<string> Fields => _fields;

    /// <summary>Opens <paramref name="path"/> (UTF-8 unless a byte-order mark says otherwise).</summary>
    public static CsvRecordReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return new CsvRecordReader(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16), path);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/> (tests).</summary>
    public static CsvRecordReader FromReader(TextReader reader, string path) => new(reader, path);

    /// <summary>A <see cref="FormatException"/> "{file} line {line}: {problem}".</summary>
    public FormatException Error(long line, string problem) => new($"{System.IO.Path.GetFileName(Path)} line {line}: {problem}");

    /// <summary>Reads the next non-blank record.</summary>
    /// <returns>False at the end of the file.</returns>
    /// <exception cref="FormatException">A quoted field is not terminated, a closing quote is followed by something
    /// other than a comma or a line break, or a record is longer than <see cref="MaxRecordLength"/> characters.</exception>
    public bool Read()
    {
        while (true)
        {
            _fields.Clear();
            _field.Clear();
            _recordLength = 0;
            Line = _line;
            if (!ReadRecord()) return false;
            if (_fields.Count > 1 || _fields[0].Length > 0) return true;   // a blank line is no record
        }
    }

    // One physical record into _fields; false when the file has ended before any character of it.
    private bool ReadRecord()
    {
        bool any = false, quoted = false, afterQuote = false;
        long quoteLine = 0;
        while (true)
        {
            int next = NextChar();
            if (next < 0)
            {
                if (quoted) throw Error(quoteLine, "a quoted field is not terminated (missing closing quote).");
                if (!any) return false;
                EndField(afterQuote);
                return true;
            }
            any = true;
            char c = (char)next;
            if (++_recordLength > MaxRecordLength) throw Error(Line, $"the record is longer than {MaxRecordLength:N0} characters.");
            if (quoted)
            {
                if (c != '"') { _field.Append(c); continue; }
                if (PeekChar() == '"') { NextChar(); _field.Append('"'); continue; }
                quoted = false;
                afterQuote = true;
                continue;
            }
            if (c == ',') { EndField(afterQuote); afterQuote = false; continue; }
            if (c is '\n' or '\r') { EndField(afterQuote); return true; }
            if (afterQuote)
            {
                if (char.IsWhiteSpace(c)) continue;
                throw Error(_line, "a closing quote must be followed by a comma or the end of the line.");
            }
            if (c == '"' && _field.ToString().Trim().Length == 0)
            {
                _field.Clear();
                quoted = true;
                quoteLine = _line;
                continue;
            }
            _field.Append(c);
        }
    }

    private void EndField(bool wasQuoted)
    {
        _fields.Add(wasQuoted ? _field.ToString() : _field.ToString().Trim());
        _field.Clear();
    }

    // The next character, counting lines (\r\n is one line break).
    private int NextChar()
    {
        if (_position == _length)
        {
            _length = _reader.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (_length == 0) return -1;
        }
        char c = _buffer[_position++];
        if (c == '\n' && _afterCr)
        {
            _afterCr = false;
            return NextChar();   // the \n of a \r\n: the line break was the \r
        }
        _afterCr = c == '\r';
        if (c is '\n' or '\r') _line++;
        return c == '\r' ? '\n' : c;
    }

    private int PeekChar()
    {
        if (_position == _length)
        {
            _length = _reader.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (_length == 0) return -1;
        }
        return _buffer[_position];
    }

    public void Dispose() => _reader.Dispose();
}
