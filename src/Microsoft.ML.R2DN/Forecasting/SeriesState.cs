namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The state of one series, detached from any engine: what a <see cref="SeriesForecaster"/> steps with each
/// observation (the recurrent state x, the model's latest output, the linear path's look-back window, the last observed
/// targets and features, and the number of observations), plus the id of the model that last stepped it. Created by
/// <see cref="SeriesForecaster.Start"/>, kept by the caller (an Orleans grain, a database row), stored with <see
/// cref="ToBytes"/> and restored with <see cref="FromBytes"/>.</summary> <remarks>Size: (state size + targets ×
/// (horizon + look-back + 1) + features) × 4 bytes plus the ids and a fixed header of about 60 bytes (see <see
/// cref="ToBytes"/>).</remarks> <threadsafety>Not thread-safe: a state belongs to one caller at a time (an Orleans
/// grain is single-threaded).</threadsafety>
public sealed class SeriesState
{
    internal SeriesState(string seriesId, string modelId, ForecastSeriesState values, double[] outputScale)
    {
        SeriesId = seriesId; ModelId = modelId; Values = values; OutputScale = outputScale;
    }

    /// <summary>The series id, as text (as the model's series id column holds it: keys by their value, numbers in their
    /// invariant form); "" for a model without a series id column.</summary>
    public string SeriesId { get; }

    /// <summary>The <see cref="SeriesForecaster.ModelId"/> of the model that last stepped this state (or that started
    /// it). A forecaster of another model adopts the state when it observes or forecasts it (see
    /// <see cref="SeriesForecaster.Observe"/>).</summary>
    public string ModelId { get; private set; }

    /// <summary>The number of observations the state has consumed (counting those of training when it started from
    /// the model's stored end state); 0 for a series that has seen nothing.</summary>
    public long Steps => Values.Steps;

    internal ForecastSeriesState Values { get; private set; }

    /// <summary>Per target, the standard deviation the model's output is in units of: what lets a newer model with
    /// another target scale take the state over (<see cref="SeriesForecaster.Observe"/>).</summary>
    internal double[] OutputScale { get; private set; }

    /// <summary>A deep copy.</summary>
    /// <returns>A state with the same values, independent of this one.</returns>
    public SeriesState Clone() => new(SeriesId, ModelId, Values.Clone(), (double[])OutputScale.Clone());

    /// <summary>The state in a compact, versioned binary form, for storage.</summary> <returns>A new array.</returns>
    /// <remarks>Little-endian: the magic "R2SS", the format version (UInt16, now 1), the series id and the model id
    /// (each a UInt16 byte count and UTF-8), the step count (Int64), the lengths of x, the output, the last targets,
    /// the last features and the look-back window (Int32 each), their values (Single), the output scale (one Double per
    /// target) and a CRC-32 of everything before it. A reader refuses a higher format version with a <see
    /// cref="FormatException"/>, so an older silo never misreads a state a newer one wrote.</remarks>
    public byte[] ToBytes() => SeriesStateFormat.Write(this);

    /// <summary>Restores a state written by <see cref="ToBytes"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">The bytes are not a series state, are damaged (truncated, a checksum or a
    /// length that does not match, a non-finite recurrent state), or were written by a newer version of the package
    /// (a higher format version).</exception>
    public static SeriesState FromBytes(ReadOnlySpan<byte> data) => SeriesStateFormat.Read(data);

    /// <summary>Takes the values of <paramref name="other"/> (after a successful step on a copy).</summary>
    internal void Assign(SeriesState other)
    {
        ModelId = other.ModelId; Values = other.Values; OutputScale = other.OutputScale;
    }
}
