namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>The recurrent state of a forecaster after consuming some history: x and the latest forecast.</summary>
public sealed class ForecastState
{
    internal ForecastState(float[] x, float[] output, float[] lastTargets, long steps, float[]? history = null)
    {
        X = x;
        Output = output;
        LastTargets = lastTargets;
        Steps = steps;
        History = history ?? [];
    }

    /// <summary>Rebuilds a state from its parts (for checkpoints): the model state x, the forecaster's latest output
    /// (standardised changes), the latest observed targets, the number of observations consumed and, for a forecaster
    /// with a linear path, the look-back window (targets × L, oldest first per target; empty otherwise).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    public static ForecastState FromParts(float[] x, float[] output, float[] lastTargets, long steps,
                                         float[]? history = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(lastTargets);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return new((float[])x.Clone(), (float[])output.Clone(), (float[])lastTargets.Clone(), steps,
                   (float[]?)history?.Clone());
    }

    /// <summary>The look-back window of the linear path: targets × L values, oldest first per target (empty without a
    /// linear path).</summary>
    public float[] History { get; }

    /// <summary>The model state x.</summary>
    public float[] X { get; }

    /// <summary>The model's latest output: standardised changes y_{t+k} − y_t, target-major.</summary>
    public float[] Output { get; }

    /// <summary>The latest observed targets y_t, in data units.</summary>
    public float[] LastTargets { get; }

    /// <summary>Number of observations consumed.</summary>
    public long Steps { get; internal set; }

    /// <summary>A deep copy (engines work on their own copy).</summary>
    public ForecastState Clone() =>
        new((float[])X.Clone(), (float[])Output.Clone(), (float[])LastTargets.Clone(), Steps, (float[])History.Clone());
}
