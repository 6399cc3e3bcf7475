using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>The element types this package writes and reads in .npy arrays.</summary>
internal enum NpyElementType
{
    /// <summary>Little-endian IEEE float64, NumPy dtype <c>'&lt;f8'</c>.</summary>
    Float64,

    /// <summary>Little-endian IEEE float32, NumPy dtype <c>'&lt;f4'</c>.</summary>
    Float32,
}

/// <summary>
/// Writes and reads NumPy <c>.npy</c> arrays (format versions 1.0 and 2.0) of little-endian float64 or float32 in
/// C (row-major) order, of any shape, the scalar shape <c>()</c> included.
/// </summary>
/// <remarks>
/// <para>
/// A file is the magic <c>\x93NUMPY</c>, the version (two bytes), the header length (uint16 for 1.0, uint32 for 2.0,
/// little-endian), then an ASCII header that is a Python dict literal such as
/// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (2, 3), }</c>, padded with spaces and ended by a newline so
/// that the data starts at a multiple of 64 bytes, then the raw elements
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
/// </para>
/// <para>
/// The reader is meant for untrusted files: the header is parsed by a small grammar (never evaluated), must hold
/// exactly the keys <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, accepts only <c>'&lt;f8'</c>/<c>'&lt;f4'</c>
/// and <c>fortran_order</c> False; the element count is checked against the caller's limit before anything is
/// allocated, and the data must fill the rest of the file exactly. Every failure is a <see cref="FormatException"/>
/// that names the array.
/// </para>
/// </remarks>
internal static class NpyFormat
{
    /// <summary>The longest header accepted on reading, in bytes (NumPy itself refuses headers over 10,000 bytes by
    /// default).</summary>
    public const int MaxHeaderLength = 65536;

    /// <summary>The most dimensions accepted (NumPy 2's own limit is 64).</summary>
    public const int MaxDimensions = 64;

