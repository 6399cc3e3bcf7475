using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The binary form of a <see cref="SeriesState"/> (see <see cref="SeriesState.ToBytes"/> for the
/// layout).</summary>
internal static class SeriesStateFormat
{
    public const ushort Version = 1;

    private static ReadOnlySpan<byte> Magic => "R2SS"u8;

    // Bounds that no real model reaches (a state of 2^24 floats is 64 MB), so that a damaged length cannot make the
    // reader allocate without limit.
    private const int MaxLength = 1 << 24;
    private const int MaxIdBytes = 4096;

    public static byte[] Write(SeriesState state)
    {
        var v = state.Values;
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            WriteId(w, state.SeriesId);
            WriteId(w, state.ModelId);
            w.Write(v.Steps);
            float[][] parts = [v.X, v.Output, v.LastTargets, v.LastFeatures, v.History];
            foreach (var p in parts) w.Write(p.Length);
            foreach (var p in parts)
                foreach (float f in p) w.Write(f);
            foreach (double d in state.OutputScale) w.Write(d);
        }
        var crc = Crc32.HashToUInt32(stream.GetBuffer().AsSpan(0, (int)stream.Length));
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc);
        stream.Write(trailer);
        return stream.ToArray();
    }

    public static SeriesState Read(ReadOnlySpan<byte> data)
    {
        if (data.Length < Magic.Length + 2 || !data[..Magic.Length].SequenceEqual(Magic))
            throw new FormatException("The bytes are not a series state (no 'R2SS' header).");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data[Magic.Length..]);
        if (version > Version)
            throw new FormatException($"The series state has format version {version}, newer than this package reads " +
                                      $"({Version}): update Microsoft.ML.R2DN on this machine.");
        if (data.Length < 10 || Crc32.HashToUInt32(data[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]))
            throw Damaged("its checksum does not match.");
        try
        {
            return ReadBody(data[(Magic.Length + 2)..^4]);
        }
        catch (EndOfStreamException e)
        {
            throw Damaged("it ends early.", e);
        }
    }

    private static SeriesState ReadBody(ReadOnlySpan<byte> body)
    {
        using var stream = new MemoryStream(body.ToArray(), writable: false);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        string seriesId = ReadId(r), modelId = ReadId(r);
        long steps = r.ReadInt64();
        var lengths = new int[5];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = r.ReadInt32();
            if (lengths[i] < 0 || lengths[i] > MaxLength) throw Damaged($"a length ({lengths[i]}) is out of range.");
        }
        long expected = 4L * lengths.Sum(l => (long)l) + 8L * lengths[2];
        if (stream.Length - stream.Position != expected) throw Damaged("its lengths do not match its size.");
        var parts = lengths.Select(n => ReadFloats(r, n)).ToArray();
        var scale = new double[lengths[2]];
        for (int i = 0; i < scale.Length; i++) scale[i] = r.ReadDouble();
        if (steps < 0 || parts[0].Any(f => !float.IsFinite(f)) || parts[1].Any(f => !float.IsFinite(f))
            || scale.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw Damaged("its step count, recurrent state, output or scale is out of range.");
        var values = new ForecastSeriesState(parts[0], parts[1], steps, parts[2], parts[3], parts[4]);
        return new SeriesState(seriesId, modelId, values, scale);
    }

    private static void WriteId(BinaryWriter w, string id)
    {
        var bytes = Encoding.UTF8.GetBytes(id);
        if (bytes.Length > MaxIdBytes)
            throw new ArgumentException($"An id of {bytes.Length} UTF-8 bytes is longer than {MaxIdBytes}.",
                                        nameof(id));
        w.Write((ushort)bytes.Length);
        w.Write(bytes);
    }

    private static string ReadId(BinaryReader r)
    {
        int n = r.ReadUInt16();
        if (n > MaxIdBytes) throw Damaged($"an id of {n} bytes is longer than {MaxIdBytes}.");
        var bytes = r.ReadBytes(n);
        if (bytes.Length != n) throw new EndOfStreamException();
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Damaged("an id is not valid UTF-8.", e);
        }
    }

    private static float[] ReadFloats(BinaryReader r, int n)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = r.ReadSingle();
        return values;
    }

    private static FormatException Damaged(string detail, Exception? inner = null) =>
        new($"The series state is damaged: {detail}", inner);
}
