using System.Runtime.CompilerServices;

namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>
/// Settings of <see cref="Trainer.Fit"/>. Each property checks its own range when set (throwing
/// <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentNullException"/> naming the property);
/// <see cref="Validate"/> checks the rules that involve several properties. The defaults follow the paper's F16
/// protocol (MODELS.md §4.1) except for the learning-rate schedule, which needs the number of steps per epoch
/// (see <see cref="ExponentialDecaySchedule.ForF16Protocol"/>).
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Number of passes over the training data, at least 1. Default 70.</summary>
    public int Epochs
    {
        get;
        init => field = Checked(value, value >= 1, "Epochs must be at least 1.");
    } = 70;

    /// <summary>
    /// Nominal truncated-BPTT segment length, at least 1. Default 256. The time axis is cut into
    /// <c>max(1, T / SegmentLength)</c> near-equal segments (numpy.array_split semantics); each is one optimiser step.
    /// </summary>
    public int SegmentLength
    {
        get;
        init => field = Checked(value, value >= 1, "SegmentLength must be at least 1.");
    } = 256;

    /// <summary>
    /// Whether the model's final state of one segment is the initial state of the next within an epoch (truncated
    /// BPTT). The state is zero at the start of every epoch, and at every segment when false. Default true.
    /// May not be combined with <see cref="ShuffleSegments"/>.
    /// </summary>
    public bool CarryState { get; init; } = true;

    /// <summary>
    /// Whether the segment order is shuffled each epoch with a generator seeded by <see cref="Seed"/>. Default false
    /// (segments visited in time order, as in the paper). Requires <see cref="CarryState"/> = false, since a carried
    /// state would otherwise come from a segment that is not the preceding one in time.
    /// </summary>
    public bool ShuffleSegments { get; init; }

    /// <summary>Seed of the shuffling generator, any int. Default 0. Used only when <see cref="ShuffleSegments"/> is
    /// true.</summary>
    public int Seed { get; init; }

    /// <summary>Learning rate as a function of the 0-based optimiser step; not null. Default a constant 1e-3.</summary>
    public ILearningRateSchedule Schedule
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Schedule));
    } = new ConstantSchedule(1e-3);

    /// <summary>
    /// Optional reduce-on-plateau rule, or null (default) for none. It is reset at the start of a fit, fed the mean
    /// training loss after each epoch, and its scale multiplies <see cref="Schedule"/>'s rate from the next epoch on.
    /// </summary>
    public ReduceOnPlateau? Plateau { get; init; }

    /// <summary>Gradient clipping rule. Default <see cref="ClipMode.ElementWise"/> (<c>optax.clip</c>, the paper's
    /// choice).</summary>
    public ClipMode ClipMode
    {
        get;
        init => field = Checked(value, Enum.IsDefined(value), "Unknown clip mode.");
    } = ClipMode.ElementWise;

    /// <summary>Clip value c: the element bound or the largest global norm; finite and &gt; 0. Default 10.</summary>
    public double ClipValue
    {
        get;
        init => field = Checked(value, value > 0 && double.IsFinite(value), "ClipValue must be finite and > 0.");
    } = 10;

    /// <summary>Adam β₁, in [0, 1). Default 0.9.</summary>
    public double Beta1
    {
        get;
        init => field = Checked(value, value >= 0 && value < 1, "Beta1 must lie in [0, 1).");
    } = 0.9;

    /// <summary>Adam β₂, in [0, 1). Default 0.999.</summary>
    public double Beta2
    {
        get;
        init => field = Checked(value, value >= 0 && value < 1, "Beta2 must lie in [0, 1).");
    } = 0.999;

    /// <summary>Adam ε, finite and &gt; 0. Default 1e-8.</summary>
    public double Epsilon
    {
        get;
        init => field = Checked(value, value > 0 && double.IsFinite(value), "Epsilon must be finite and > 0.");
    } = 1e-8;

    /// <summary>The training and validation loss; not null. Default <see cref="SumSquaredErrorMeanOverTime"/> (the
    /// paper's F16 loss).</summary>
    public ISequenceLoss Loss
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(Loss));
    } = new SumSquaredErrorMeanOverTime();

    /// <summary>
    /// Optional validation data, or null (default). Each validation sequence is simulated from a zero state over its
    /// whole length; the first <see cref="ValidationWashout"/> steps are discarded before the loss and NRMSE are
    /// computed. Its input and output sizes must match the model's.
    /// </summary>
    public SequenceDataset? ValidationData { get; init; }

    /// <summary>Leading validation time steps discarded, at least 0 and less than the validation length. Default
    /// 100.</summary>
    public int ValidationWashout
    {
        get;
        init => field = Checked(value, value >= 0, "ValidationWashout must be at least 0.");
    } = 100;

    /// <summary>Validate after every this many epochs (and always after the last epoch), at least 1. Default
    /// 1.</summary>
    public int ValidateEvery
    {
        get;
        init => field = Checked(value, value >= 1, "ValidateEvery must be at least 1.");
    } = 1;

    /// <summary>
    /// Stop after this many consecutive evaluations of the monitored loss without improvement, at least 1; null
    /// (default) turns early stopping off. The monitored loss is the validation loss when <see cref="ValidationData"/>
    /// is given (evaluated every <see cref="ValidateEvery"/> epochs), otherwise the epoch's mean training loss.
    /// </summary>
    public int? EarlyStoppingPatience
    {
        get;
        init => field = Checked(value, value is null or >= 1, "EarlyStoppingPatience must be at least 1 or null.");
    }

    /// <summary>
    /// Whether the parameters with the lowest monitored loss are copied back into the model when training ends
    /// (also on cancellation). Null (default) means true when <see cref="ValidationData"/> is given, false otherwise.
    /// </summary>
    public bool? RestoreBestWeights { get; init; }

    /// <summary>A limit on the wall time of <see cref="Trainer.Fit"/>: no epoch starts after it has passed (the epoch
    /// running then completes). Null (default) for none; otherwise positive.</summary>
    public TimeSpan? TimeBudget
    {
        get;
        init => field = Checked(value, value is null || value > TimeSpan.Zero, "TimeBudget must be positive.");
    }

    /// <summary>Number of threads assigned to <see cref="ISequenceModel.Threads"/> before training, at least 1; null
    /// (default) leaves the model's setting.</summary>
    public int? Threads
    {
        get;
        init => field = Checked(value, value is null or >= 1, "Threads must be at least 1 or null.");
    }

    /// <summary>The effective value of <see cref="RestoreBestWeights"/>.</summary>
    public bool ShouldRestoreBestWeights => RestoreBestWeights ?? ValidationData is not null;

    /// <summary>Checks the rules that involve several properties.</summary>
    /// <exception cref="ArgumentException">
    /// <see cref="ShuffleSegments"/> and <see cref="CarryState"/> are both true, or <see cref="ValidationWashout"/> is
    /// not less than the validation data's length.
    /// </exception>
    public void Validate()
    {
        if (ShuffleSegments && CarryState)
            throw new ArgumentException(
                "ShuffleSegments requires CarryState = false: a carried state would come from a segment that does " +
                "not precede the next one in time.",
                nameof(ShuffleSegments));
        if (ValidationData is { } v && ValidationWashout >= v.TimeSteps)
            throw new ArgumentException(
                $"ValidationWashout ({ValidationWashout}) must be less than the validation length " +
                $"({v.TimeSteps} steps).",
                nameof(ValidationWashout));
    }

    // A property's value if valid, else the ArgumentOutOfRangeException that names the property.
    private static T Checked<T>(T value, bool valid, string message, [CallerMemberName] string property = "") =>
        valid ? value : throw new ArgumentOutOfRangeException(property, value, message);
}
