namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>The training settings that <see cref="Forecasting.ForecasterOptions"/> and
/// <see cref="Simulation.SimulatorOptions"/> share. Where the two tasks' defaults differ, each property says both
/// (from <see cref="Defaults.Forecasting"/> and <see cref="Defaults.Simulation"/>).</summary>
public abstract record ModelTrainingOptions
{
    /// <summary>Sets the defaults that differ between forecasting and simulation.</summary>
    private protected ModelTrainingOptions(int epochs, double learningRate, int segmentLength,
                                           int earlyStoppingPatience)
    {
        Epochs = epochs;
        LearningRate = learningRate;
        SegmentLength = segmentLength;
        EarlyStoppingPatience = earlyStoppingPatience;
    }

    /// <summary>The model. Default: a contracting R2DN with nx 32, nv 32, hidden [64, 64].</summary>
    public ModelSpec Model { get; init; } = new();

    /// <summary>Training epochs (&gt; 0). Default 60 when forecasting, 70 when simulating.</summary>
    public int Epochs { get; init; }

    /// <summary>Initial learning rate (finite, &gt; 0). Default 3e-3 when forecasting (it decays smoothly to a tenth
    /// by the last epoch), 1e-3 when simulating (see <see cref="Simulation.SimulatorOptions.Schedule"/>).</summary>
    public double LearningRate { get; init; }

    /// <summary>Truncated-BPTT segment length (&gt; 0), with the state carried between segments. Default 128 when
    /// forecasting, 256 when simulating.</summary>
    public int SegmentLength { get; init; }

    /// <summary>Element-wise gradient clip (finite, &gt; 0). Default 10.</summary>
    public double ClipValue { get; init; } = Defaults.Model.ClipValue;

    /// <summary>Seed of the initialisation. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Threads for training and scoring (null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Fraction of the end of each series held out to validate, in [0, 0.5); early stopping keeps the best
    /// epoch's weights. Default 0 (no validation: the last epoch's weights are kept, the paper's protocol). Forecasting
    /// holds it out after the calibration tail and also picks the linear path's penalty and whether the recurrent
    /// correction is kept at all on it; simulation simulates the whole sequences from a zero state each epoch and
    /// scores that tail.</summary>
    public double ValidationFraction { get; init; }

    /// <summary>Epochs without a lower validation loss before training stops (with <see cref="ValidationFraction"/>
    /// &gt; 0), at least 1. Default 15 when forecasting, 10 when simulating.</summary>
    public int EarlyStoppingPatience { get; init; }

    /// <summary>A limit on the training time: no new epoch starts after it (the best weights so far are kept). Null
    /// (default) for none.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Where training runs: null (default) for the managed engine, or another backend such as the TorchSharp
    /// package's. The trained model is the engine's either way.</summary>
    public ITrainingBackend? Backend { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid shared option.</summary>
    private protected void ValidateTraining()
    {
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SegmentLength, nameof(SegmentLength));
        Validation.ThrowIfNotPositive(LearningRate, nameof(LearningRate));
        Validation.ThrowIfNotPositive(ClipValue, nameof(ClipValue));
        Validation.CheckThreads(Threads);
        Validation.ThrowIfNotFraction(ValidationFraction, 0.5, nameof(ValidationFraction));
        ArgumentOutOfRangeException.ThrowIfLessThan(EarlyStoppingPatience, 1, nameof(EarlyStoppingPatience));
        if (TimeBudget is { } b && b <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), b, "TimeBudget must be positive.");
    }
}