    /// <summary>The data of every file this class writes starts at a multiple of this many bytes.</summary>
    public const int Alignment = 64;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes an array as an .npy file (format version 1.0).</summary>
    /// <param name="destination">The stream written to, from its current position.</param>
    /// <param name="shape">The shape; empty for a 0-d scalar. Each dimension ≥ 0.</param>
    /// <param name="data">The elements in C order; as many as the product of <paramref name="shape"/>.</param>
    /// <param name="elementType">The stored type. Float32 rounds each value to the nearest float.</param>
    /// <exception cref="ArgumentException">The shape is invalid or does not match the length of
    /// <paramref name="data"/>.</exception>
    public static void Write(Stream destination, ReadOnlySpan<int> shape, ReadOnlySpan<double> data,
                             NpyElementType elementType = NpyElementType.Float64)
    {
        ArgumentNullException.ThrowIfNull(destination);
        byte[] header = Encoding.ASCII.GetBytes(Header(shape, data.Length, elementType));
        Span<byte> preamble = stackalloc byte[10];
        Magic.CopyTo(preamble);
        preamble[6] = 1; preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)header.Length);
        destination.Write(preamble);
        destination.Write(header);

        const int chunk = 8192;
        var buffer = new byte[chunk * sizeof(double)];
        for (int start = 0; start < data.Length; start += chunk)
        {
            var part = data.Slice(start, Math.Min(chunk, data.Length - start));
            int bytes;
            if (elementType == NpyElementType.Float64)
            {
                for (int i = 0; i < part.Length; i++)
                    BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(i * sizeof(double)), part[i]);
                bytes = part.Length * sizeof(double);
            }
            else
            {
                for (int i = 0; i < part.Length; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * sizeof(float)), (float)part[i]);
                bytes = part.Length * sizeof(float);
            }
            destination.Write(buffer, 0, bytes);
        }
    }

    /// <summary>
    /// The header text written for an array: the dict literal, spaces, and a final newline, so that the magic, the
    /// version,
    /// the length field and the header together fill a multiple of <see cref="Alignment"/> bytes.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is invalid or does not match
    /// <paramref name="length"/>.</exception>
    public static string Header(ReadOnlySpan<int> shape, long length,
                                NpyElementType elementType = NpyElementType.Float64)
    {
        if (shape.Length > MaxDimensions)
            throw new ArgumentException($"An .npy array has at most {MaxDimensions} dimensions, got {shape.Length}.",
                                        nameof(shape));
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"Shape {FormatShape(shape)} has a negative dimension.", nameof(shape));
            count = d == 0 || count == 0 ? 0 : checked(count * d);
        }
        if (count != length)
            throw new ArgumentException($"Shape {FormatShape(shape)} holds {count} elements, but {length} were given.",
                                        nameof(shape));
        if (!Enum.IsDefined(elementType)) throw new ArgumentOutOfRangeException(nameof(elementType));

        string descr = elementType == NpyElementType.Float64 ? "<f8" : "<f4";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {FormatShape(shape)}, }}";
        int unpadded = 10 + dict.Length + 1;                      // preamble, dict, newline
        int padding = (Alignment - unpadded % Alignment) % Alignment;
        return dict + new string(' ', padding) + "\n";
    }

    /// <summary>Reads an .npy file held in memory.</summary>
    /// <param name="file">The whole file.</param>
    /// <param name="name">The array's name (for example its zip entry), used in error messages.</param>
    /// <param name="maxElements">The most elements accepted; checked before the data is allocated.</param>
    /// <returns>The shape (empty for a 0-d scalar) and the elements in C order, widened to float64.</returns>
    /// <exception cref="FormatException">The file is not a valid little-endian float64/float32 C-order .npy array, or
    /// is larger than the limit.</exception>
    public static (int[] Shape, double[] Data) Read(ReadOnlySpan<byte> file, string name, long maxElements)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(maxElements);
        if (file.Length < 10 || !file[..6].SequenceEqual(Magic))
            throw Error(name, "it does not start with the .npy magic bytes.");
        byte major = file[6], minor = file[7];
        int preamble;
        long headerLength;
        if (major == 1 && minor == 0)
        { preamble = 10; headerLength = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]); }
        else if (major == 2 && minor == 0)
        {
            if (file.Length < 12) throw Error(name, "the file ends inside the header length.");
            preamble = 12; headerLength = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
        }
        else throw Error(name, $"format version {major}.{minor} is not supported (only 1.0 and 2.0 are).");
        if (headerLength > MaxHeaderLength)
            throw Error(name, $"the header is {headerLength} bytes long, more than the {MaxHeaderLength} accepted.");
        if (preamble + headerLength > file.Length)
            throw Error(name,
                        $"the file ends inside the header ({file.Length} bytes, the header needs " +
                        $"{preamble + headerLength}).");

        var headerBytes = file.Slice(preamble, (int)headerLength);
        foreach (byte b in headerBytes)
            if (b is not ((>= 0x20 and < 0x7F) or (byte)'\n' or (byte)'\r' or (byte)'\t'))
                throw Error(name, "the header holds a byte that is not printable ASCII.");
        var (descr, shape) = new HeaderParser(Encoding.ASCII.GetString(headerBytes), name).Parse();

        int itemSize = descr switch
        {
            "<f8" => sizeof(double),
            "<f4" => sizeof(float),
            _ => throw Error(name, $"the element type '{descr}' is not supported (only '<f8' and '<f4' are)."),
        };

        // The count is bounded by the caller's limit before any multiplication can overflow or anything is allocated.
        long count = 1;
        if (Array.IndexOf(shape, 0) >= 0) count = 0;
        else
            foreach (int d in shape)
            {
                if (count > maxElements / d)
                    throw Error(name,
                                $"the shape {FormatShape(shape)} holds more than the {maxElements} elements accepted.");
                count *= d;
            }
        if (count > maxElements)
            throw Error(name,
                        $"the shape {FormatShape(shape)} holds {count} elements, more than the {maxElements} " +
                        $"accepted.");

        long dataLength = file.Length - preamble - headerLength;
        if (count > dataLength / itemSize || count * itemSize != dataLength)
            throw Error(name,
                        $"the header declares shape {FormatShape(shape)} of '{descr}' ({count} elements of " +
                        $"{itemSize} bytes) " +
                              $"but the file holds {dataLength} bytes of data.");

        var data = new double[count];
        var bytes = file[(preamble + (int)headerLength)..];
        if (itemSize == sizeof(double))
        {
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, double>(bytes).CopyTo(data);
            else for (int i = 0; i < data.Length; i++) data[i] =
                BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
        }
        else
            for (int i = 0; i < data.Length; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        return (shape, data);
    }

    /// <summary>Reads an .npy file from a stream, reading no more bytes than <paramref name="maxElements"/> float64
    /// elements and the largest header need.</summary>
    /// <exception cref="FormatException">See <see cref="Read(ReadOnlySpan{byte}, string, long)"/>.</exception>
    public static (int[] Shape, double[] Data) Read(Stream source, string name, long maxElements)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(maxElements);
        long maxBytes =
            Math.Min(Array.MaxLength, 12L + MaxHeaderLength + Math.Min(maxElements, Array.MaxLength) * sizeof(double));
        var bytes = BoundedStream.ReadToEnd(source, maxBytes, 0,
            () => Error(name, $"it is larger than {maxBytes} bytes, the most that {maxElements} elements need."));
        return Read(bytes, name, maxElements);
    }

    /// <summary>A shape as Python writes a tuple: <c>()</c>, <c>(3,)</c>, <c>(2, 3)</c>.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 1) return $"({shape[0].ToString(CultureInfo.InvariantCulture)},)";
        var sb = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append(')').ToString();
    }

    private static FormatException Error(string name, string detail) =>
        new($"'{name}' is not a valid .npy array: {detail}");

    /// <summary>
    /// Parses the header dict: <c>{ key: value, ... }</c> with quoted keys, values a quoted string, True/False, or a
    /// tuple
    /// of non-negative integers (an old Python 2 <c>L</c> suffix allowed), a trailing comma allowed, nothing evaluated.
    /// </summary>
    private ref struct HeaderParser(string text, string name)
    {
        private int _pos;

        public (string Descr, int[] Shape) Parse()
        {
            string? descr = null;
            bool? fortran = null;
            int[]? shape = null;
            SkipSpace();
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _pos++; break; }
                string key = ParseString();
                SkipSpace();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr":
                        if (descr is not null) throw Fail("the key 'descr' appears twice.");
                        descr = Peek() is '\'' or '"' ? ParseString() : throw Fail("'descr' must be a string.");
                        break;
                    case "fortran_order":
                        if (fortran is not null) throw Fail("the key 'fortran_order' appears twice.");
                        fortran = ParseBool();
                        break;
                    case "shape":
                        if (shape is not null) throw Fail("the key 'shape' appears twice.");
                        shape = ParseTuple();
                        break;
                    default:
                        throw Fail($"the header has an unexpected key '{key}' (expected only 'descr', " +
                                   $"'fortran_order' and 'shape').");
                }
                SkipSpace();
                if (Peek() == ',') { _pos++; continue; }
                if (Peek() == '}') { _pos++; break; }
                throw Fail($"expected ',' or '}}' at header position {_pos}.");
            }
            SkipSpace();
            if (_pos != text.Length) throw Fail($"unexpected text after the header dict at position {_pos}.");
            if (descr is null) throw Fail("the header has no 'descr'.");
            if (fortran is null) throw Fail("the header has no 'fortran_order'.");
            if (shape is null) throw Fail("the header has no 'shape'.");
            if (fortran.Value)
                throw Fail("the array is stored in Fortran (column-major) order; only C order is supported.");
            return (descr, shape);
        }

        private readonly char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw Fail($"expected '{c}' at header position {_pos}.");
            _pos++;
        }

        private string ParseString()
        {
            char quote = Peek();
            if (quote is not ('\'' or '"')) throw Fail($"expected a quoted string at header position {_pos}.");
            int start = ++_pos;
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (text[_pos] == '\\') throw Fail("escape sequences are not supported in the header.");
                _pos++;
            }
            if (_pos >= text.Length) throw Fail("a string in the header is not terminated.");
            return text[start.._pos++];
        }

        private bool ParseBool()
        {
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw Fail("'fortran_order' must be True or False.");
        }

        private int[] ParseTuple()
        {
            if (Peek() != '(') throw Fail("'shape' must be a tuple such as (2, 3).");
            _pos++;
            var dims = new List<int>();
            bool trailingComma = false;
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { _pos++; break; }
                if (dims.Count >= MaxDimensions) throw Fail($"the shape has more than {MaxDimensions} dimensions.");
                dims.Add(ParseDimension());
                SkipSpace();
                if (Peek() == ',') { _pos++; trailingComma = true; continue; }
                trailingComma = false;
                if (Peek() == ')') { _pos++; break; }
                throw Fail($"expected ',' or ')' in the shape at header position {_pos}.");
            }
            // In Python "(3)" is the integer 3, not a tuple; NumPy rejects it too.
            if (dims.Count == 1 && !trailingComma)
                throw Fail("'shape' must be a tuple; a single dimension is written (n,).");
            return dims.ToArray();
        }

        private int ParseDimension()
        {
            if (Peek() == '-') throw Fail("the shape has a negative dimension.");
            int start = _pos;
            long value = 0;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
            {
                value = value * 10 + (text[_pos] - '0');
                if (value > int.MaxValue) throw Fail($"a dimension of the shape is larger than {int.MaxValue}.");
                _pos++;
            }
            if (_pos == start) throw Fail($"expected a non-negative integer in the shape at header position {_pos}.");
            if (Peek() is 'L' or 'l') _pos++;   // Python 2 NumPy wrote long integers as 3L
            return (int)value;
        }

        private readonly FormatException Fail(string detail) => Error(name, detail);
    }
}
