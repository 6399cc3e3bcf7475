using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine;

/// <summary>Argument checks shared by the models, throwing <see cref="ArgumentException"/>s that name the argument.</summary>
internal static class Validation
{
    public static void CheckLength<T>(ReadOnlySpan<T> span, long expected, string name)
    {
        if (span.Length != expected)
            throw new ArgumentException($"Expected {expected} values, got {span.Length}.", name);
    }

    public static void CheckLength<T>(Span<T> span, long expected, string name) => CheckLength((ReadOnlySpan<T>)span, expected, name);

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

    public static void CheckSequenceArguments(ISequenceModel model, ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs,
                                              int timeSteps, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        CheckLength(initialState, (long)batch * model.StateSize, nameof(initialState));
        CheckLength(inputs, (long)timeSteps * batch * model.InputSize, nameof(inputs));
        ThrowIfNotFinite(initialState, nameof(initialState), model.StateSize);
        ThrowIfNotFinite(inputs, nameof(inputs), model.InputSize);
    }
}
