namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>Settings of <see cref="Simulator.Train"/>; the defaults are the paper's F16 protocol (MODELS.md 4.1),
/// from <see cref="Defaults.Simulation"/>.</summary>
public sealed record SimulatorOptions
{
    /// <summary>The model. Default: a contracting R2DN with nx 32, nv 32, hidden [64, 64].</summary>
    public ModelSpec Model { get; init; } = new();

    /// <summary>Epochs (&gt; 0). Default 70.</summary>
    public int Epochs { get; init; } = Defaults.Simulation.Epochs;

    /// <summary>Initial learning rate (finite, &gt; 0). Default 1e-3.</summary>
    public double LearningRate { get; init; } = Defaults.Simulation.LearningRate;

    /// <summary>The rate is multiplied by 0.1 every this many epochs (staircase, floor 1e-6); 0 keeps it constant.
    /// Default 20.</summary>
    public int DecayEveryEpochs { get; init; } = Defaults.Simulation.DecayEveryEpochs;

    /// <summary>Truncated-BPTT segment length (&gt; 0), state carried between segments. Default 256.</summary>
    public int SegmentLength { get; init; } = Defaults.Simulation.SegmentLength;

    /// <summary>Element-wise gradient clip (finite, &gt; 0). Default 10.</summary>
    public double ClipValue { get; init; } = Defaults.Model.ClipValue;

    /// <summary>Samples discarded at the start of each simulated sequence when scoring (≥ 0). Default 100.</summary>
    public int Washout { get; init; } = Defaults.Simulation.Washout;

    /// <summary>Standardise inputs and outputs with the training data's mean and std (default true). Set false when
    /// the data is already standardised.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Seed of the initialisation. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of the end of every sequence held out to validate, in [0, 0.5): each epoch the model is
    /// simulated over the whole sequences from a zero state and scored on that tail; early stopping keeps the best
    /// epoch's weights. Default 0 (the paper's protocol: train on everything, keep the last weights).</summary>
    public double ValidationFraction { get; init; }

    /// <summary>Epochs without a lower validation loss before training stops (with <see cref="ValidationFraction"/>
    /// &gt; 0), at least 1. Default 10.</summary>
    public int EarlyStoppingPatience { get; init; } = Defaults.Simulation.EarlyStoppingPatience;

    /// <summary>A limit on the training time: no epoch starts after it. Null (default) for none.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Where training runs: null (default) for the managed engine, or another backend such as the TorchSharp
    /// package's. The trained model is the engine's either way.</summary>
    public ITrainingBackend? Backend { get; init; }

    /// <summary>Threads (null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>The training length in optimiser steps (segments), at least 1, rounded up to whole epochs; when set it
    /// replaces <see cref="Epochs"/>. Default null: <see cref="Epochs"/> decides.</summary>
    public long? Steps { get; init; }

    /// <summary>The learning-rate schedule. Default <see cref="SimulationSchedule.Staircase"/> (the paper's: ×0.1
    /// every <see cref="DecayEveryEpochs"/> epochs).</summary>
    public SimulationSchedule Schedule { get; init; } = SimulationSchedule.Staircase;

    /// <summary>Parameters to start from (a warm start), of the model's parameter count; null (default) for the
    /// seeded initialisation.</summary>
    public double[]? InitialParameters { get; init; }

    /// <summary>How the model is trained. Default <see cref="SimulationTraining.TruncatedBptt"/>.</summary>
    public SimulationTraining Training { get; init; } = SimulationTraining.TruncatedBptt;

    /// <summary>The initial-state encoder: null (default) for none, every record starting from the zero state. Its
    /// window, hidden widths, subsequence length and subsequences per step shape the encoder; with
    /// <see cref="SimulationTraining.Subsequences"/> (which needs one) the model trains with it under this object's
    /// steps, learning rate, clip, validation, time budget, seed and threads. With
    /// <see cref="SimulationTraining.TruncatedBptt"/> it is fitted afterwards to the trained model (held fixed) for
    /// its own <see cref="SubsequenceOptions.Steps"/> at its own learning rate, within what is left of
    /// <see cref="TimeBudget"/>; with validation data it is kept only when the held-out tails simulated from its
    /// estimate score better than from the zero state.</summary>
    public SubsequenceOptions? Encoder { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegative(DecayEveryEpochs, nameof(DecayEveryEpochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SegmentLength, nameof(SegmentLength));
        ArgumentOutOfRangeException.ThrowIfNegative(Washout, nameof(Washout));
        Validation.ThrowIfNotPositive(LearningRate, nameof(LearningRate));
        Validation.ThrowIfNotPositive(ClipValue, nameof(ClipValue));
        Validation.CheckThreads(Threads);
        Validation.ThrowIfNotFraction(ValidationFraction, 0.5, nameof(ValidationFraction));
        ArgumentOutOfRangeException.ThrowIfLessThan(EarlyStoppingPatience, 1, nameof(EarlyStoppingPatience));
        if (TimeBudget is { } b && b <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), b, "TimeBudget must be positive.");
        if (Steps is long n && n < 1)
            throw new ArgumentOutOfRangeException(nameof(Steps), n, "Steps must be at least 1.");
        if (!Enum.IsDefined(Schedule))
            throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "Unknown schedule.");
        if (!Enum.IsDefined(Training))
            throw new ArgumentOutOfRangeException(nameof(Training), Training, "Unknown training method.");
        if (Training == SimulationTraining.Subsequences && Encoder is null)
            throw new ArgumentException("Subsequence training needs an encoder: set Encoder.", nameof(Encoder));
        Encoder?.Validate();
    }
}
