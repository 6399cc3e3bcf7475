namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>One input/output sequence for simulation (system identification): u [Length, InputCount], y [Length,
/// OutputCount].</summary>
public sealed class SequenceData
{
    /// <summary>Creates a sequence; <paramref name="outputs"/> may be empty when only simulating.</summary>
    /// <param name="inputs">u, row-major, finite.</param>
    /// <param name="inputCount">Inputs per step (&gt; 0).</param>
    /// <param name="outputs">y, row-major, finite; empty when only simulating.</param>
    /// <param name="outputCount">Outputs per step (&gt; 0).</param>
    /// <param name="name">A name for error messages. Default "sequence".</param>
    /// <exception cref="ArgumentException">A length does not match, or a value is not finite.</exception>
    public SequenceData(float[] inputs, int inputCount, float[] outputs, int outputCount, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        if (inputs.Length % inputCount != 0)
            throw new ArgumentException($"inputs has {inputs.Length} values, not a multiple of {inputCount}.",
                                        nameof(inputs));
        Length = inputs.Length / inputCount;
        if (outputs.Length != 0 && outputs.Length != Length * outputCount)
            throw new ArgumentException(
                $"outputs must have {Length * outputCount} values ({Length} steps × {outputCount}), got " +
                $"{outputs.Length}.", nameof(outputs));
        Validation.ThrowIfNotFinite(inputs, nameof(inputs), inputCount);
        Validation.ThrowIfNotFinite(outputs, nameof(outputs), outputCount);
        (Inputs, InputCount, Outputs, OutputCount) = (inputs, inputCount, outputs, outputCount);
        Name = name ?? "sequence";
    }

    /// <summary>u, [Length, InputCount].</summary>
    public float[] Inputs { get; }

    /// <summary>y, [Length, OutputCount], or empty.</summary>
    public float[] Outputs { get; }

    /// <summary>Time steps.</summary>
    public int Length { get; }

    /// <summary>Inputs per step.</summary>
    public int InputCount { get; }

    /// <summary>Outputs per step.</summary>
    public int OutputCount { get; }

    /// <summary>A name for messages.</summary>
    public string Name { get; }
}
