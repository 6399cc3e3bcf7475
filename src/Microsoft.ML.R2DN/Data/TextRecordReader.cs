using System.Text;

namespace Microsoft.ML.R2DN.Data;

/// <summary>Splits delimited text into records and fields, one record at a time, following RFC 4180: a field that
/// starts with a double quote is quoted, may hold separators, line breaks and doubled quotes (<c>""</c> for one
/// <c>"</c>), and ends at the closing quote.</summary>
/// <remarks>
/// <para>Streams: it holds one 64 K-character buffer and the current record, never the file. Lines end with
/// <c>\n</c>, <c>\r\n</c> or <c>\r</c>. Empty lines (and, with trimming, blank ones) are skipped, as in ML.NET.</para>
/// <para>Line numbers are 1-based physical lines of the file, so a record whose quoted field spans lines reports the
/// line where it starts.</para>
/// </remarks>
internal sealed class TextRecordReader : IDisposable
{
    /// <summary>Longest record accepted, in characters: an unterminated quote would otherwise swallow the whole file.</summary>
    internal const int MaxRecordLength = 1 << 24;

    private readonly TextReader _reader;
    private readonly char _separator;
    private readonly bool _allowQuoting;
    private readonly bool _trim;
    private readonly char[] _buffer = new char[1 << 16];
    private int _bufferPos;
    private int _bufferLength;
    private char[] _record = new char[256];
    private int _recordLength;
    private int[] _fieldStart = new int[16];
    private int[] _fieldEnd = new int[16];
    private long _line = 1;
    private bool _lastWasCr;

    public TextRecordReader(TextReader reader, string path, char separator, bool allowQuoting, bool trimWhitespace)
    {
        _reader = reader;
        Path = path;
        _separator = separator;
        _allowQuoting = allowQuoting;
        _trim = trimWhitespace;
    }

    /// <summary>The file's path as the user gave it, for error messages.</summary>
    public string Path { get; }

    /// <summary>The 1-based line on which the current record starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>The number of fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>The text of field <paramref name="field"/> of the current record, unquoted (and trimmed when asked).</summary>
    public ReadOnlySpan<char> this[int field] => _record.AsSpan(_fieldStart[field], _fieldEnd[field] - _fieldStart[field]);

