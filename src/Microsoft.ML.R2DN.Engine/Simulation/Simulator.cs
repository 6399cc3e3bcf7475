namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>
/// Simulation / system identification (API.md 3.2): the model maps u_0..u_t to y_t over whole sequences from a zero
/// state. Several sequences train as one batch (cut to the shortest); training is truncated BPTT on segments with the
/// state carried, with the paper's loss (squared error summed over batch and channels, averaged over time).
/// </summary>
/// <remarks>Immutable after training; simulation calls are serialised internally, so an instance may be shared.
/// </remarks>
public sealed partial class Simulator
{
    private readonly object _modelLock = new();

    private Simulator(RecurrentModel model, Standardizer inputs, Standardizer outputs, TrainingResult? training)
    {
        (Model, InputScaling, OutputScaling, Training) = (model, inputs, outputs, training);
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
    public static Simulator FromParts(RecurrentModel model, Standardizer inputs, Standardizer outputs) =>
        new(model, inputs, outputs, null);

    /// <summary>Trains on one or more sequences.</summary>
    /// <param name="sequences">The sequences, with outputs, of equal widths; each at least 2 steps long.</param>
    /// <param name="options">The settings (validated).</param>
    /// <param name="progress">Receives every epoch, synchronously on the training thread; null (default) for
    /// none.</param>
    /// <param name="cancellationToken">Stops training with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ArgumentException">No sequences, inconsistent widths, missing outputs, or sequences too short
    /// for one segment.</exception>
    public static Simulator Train(IReadOnlyList<SequenceData> sequences, SimulatorOptions options,
                                  IProgress<EpochReport>? progress = null,
                                  CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckSequences(sequences);
        int nu = sequences[0].InputCount, ny = sequences[0].OutputCount;
        var inScale = options.Standardize ? Standardizer.Fit(sequences.Select(s => s.Inputs), nu) : Identity(nu);
        var outScale = options.Standardize ? Standardizer.Fit(sequences.Select(s => s.Outputs), ny) : Identity(ny);
        if (options.Training == SimulationTraining.Subsequences)
            return TrainOnSubsequences(sequences, options, inScale, outScale, progress, cancellationToken);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var all = TimeMajor(sequences, inScale, outScale);
        var model = CreateModel(options, nu, ny);
        // With validation, training sees the first part of every sequence; validation simulates the whole of it from
        // a zero state and scores the held-out tail (the washout is the training part).
        int length = all.TimeSteps;
        int validation = options.ValidationFraction > 0 ? Math.Max(1, (int)(length * options.ValidationFraction)) : 0;
        int trainLength = length - validation;
        if (trainLength < 2)
            throw new ArgumentException(
                $"The sequences are too short: {trainLength} rows remain for training after the validation tail.",
                nameof(sequences));
        var data = validation > 0 ? all.Head(trainLength) : all;
        var trainer = new Trainer();
        var trainerOptions = TrainerOptions(options, data, validation > 0 ? all : null, trainLength);
        var result = TrainingBackends.Fit(model, options.Backend,
            trainable => trainer.Fit(trainable, data, trainerOptions, progress, cancellationToken));
        var simulator = new Simulator(model, inScale, outScale, result);
        if (options.Encoder is null) return simulator;
        var left = options.TimeBudget is { } budget ? budget - clock.Elapsed : (TimeSpan?)null;
        return left is { } l && l <= TimeSpan.Zero
            ? simulator
            : simulator.FitEncoder(sequences, options with { TimeBudget = left }, false, cancellationToken);
    }

    private static void CheckSequences(IReadOnlyList<SequenceData> sequences)
    {
        if (sequences.Count == 0) throw new ArgumentException("There is no sequence to train on.", nameof(sequences));
        int nu = sequences[0].InputCount, ny = sequences[0].OutputCount;
        foreach (var s in sequences)
        {
            if (s.InputCount != nu || s.OutputCount != ny)
                throw new ArgumentException(
                    $"Sequence '{s.Name}' has {s.InputCount} inputs and {s.OutputCount} outputs; the first has {nu} " +
                    $"and {ny}.", nameof(sequences));
            if (s.Outputs.Length == 0)
                throw new ArgumentException($"Sequence '{s.Name}' has no outputs to train on.", nameof(sequences));
            if (s.Length < 2)
                throw new ArgumentException($"Sequence '{s.Name}' has {s.Length} rows; training needs at least 2.",
                                            nameof(sequences));
        }
    }

    // The standardised sequences as one time-major batch, cut to the shortest.
    private static SequenceDataset TimeMajor(IReadOnlyList<SequenceData> sequences, Standardizer inScale,
                                             Standardizer outScale)
    {
        int nu = inScale.Columns, ny = outScale.Columns;
        int length = sequences.Min(s => s.Length), batch = sequences.Count;
        var u = new float[length * batch * nu];
        var y = new float[length * batch * ny];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < length; t++)
            {
                var s = sequences[b];
                for (int i = 0; i < nu; i++) u[(t * batch + b) * nu + i] = inScale.Forward(s.Inputs[t * nu + i], i);
                for (int i = 0; i < ny; i++) y[(t * batch + b) * ny + i] = outScale.Forward(s.Outputs[t * ny + i], i);
            }
        return new SequenceDataset(u, y, length, batch, nu, ny);
    }

