using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>One input/output sequence for simulation (system identification): u [Length, InputCount], y [Length, OutputCount].</summary>
public sealed class SequenceData
{
    /// <summary>Creates a sequence; <paramref name="outputs"/> may be empty when only simulating.</summary>
    public SequenceData(float[] inputs, int inputCount, float[] outputs, int outputCount, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputCount);
        if (inputs.Length % inputCount != 0) throw new ArgumentException($"inputs has {inputs.Length} values, not a multiple of {inputCount}.", nameof(inputs));
        Length = inputs.Length / inputCount;
        if (outputs.Length != 0 && outputs.Length != Length * outputCount)
            throw new ArgumentException($"outputs must have {Length * outputCount} values ({Length} steps × {outputCount}), got {outputs.Length}.", nameof(outputs));
        Validation.ThrowIfNotFinite(inputs, nameof(inputs), inputCount);
        Validation.ThrowIfNotFinite(outputs, nameof(outputs), outputCount);
        Inputs = inputs; InputCount = inputCount; Outputs = outputs; OutputCount = outputCount; Name = name ?? "sequence";
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

/// <summary>Settings of <see cref="Simulator.Train"/>; the defaults are the paper's F16 protocol (MODELS.md 4.1).</summary>
public sealed record SimulatorOptions
{
    /// <summary>The model. Default: a contracting R2DN with nx 32, nv 32, hidden [64, 64].</summary>
    public ModelSpec Model { get; init; } = new();

    /// <summary>Epochs (&gt; 0). Default 70.</summary>
    public int Epochs { get; init; } = 70;

    /// <summary>Initial learning rate (finite, &gt; 0). Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The rate is multiplied by 0.1 every this many epochs (staircase, floor 1e-6); 0 keeps it constant. Default 20.</summary>
    public int DecayEveryEpochs { get; init; } = 20;

    /// <summary>Truncated-BPTT segment length (&gt; 0), state carried between segments. Default 256.</summary>
    public int SegmentLength { get; init; } = 256;

    /// <summary>Element-wise gradient clip (finite, &gt; 0). Default 10.</summary>
    public double ClipValue { get; init; } = 10;

    /// <summary>Samples discarded at the start of each simulated sequence when scoring (≥ 0). Default 100.</summary>
    public int Washout { get; init; } = 100;

    /// <summary>Standardise inputs and outputs with the training data's mean and std (default true). Set false when the data is already standardised.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Seed of the initialisation. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Fraction of the end of every sequence held out to validate, in [0, 0.5): each epoch the model is
    /// simulated over the whole sequences from a zero state and scored on that tail; early stopping keeps the best
    /// epoch's weights. Default 0 (the paper's protocol: train on everything, keep the last weights).</summary>
    public double ValidationFraction { get; init; }

    /// <summary>Epochs without a lower validation loss before training stops (with <see cref="ValidationFraction"/>
    /// &gt; 0), at least 1. Default 10.</summary>
    public int EarlyStoppingPatience { get; init; } = 10;

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

    /// <summary>The learning-rate schedule. Default <see cref="SimulationSchedule.Staircase"/> (the paper's: ×0.1 every
    /// <see cref="DecayEveryEpochs"/> epochs).</summary>
    public SimulationSchedule Schedule { get; init; } = SimulationSchedule.Staircase;

    /// <summary>Parameters to start from (a warm start), of the model's parameter count; null (default) for the
    /// seeded initialisation.</summary>
    public double[]? InitialParameters { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegative(DecayEveryEpochs, nameof(DecayEveryEpochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SegmentLength, nameof(SegmentLength));
        ArgumentOutOfRangeException.ThrowIfNegative(Washout, nameof(Washout));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be finite and greater than 0.");
        if (!(ClipValue > 0) || !double.IsFinite(ClipValue)) throw new ArgumentOutOfRangeException(nameof(ClipValue), ClipValue, "ClipValue must be finite and greater than 0.");
        if (Threads is int t && t < 1) throw new ArgumentOutOfRangeException(nameof(Threads), t, "Threads must be at least 1.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 0.5)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 0.5).");
        ArgumentOutOfRangeException.ThrowIfLessThan(EarlyStoppingPatience, 1, nameof(EarlyStoppingPatience));
        if (TimeBudget is { } b && b <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeBudget), b, "TimeBudget must be positive.");
        if (Steps is long n && n < 1) throw new ArgumentOutOfRangeException(nameof(Steps), n, "Steps must be at least 1.");
        if (!Enum.IsDefined(Schedule)) throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "Unknown schedule.");
    }
}

/// <summary>The learning-rate schedules of <see cref="SimulatorOptions.Schedule"/>.</summary>
public enum SimulationSchedule
{
    /// <summary>The paper's: the rate is multiplied by 0.1 every <see cref="SimulatorOptions.DecayEveryEpochs"/> epochs
    /// (floor 1e-6); constant when that is 0.</summary>
    Staircase,

