namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>Settings of <see cref="Simulator.Train"/>; the defaults are the paper's F16 protocol (MODELS.md 4.1),
/// from <see cref="Defaults.Simulation"/>.</summary>
public sealed record SimulatorOptions : ModelTrainingOptions
{
    /// <summary>Creates the options with the simulation defaults (the paper's F16 protocol).</summary>
    public SimulatorOptions()
        : base(Defaults.Simulation.Epochs, Defaults.Simulation.LearningRate, Defaults.Simulation.SegmentLength,
               Defaults.Simulation.EarlyStoppingPatience)
    {
    }

    /// <summary>The rate is multiplied by 0.1 every this many epochs (staircase, floor 1e-6); 0 keeps it constant.
    /// Default 20.</summary>
    public int DecayEveryEpochs { get; init; } = Defaults.Simulation.DecayEveryEpochs;

    /// <summary>Samples discarded at the start of each simulated sequence when scoring (≥ 0). Default 100.</summary>
    public int Washout { get; init; } = Defaults.Simulation.Washout;

    /// <summary>Standardise inputs and outputs with the training data's mean and std (default true). Set false when
    /// the data is already standardised.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>The training length in optimiser steps (segments), at least 1, rounded up to whole epochs; when set it
    /// replaces <see cref="ModelTrainingOptions.Epochs"/>. Default null: <see cref="ModelTrainingOptions.Epochs"/>
    /// decides.</summary>
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
    /// <see cref="ModelTrainingOptions.TimeBudget"/>; with validation data it is kept only when the held-out tails
    /// simulated from its estimate score better than from the zero state.</summary>
    public SubsequenceOptions? Encoder { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ValidateTraining();
        ArgumentOutOfRangeException.ThrowIfNegative(DecayEveryEpochs, nameof(DecayEveryEpochs));
        ArgumentOutOfRangeException.ThrowIfNegative(Washout, nameof(Washout));
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
