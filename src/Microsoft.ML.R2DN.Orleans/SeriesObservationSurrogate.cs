namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The wire form of a <see cref="SeriesObservation"/>: column names, a type code per value (0 Single,
/// 1 Double, 2 Int32, 3 Int64, 4 Boolean) and the value's bits, so that every value arrives exactly as sent.</summary>
[GenerateSerializer]
internal struct SeriesObservationSurrogate
{
    [Id(0)] public string[] Names;
    [Id(1)] public byte[] Kinds;
    [Id(2)] public long[] Bits;
}

/// <summary>Converts <see cref="SeriesObservation"/> to and from its wire form.</summary>
[RegisterConverter]
internal sealed class SeriesObservationConverter : IConverter<SeriesObservation, SeriesObservationSurrogate>
{
    public SeriesObservation ConvertFromSurrogate(in SeriesObservationSurrogate surrogate)
    {
        var names = surrogate.Names ?? [];
        if (surrogate.Kinds?.Length != names.Length || surrogate.Bits?.Length != names.Length)
            throw new FormatException("A serialised SeriesObservation has arrays of different lengths.");
        var observation = new SeriesObservation();
        for (int i = 0; i < names.Length; i++)
            observation.Set(names[i], FromBits(surrogate.Kinds[i], surrogate.Bits[i]));
        return observation;
    }

    public SeriesObservationSurrogate ConvertToSurrogate(in SeriesObservation value)
    {
        int n = value.Count, i = 0;
        var s = new SeriesObservationSurrogate { Names = new string[n], Kinds = new byte[n], Bits = new long[n] };
        foreach (var (name, v) in value)
        {
            s.Names[i] = name;
            (s.Kinds[i], s.Bits[i]) = ToBits(v);
            i++;
        }
        return s;
    }

    private static (byte, long) ToBits(object value) => value switch
    {
        float f => (0, BitConverter.SingleToInt32Bits(f)),
        double d => (1, BitConverter.DoubleToInt64Bits(d)),
        int n => (2, n),
        long l => (3, l),
        bool b => (4, b ? 1 : 0),
        _ => throw new ArgumentException($"Unsupported observation value type {value.GetType().Name}.", nameof(value)),
    };

    private static object FromBits(byte kind, long bits) => kind switch
    {
        0 => BitConverter.Int32BitsToSingle((int)bits),
        1 => BitConverter.Int64BitsToDouble(bits),
        2 => (int)bits,
        3 => bits,
        4 => bits != 0,
        _ => throw new FormatException($"A serialised SeriesObservation has the unknown value type code {kind}."),
    };
}
