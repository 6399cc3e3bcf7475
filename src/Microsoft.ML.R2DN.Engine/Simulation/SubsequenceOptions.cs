namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>Settings of subsequence training with an initial-state encoder
/// (<see cref="SubsequenceTrainer"/>).</summary>
public sealed record SubsequenceOptions
{
    /// <summary>The encoder's window n: past steps of inputs and outputs it reads, in [1, 10000]. Default 5.</summary>
    public int EncoderWindow { get; init; } = Defaults.Simulation.EncoderWindow;

    /// <summary>The widths of the encoder's hidden tanh layers, each in [1, 4096]. Default [64].</summary>
    public int[] EncoderHiddenSizes { get; init; } = [Defaults.Simulation.EncoderHidden];

    /// <summary>The length T of each subsequence the model is simulated over from its encoded state, in
    /// [1, 100000]. Default 80.</summary>
    public int SubsequenceLength { get; init; } = Defaults.Simulation.SubsequenceLength;

    /// <summary>The number K of subsequences of one optimiser step (the batch), in [1, 100000]. Default 32.</summary>
    public int SubsequencesPerStep { get; init; } = Defaults.Simulation.SubsequencesPerStep;

    /// <summary>Optimiser steps, at least 1. Default 10,000.</summary>
    public long Steps { get; init; } = 10_000;

    /// <summary>The initial Adam learning rate, finite and &gt; 0; it follows a half cosine to 1 % of itself over
    /// <see cref="Steps"/> (by steps only, so that a run repeats bit for bit). Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The element-wise gradient clip, finite and &gt; 0. Default 10.</summary>
    public double ClipValue { get; init; } = 10;

    /// <summary>The fraction at the end of every sequence held out to validate, in [0, 0.5): the tail is simulated
    /// from the encoder's estimate on the window just before it, and the best validated weights are kept. Default 0
    /// (no validation: the last weights are kept).</summary>
    public double ValidationFraction { get; init; }

    /// <summary>Optimiser steps between validations (and progress reports), at least 1. Default 250.</summary>
    public int ValidateEvery { get; init; } = 250;

    /// <summary>A limit on the training time: no step starts after it (the schedule does not shorten with it).
    /// Null (default) for none.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Seed of the encoder's initialisation and of the choice of subsequences. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Threads (null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Whether the model is trained with the encoder (the default) or held fixed while only the encoder
    /// learns to start it (for a model trained otherwise, from the zero state).</summary>
    public bool TrainModel { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Range(EncoderWindow, 1, 10_000, nameof(EncoderWindow));
        if (EncoderHiddenSizes is null || EncoderHiddenSizes.Any(h => h is < 1 or > 4096))
            throw new ArgumentOutOfRangeException(nameof(EncoderHiddenSizes),
                                                  "Every encoder width must be in [1, 4096].");
        Range(SubsequenceLength, 1, 100_000, nameof(SubsequenceLength));
        Range(SubsequencesPerStep, 1, 100_000, nameof(SubsequencesPerStep));
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be at least 1.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate,
                                                  "LearningRate must be finite and > 0.");
        if (!(ClipValue > 0) || !double.IsFinite(ClipValue))
            throw new ArgumentOutOfRangeException(nameof(ClipValue), ClipValue, "ClipValue must be finite and > 0.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction,
                                                  "ValidationFraction must be in [0, 0.5).");
        Range(ValidateEvery, 1, int.MaxValue, nameof(ValidateEvery));
        if (TimeBudget is { } b && b <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), b, "TimeBudget must be positive.");
        if (Threads is int t && t < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), t, "Threads must be at least 1.");
    }

    private static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [{min}, {max}].");
    }
}
