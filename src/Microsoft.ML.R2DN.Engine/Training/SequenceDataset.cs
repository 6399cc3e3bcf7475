namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>A contiguous range of time steps [<see cref="Start"/>, <see cref="Start"/> +
/// <see cref="Length"/>).</summary>
/// <param name="Start">First time step (≥ 0).</param>
/// <param name="Length">Number of time steps (≥ 1).</param>
public readonly record struct TimeSegment(int Start, int Length)
{
    /// <summary>One past the last time step.</summary>
    public int End => Start + Length;
}

/// <summary>
/// A batch of B equally long input/target sequences, stored time-major and row-major:
/// <c>inputs[t, b, i]</c> at <c>(t·B + b)·nu + i</c> and <c>targets[t, b, c]</c> at <c>(t·B + b)·ny + c</c>.
/// </summary>
/// <remarks>
/// The constructor copies and validates the arrays, so later changes to the caller's arrays do not affect the
/// dataset. Because the layout is time-major, a run of time steps is one contiguous slice; <see cref="GetInputs"/>
/// and <see cref="GetTargets"/> return it without copying.
/// </remarks>
public sealed class SequenceDataset
{
    private readonly float[] _inputs;
    private readonly float[] _targets;

    /// <summary>Creates a dataset from copies of <paramref name="inputs"/> and <paramref name="targets"/>.</summary>
    /// <param name="inputs">u, shape [timeSteps, batch, inputSize], length T·B·nu; every value finite.</param>
    /// <param name="targets">y, shape [timeSteps, batch, outputSize], length T·B·ny; every value finite.</param>
    /// <param name="timeSteps">T, at least 1.</param>
    /// <param name="batch">B (number of sequences), at least 1.</param>
    /// <param name="inputSize">nu, at least 1.</param>
    /// <param name="outputSize">ny, at least 1.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">An array has the wrong length or holds a NaN or infinite value (the message
    /// names its time step, sequence and channel).</exception>
    public SequenceDataset(float[] inputs, float[] targets, int timeSteps, int batch, int inputSize, int outputSize)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        CheckArray(inputs, timeSteps, batch, inputSize, nameof(inputs), "nu");
        CheckArray(targets, timeSteps, batch, outputSize, nameof(targets), "ny");
        TimeSteps = timeSteps;
        Batch = batch;
        InputSize = inputSize;
        OutputSize = outputSize;
        _inputs = (float[])inputs.Clone();
        _targets = (float[])targets.Clone();
    }

    /// <summary>T, the number of time steps (≥ 1).</summary>
    public int TimeSteps { get; }

    /// <summary>B, the number of sequences (≥ 1).</summary>
    public int Batch { get; }

    /// <summary>nu, the number of inputs per step (≥ 1).</summary>
    public int InputSize { get; }

    /// <summary>ny, the number of targets per step (≥ 1).</summary>
    public int OutputSize { get; }

    /// <summary>All inputs, shape [T, B, nu].</summary>
    public ReadOnlyMemory<float> Inputs => _inputs;

    /// <summary>All targets, shape [T, B, ny].</summary>
    public ReadOnlyMemory<float> Targets => _targets;

    /// <summary>The first <paramref name="timeSteps"/> time steps, as a dataset of their own.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeSteps"/> is not in [1, T].</exception>
    internal SequenceDataset Head(int timeSteps)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeSteps, TimeSteps);
        return new SequenceDataset(_inputs[..(timeSteps * Batch * InputSize)],
                                   _targets[..(timeSteps * Batch * OutputSize)], timeSteps, Batch, InputSize,
                                       OutputSize);
    }

    /// <summary>
    /// The number of TBPTT segments: <c>max(1, T / segmentLength)</c> with integer division, as
    /// <c>numpy.array_split(x, T / segmentLength)</c> does after truncating the section count.
    /// </summary>
    /// <param name="timeSteps">T, at least 1.</param>
    /// <param name="segmentLength">Nominal segment length, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is less than 1.</exception>
    public static int GetSegmentCount(int timeSteps, int segmentLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentLength, 1);
        return Math.Max(1, timeSteps / segmentLength);
    }

    /// <summary>
    /// Splits [0, <paramref name="length"/>) into <paramref name="sections"/> contiguous near-equal parts with
    /// <c>numpy.array_split</c> semantics: the first <c>length % sections</c> parts have
    /// <c>length / sections + 1</c> elements, the rest <c>length / sections</c>.
    /// </summary>
    /// <param name="length">Number of elements, at least 1.</param>
    /// <param name="sections">Number of parts, in [1, <paramref name="length"/>].</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static TimeSegment[] ArraySplit(int length, int sections)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sections, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sections, length);
        int each = length / sections, extra = length % sections;
        var result = new TimeSegment[sections];
        int start = 0;
        for (int k = 0; k < sections; k++)
        {
            int len = k < extra ? each + 1 : each;
            result[k] = new TimeSegment(start, len);
            start += len;
        }
        return result;
    }

    /// <summary>
    /// Splits this dataset's time axis into <see cref="GetSegmentCount"/> segments with <c>numpy.array_split</c>
    /// semantics (for example T = 1000 and length 256 give 334, 333, 333).
    /// </summary>
    /// <param name="segmentLength">Nominal segment length, at least 1; a value above T gives one segment of length
    /// T.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="segmentLength"/> is less than 1.</exception>
    public TimeSegment[] Split(int segmentLength) => ArraySplit(TimeSteps, GetSegmentCount(TimeSteps, segmentLength));

    /// <summary>The inputs of <paramref name="segment"/>, shape [segment.Length, B, nu], without copying.</summary>
    /// <param name="segment">A segment inside [0, T).</param>
    /// <exception cref="ArgumentOutOfRangeException">The segment is not inside [0, T).</exception>
    public ReadOnlySpan<float> GetInputs(TimeSegment segment)
    {
        CheckSegment(segment);
        int row = Batch * InputSize;
        return _inputs.AsSpan(segment.Start * row, segment.Length * row);
    }

    /// <summary>The targets of <paramref name="segment"/>, shape [segment.Length, B, ny], without copying.</summary>
    /// <param name="segment">A segment inside [0, T).</param>
    /// <exception cref="ArgumentOutOfRangeException">The segment is not inside [0, T).</exception>
    public ReadOnlySpan<float> GetTargets(TimeSegment segment)
    {
        CheckSegment(segment);
        int row = Batch * OutputSize;
        return _targets.AsSpan(segment.Start * row, segment.Length * row);
    }

    private void CheckSegment(TimeSegment segment)
    {
        if (segment.Start < 0 || segment.Length < 1 || segment.Start > TimeSteps - segment.Length)
            throw new ArgumentOutOfRangeException(nameof(segment), segment,
                $"The segment must have length ≥ 1 and lie inside [0, {TimeSteps}).");
    }

    private static void CheckArray(float[] data, int t, int b, int width, string name, string widthName)
    {
        long expected = (long)t * b * width;
        if (expected > Array.MaxLength)
            throw new ArgumentException($"T·B·{widthName} = {expected} is too large for one array.", name);
        if (data.Length != expected)
            throw new ArgumentException(
                $"'{name}' must have length T·B·{widthName} = {t}·{b}·{width} = {expected}, but has length " +
                $"{data.Length}.", name);
        for (int k = 0; k < data.Length; k++)
        {
            float v = data[k];
            if (!float.IsFinite(v))
            {
                int c = k % width, rowIndex = k / width;
                throw new ArgumentException(
                    $"'{name}' holds {(float.IsNaN(v) ? "NaN" : v.ToString())} at flat index {k} " +
                    $"(time step {rowIndex / b}, sequence {rowIndex % b}, channel {c}); every value must be finite.",
                        name);
            }
        }
    }
}