    /// <summary>Opens <paramref name="path"/> for sequential reading (UTF-8 unless a byte-order mark says otherwise).</summary>
    public static TextRecordReader Open(string path, char separator, bool allowQuoting, bool trimWhitespace)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return new TextRecordReader(reader, path, separator, allowQuoting, trimWhitespace);
    }

    /// <summary>A <see cref="FormatException"/> "{path} line {line}: {problem}".</summary>
    public FormatException Error(long line, string problem) => new($"{Path} line {line}: {problem}");

    /// <summary>Reads the next non-empty record.</summary>
    /// <returns>False at the end of the file.</returns>
    /// <exception cref="FormatException">A quoted field is not terminated, a closing quote is followed by something
    /// other than a separator or line break, or a record exceeds <see cref="MaxRecordLength"/> characters.</exception>
    public bool ReadRecord()
    {
        FieldCount = 0;
        _recordLength = 0;
        int fieldStart = 0;
        bool quoted = false;
        bool any = false;
        long quoteLine = 0;
        var state = State.FieldStart;
        RecordLine = _line;
        while (true)
        {
            if (_bufferPos == _bufferLength)
            {
                _bufferLength = _reader.Read(_buffer, 0, _buffer.Length);
                _bufferPos = 0;
                if (_bufferLength == 0)
                {
                    if (state == State.Quoted)
                        throw Error(quoteLine, "a quoted field is not terminated (missing closing quote).");
                    if (!any && _recordLength == 0)
                        return false;
                    EndField(fieldStart, quoted);
                    return true;
                }
            }

            if (state == State.Unquoted)
            {
                // Fast path: copy up to the next separator or line break in one go.
                var rest = _buffer.AsSpan(_bufferPos, _bufferLength - _bufferPos);
                int n = rest.IndexOfAny(_separator, '\n', '\r');
                if (n < 0)
                    n = rest.Length;
                if (n > 0)
                {
                    Append(rest[..n]);
                    _bufferPos += n;
                    _lastWasCr = false;
                    continue;
                }
            }

            char c = _buffer[_bufferPos++];
            bool lineBreak = c == '\n' || c == '\r';
            if (lineBreak && !(c == '\n' && _lastWasCr))
                _line++;
            _lastWasCr = c == '\r';

            switch (state)
            {
                case State.FieldStart:
                    if (c == _separator)
                    {
                        EndField(fieldStart, quoted: false);
                        fieldStart = _recordLength;
                        any = true;
                    }
                    else if (lineBreak)
                    {
                        if (!any && FieldCount == 0 && _recordLength == 0)
                        {
                            RecordLine = _line; // an empty line, or the \n of a \r\n: skip it
                            continue;
                        }
                        EndField(fieldStart, quoted: false);
                        return true;
                    }
                    else if (_allowQuoting && c == '"')
                    {
                        state = State.Quoted;
                        quoted = true;
                        any = true;
                        quoteLine = _line;
                    }
                    else if (!(_trim && IsBlank(c)))
                    {
                        Append(c);
                        any = true;
                        state = State.Unquoted;
                    }
                    break;

                case State.Unquoted:
                    if (c == _separator || lineBreak)
                    {
                        EndField(fieldStart, quoted: false);
                        if (lineBreak)
                            return true;
                        fieldStart = _recordLength;
                        state = State.FieldStart;
                    }
                    else
                    {
                        Append(c);
                    }
                    break;

                case State.Quoted:
                    if (c == '"')
                        state = State.QuoteInQuoted;
                    else
                        Append(c);
                    break;

                case State.QuoteInQuoted:
                case State.AfterQuoted:
                    if (c == '"' && state == State.QuoteInQuoted)
                    {
                        Append('"');
                        state = State.Quoted;
                    }
                    else if (c == _separator || lineBreak)
                    {
                        EndField(fieldStart, quoted: true);
                        if (lineBreak)
                            return true;
                        fieldStart = _recordLength;
                        quoted = false;
                        state = State.FieldStart;
                    }
                    else if (_trim && IsBlank(c))
                    {
                        state = State.AfterQuoted;
                    }
                    else
                    {
                        throw Error(_line, $"unexpected character '{c}' after the closing quote of field {FieldCount + 1} "
                                           + "(a quote inside a quoted field must be doubled).");
                    }
                    break;
            }
        }
    }

    public void Dispose() => _reader.Dispose();

    private bool IsBlank(char c) => (c == ' ' || c == '\t') && c != _separator;

    private void EndField(int start, bool quoted)
    {
        int end = _recordLength;
        if (_trim && !quoted)
            while (end > start && IsBlank(_record[end - 1]))
                end--;
        if (FieldCount == _fieldStart.Length)
        {
            Array.Resize(ref _fieldStart, FieldCount * 2);
            Array.Resize(ref _fieldEnd, FieldCount * 2);
        }
        _fieldStart[FieldCount] = start;
        _fieldEnd[FieldCount] = end;
        FieldCount++;
    }

    private void Append(char c)
    {
        if (_recordLength == _record.Length)
            Grow(1);
        _record[_recordLength++] = c;
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        if (_recordLength + chars.Length > _record.Length)
            Grow(chars.Length);
        chars.CopyTo(_record.AsSpan(_recordLength));
        _recordLength += chars.Length;
    }

    private void Grow(int extra)
    {
        long needed = (long)_recordLength + extra;
        if (needed > MaxRecordLength)
            throw Error(RecordLine, $"a record is longer than {MaxRecordLength:N0} characters (is a quote left open?).");
        Array.Resize(ref _record, (int)Math.Min(MaxRecordLength, Math.Max(needed, 2L * _record.Length)));
    }

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
        AfterQuoted,
    }
}
