namespace Microsoft.ML.R2DN.Engine;

/// <summary>Argument checks shared by the models and options, throwing <see cref="ArgumentException"/>s that name
/// the argument.</summary>
internal static class Validation
{
    public static void CheckLength<T>(ReadOnlySpan<T> span, long expected, string name)
    {
        if (span.Length != expected)
            throw new ArgumentException($"Expected {expected} values, got {span.Length}.", name);
    }

    public static void CheckLength<T>(Span<T> span, long expected, string name) =>
        CheckLength((ReadOnlySpan<T>)span, expected, name);

    /// <summary>Throws unless <paramref name="value"/> is finite and greater than 0.</summary>
    public static void ThrowIfNotPositive(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and greater than 0.");
    }

    /// <summary>Throws unless <paramref name="value"/> is in [0, <paramref name="below"/>).</summary>
    public static void ThrowIfNotFraction(double value, double below, string name)
    {
        if (!(value >= 0 && value < below))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, {below}).");
    }

    /// <summary>Throws unless a thread count, when given, is at least 1.</summary>
    public static void CheckThreads(int? threads)
    {
        if (threads is int t && t < 1)
            throw new ArgumentOutOfRangeException("Threads", t, "Threads must be at least 1.");
    }

    public static void ThrowIfNotFinite(ReadOnlySpan<float> values, string name, int rowWidth = 0)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException(rowWidth > 0
                    ? $"Value {values[i]} at row {i / rowWidth}, column {i % rowWidth} is not finite."
                    : $"Value {values[i]} at index {i} is not finite.", name);
    }

    public static void ThrowIfNotFinite(ReadOnlySpan<double> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"Value {values[i]} at index {i} is not finite.", name);
    }

    public static void CheckSequenceArguments(ISequenceModel model, ReadOnlySpan<float> initialState,
                                              ReadOnlySpan<float> inputs, int timeSteps, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        CheckLength(initialState, (long)batch * model.StateSize, nameof(initialState));
        CheckLength(inputs, (long)timeSteps * batch * model.InputSize, nameof(inputs));
        ThrowIfNotFinite(initialState, nameof(initialState), model.StateSize);
        ThrowIfNotFinite(inputs, nameof(inputs), model.InputSize);
    }
}