    /// <summary>A half cosine from the learning rate down to 1% of it over the run, where the run's progress is the larger
    /// of the steps taken over the planned steps and the time spent over <see cref="SimulatorOptions.TimeBudget"/>: the
    /// rate reaches its floor when training ends, whichever of the two ends it.</summary>
    Cosine,
}

/// <summary>The <see cref="SimulationSchedule.Cosine"/> schedule: progress by steps or by time, whichever is further.</summary>
internal sealed class BudgetedCosineSchedule(double initial, long plannedSteps, TimeSpan? budget, double floorFraction = 0.01) : ILearningRateSchedule
{
    private long _start;

    public double GetLearningRate(long step)
    {
        if (_start == 0) _start = System.Diagnostics.Stopwatch.GetTimestamp();
        double progress = (double)Math.Max(step, 0) / plannedSteps;
        if (budget is { } b) progress = Math.Max(progress, System.Diagnostics.Stopwatch.GetElapsedTime(_start).TotalSeconds / b.TotalSeconds);
        progress = Math.Clamp(progress, 0, 1);
        return initial * (floorFraction + (1 - floorFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    public override string ToString() => $"BudgetedCosine(init={initial:R}, steps={plannedSteps}, budget={budget}, floor={floorFraction:R})";
}

/// <summary>
/// Simulation / system identification (API.md 3.2): the model maps u_0..u_t to y_t over whole sequences from a zero
/// state. Several sequences train as one batch (cut to the shortest); training is truncated BPTT on segments with the
/// state carried, with the paper's loss (squared error summed over batch and channels, averaged over time).
/// </summary>
/// <remarks>Immutable after training; simulation calls are serialised internally, so an instance may be shared.</remarks>
public sealed class Simulator
{
    private readonly object _modelLock = new();

    private Simulator(RecurrentModel model, Standardizer inputs, Standardizer outputs, TrainingResult? training)
    {
        Model = model; InputScaling = inputs; OutputScaling = outputs; Training = training;
    }

    /// <summary>The trained model (standardised units).</summary>
    public RecurrentModel Model { get; }
    /// <summary>Input standardisation (identity when training did not standardise).</summary>
    public Standardizer InputScaling { get; }
    /// <summary>Output standardisation.</summary>
    public Standardizer OutputScaling { get; }
    /// <summary>The training record (null for a loaded simulator).</summary>
    public TrainingResult? Training { get; }

    /// <summary>Rebuilds a simulator from its parts (model files).</summary>
    public static Simulator FromParts(RecurrentModel model, Standardizer inputs, Standardizer outputs) => new(model, inputs, outputs, null);

    /// <summary>Trains on one or more sequences.</summary>
    /// <exception cref="ArgumentException">No sequences, inconsistent widths, missing outputs, or sequences too short for one segment.</exception>
    /// <param name="sequences">The sequences; not empty.</param>
    /// <param name="options">The settings; checked with <see cref="SimulatorOptions.Validate"/>.</param>
    /// <param name="progress">Receives every epoch, synchronously on the training thread; null (default) for
    /// none.</param>
    /// <param name="cancellationToken">Stops training.</param>
    public static Simulator Train(IReadOnlyList<SequenceData> sequences, SimulatorOptions options,
                                  IProgress<EpochReport>? progress = null,
                                  CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (sequences.Count == 0) throw new ArgumentException("There is no sequence to train on.", nameof(sequences));
        int nu = sequences[0].InputCount, ny = sequences[0].OutputCount;
        foreach (var s in sequences)
        {
            if (s.InputCount != nu || s.OutputCount != ny)
                throw new ArgumentException($"Sequence '{s.Name}' has {s.InputCount} inputs and {s.OutputCount} outputs; the first has {nu} and {ny}.", nameof(sequences));
            if (s.Outputs.Length == 0) throw new ArgumentException($"Sequence '{s.Name}' has no outputs to train on.", nameof(sequences));
            if (s.Length < 2) throw new ArgumentException($"Sequence '{s.Name}' has {s.Length} rows; training needs at least 2.", nameof(sequences));
        }
        int length = sequences.Min(s => s.Length), batch = sequences.Count;
        var inScale = options.Standardize ? Standardizer.Fit(sequences.Select(s => s.Inputs), nu) : Identity(nu);
        var outScale = options.Standardize ? Standardizer.Fit(sequences.Select(s => s.Outputs), ny) : Identity(ny);
        var u = new float[length * batch * nu];
        var y = new float[length * batch * ny];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < length; t++)
            {
                for (int i = 0; i < nu; i++) u[(t * batch + b) * nu + i] = inScale.Forward(sequences[b].Inputs[t * nu + i], i);
                for (int i = 0; i < ny; i++) y[(t * batch + b) * ny + i] = outScale.Forward(sequences[b].Outputs[t * ny + i], i);
            }
        var model = options.Model.Create(nu, ny, options.Seed);
        if (options.InitialParameters is { } initial)
        {
            if (initial.Length != model.Parameters.Length)
                throw new ArgumentException($"InitialParameters has {initial.Length} values; the model has {model.Parameters.Length}.", nameof(options));
            initial.CopyTo(model.Parameters, 0);
        }
        if (options.Threads is int threads) model.Threads = threads;
        // With validation, training sees the first part of every sequence; validation simulates the whole of it from a
        // zero state and scores the held-out tail (the washout is the training part).
        int validation = options.ValidationFraction > 0 ? Math.Max(1, (int)(length * options.ValidationFraction)) : 0;
        int trainLength = length - validation;
        if (trainLength < 2) throw new ArgumentException($"The sequences are too short: {trainLength} rows remain for training after the validation tail.", nameof(sequences));
        var validationData = validation > 0 ? new SequenceDataset(u, y, length, batch, nu, ny) : null;
        var data = validation > 0
            ? new SequenceDataset(u[..(trainLength * batch * nu)], y[..(trainLength * batch * ny)], trainLength, batch, nu, ny)
            : new SequenceDataset(u, y, length, batch, nu, ny);
        int stepsPerEpoch = data.Split(options.SegmentLength).Length;
        int epochs = options.Steps is long steps ? (int)Math.Min(int.MaxValue, (steps + stepsPerEpoch - 1) / stepsPerEpoch) : options.Epochs;
        ILearningRateSchedule schedule = options.Schedule == SimulationSchedule.Cosine
            ? new BudgetedCosineSchedule(options.LearningRate, (long)epochs * stepsPerEpoch, options.TimeBudget)
            : options.DecayEveryEpochs == 0
            ? new ConstantSchedule(options.LearningRate)
            : new ExponentialDecaySchedule(options.LearningRate, (long)options.DecayEveryEpochs * stepsPerEpoch, 0.1, staircase: true, endValue: 1e-6);
        var trainer = new Trainer();
        var result = TrainingBackends.Fit(model, options.Backend, trainable => trainer.Fit(trainable, data, new TrainerOptions
        {
            Epochs = epochs,
            SegmentLength = options.SegmentLength,
            Seed = options.Seed,
            Schedule = schedule,
            ClipValue = options.ClipValue,
            Loss = new SumSquaredErrorMeanOverTime(),
            RestoreBestWeights = validationData is not null,
            Threads = options.Threads,
            ValidationData = validationData,
            ValidationWashout = validationData is null ? 100 : trainLength,
            EarlyStoppingPatience = validationData is null ? null : options.EarlyStoppingPatience,
            TimeBudget = options.TimeBudget,
        }, progress, cancellationToken));
        return new Simulator(model, inScale, outScale, result);
    }

    private static Standardizer Identity(int n) => new(new double[n], Enumerable.Repeat(1.0, n).ToArray());

    /// <summary>Simulates y for a sequence's inputs from a zero state, in data units: [Length, OutputCount].</summary>
    public float[] Simulate(SequenceData sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int nu = Model.InputSize, ny = Model.OutputSize;
        if (sequence.InputCount != nu) throw new ArgumentException($"The sequence has {sequence.InputCount} inputs; the model expects {nu}.", nameof(sequence));
        int T = sequence.Length;
        var u = new float[T * nu];
        for (int t = 0; t < T; t++) for (int i = 0; i < nu; i++) u[t * nu + i] = InputScaling.Forward(sequence.Inputs[t * nu + i], i);
        var y = new float[T * ny];
        lock (_modelLock) Model.Simulate(new float[Model.StateSize], u, T, 1, y, new float[Model.StateSize]);
        for (int t = 0; t < T; t++) for (int i = 0; i < ny; i++) y[t * ny + i] = (float)OutputScaling.Inverse(y[t * ny + i], i);
        return y;
    }

    /// <summary>NRMSE = sqrt(Σ(y − ŷ)² / Σy²) pooled over sequences, steps after the washout and channels (MODELS.md 4.1), in the units the model was trained in.</summary>
    public double Nrmse(IReadOnlyList<SequenceData> sequences, int washout)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegative(washout);
        double num = 0, den = 0;
        int ny = Model.OutputSize;
        foreach (var s in sequences)
        {
            if (s.Outputs.Length == 0) throw new ArgumentException($"Sequence '{s.Name}' has no outputs to score.", nameof(sequences));
            var yHat = Simulate(s);
            for (int k = washout * ny; k < yHat.Length; k++)
            {
                int c = k % ny;
                double truth = OutputScaling.Forward(s.Outputs[k], c), d = truth - OutputScaling.Forward(yHat[k], c);
                num += d * d; den += truth * truth;
            }
        }
        return den > 0 ? Math.Sqrt(num / den) : double.NaN;
    }
}