    private static RecurrentModel CreateModel(SimulatorOptions options, int nu, int ny)
    {
        var model = options.Model.Create(nu, ny, options.Seed);
        if (options.InitialParameters is { } initial)
        {
            if (initial.Length != model.Parameters.Length)
                throw new ArgumentException(
                    $"InitialParameters has {initial.Length} values; the model has {model.Parameters.Length}.",
                    nameof(options));
            initial.CopyTo(model.Parameters, 0);
        }
        if (options.Threads is int threads) model.Threads = threads;
        return model;
    }

    private static TrainerOptions TrainerOptions(SimulatorOptions options, SequenceDataset data,
                                                 SequenceDataset? validation, int trainLength)
    {
        int stepsPerEpoch = data.Split(options.SegmentLength).Length;
        int epochs = options.Steps is long steps
            ? (int)Math.Min(int.MaxValue, (steps + stepsPerEpoch - 1) / stepsPerEpoch)
            : options.Epochs;
        return new TrainerOptions
        {
            Epochs = epochs,
            SegmentLength = options.SegmentLength,
            Seed = options.Seed,
            Schedule = Schedule(options, (long)epochs * stepsPerEpoch, stepsPerEpoch),
            ClipValue = options.ClipValue,
            Loss = new SumSquaredErrorMeanOverTime(),
            RestoreBestWeights = validation is not null,
            Threads = options.Threads,
            ValidationData = validation,
            ValidationWashout = validation is null ? 0 : trainLength,
            EarlyStoppingPatience = validation is null ? null : options.EarlyStoppingPatience,
            TimeBudget = options.TimeBudget,
        };
    }

    private static ILearningRateSchedule Schedule(SimulatorOptions options, long plannedSteps, int stepsPerEpoch) =>
        options.Schedule == SimulationSchedule.Cosine
            ? new BudgetedCosineSchedule(options.LearningRate, plannedSteps, options.TimeBudget)
            : options.DecayEveryEpochs == 0
            ? new ConstantSchedule(options.LearningRate)
            : new ExponentialDecaySchedule(options.LearningRate, (long)options.DecayEveryEpochs * stepsPerEpoch, 0.1,
                                           staircase: true, endValue: 1e-6);

    private static Standardizer Identity(int n) => new(new double[n], Enumerable.Repeat(1.0, n).ToArray());

    /// <summary>Simulates y for a sequence's inputs, in data units: [Length, OutputCount]. From the zero state; or,
    /// when the simulator has an <see cref="Encoder"/> and the sequence has finite measured outputs in its first
    /// <see cref="StateEncoder.Window"/> rows (and more rows after them), those rows are simulated from the zero state
    /// and the rest from the state the encoder estimates from them.</summary>
    /// <exception cref="ArgumentException">The sequence's input or output count is not the model's.</exception>
    public float[] Simulate(SequenceData sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int nu = Model.InputSize, ny = Model.OutputSize;
        if (sequence.InputCount != nu)
            throw new ArgumentException($"The sequence has {sequence.InputCount} inputs; the model expects {nu}.",
                                        nameof(sequence));
        var standardised = Standardise(sequence);
        int T = sequence.Length, from = EncodedFrom(standardised);
        var y = new float[T * ny];
        lock (_modelLock)
        {
            int head = from > 0 ? from : T;
            Model.Simulate(new float[Model.StateSize], standardised.Inputs.AsSpan(0, head * nu), head, 1,
                           y.AsSpan(0, head * ny), new float[Model.StateSize]);
            if (from > 0)
                EncodedSimulation.Simulate(Model, Encoder!, standardised, from, T, y.AsSpan(from * ny));
        }
        for (int t = 0; t < T; t++)
            for (int i = 0; i < ny; i++) y[t * ny + i] = (float)OutputScaling.Inverse(y[t * ny + i], i);
        return y;
    }

    /// <summary>NRMSE = sqrt(Σ(y − ŷ)² / Σy²) pooled over sequences, steps after the washout and channels
    /// (MODELS.md 4.1), in the units the model was trained in.</summary>
    /// <exception cref="ArgumentException">A sequence has no outputs.</exception>
    public double Nrmse(IReadOnlyList<SequenceData> sequences, int washout)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentOutOfRangeException.ThrowIfNegative(washout);
        double num = 0, den = 0;
        int ny = Model.OutputSize;
        foreach (var s in sequences)
        {
            if (s.Outputs.Length == 0)
                throw new ArgumentException($"Sequence '{s.Name}' has no outputs to score.", nameof(sequences));
            var yHat = Simulate(s);
            for (int k = washout * ny; k < yHat.Length; k++)
            {
                int c = k % ny;
                double truth = OutputScaling.Forward(s.Outputs[k], c), d = truth - OutputScaling.Forward(yHat[k], c);
                num += d * d;
                den += truth * truth;
            }
        }
        return den > 0 ? Math.Sqrt(num / den) : double.NaN;
    }
}
