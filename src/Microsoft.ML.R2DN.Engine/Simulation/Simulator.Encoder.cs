namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>The simulator's initial-state encoder: training with it, fitting it to a trained model, and where a record
/// starts from its estimate.</summary>
public sealed partial class Simulator
{
    /// <summary>The initial-state encoder, or null when every record starts from the zero state. It sets only the
    /// state the model starts from: the model's certificate holds whatever the state.</summary>
    public StateEncoder? Encoder { get; private init; }

    /// <summary>When an encoder was fitted to a model trained from the zero state with validation data: the NRMSE of
    /// the held-out tails simulated from the zero state and from the encoder's estimate (the encoder is kept only
    /// when the second is lower). Null otherwise.</summary>
    public (double ZeroState, double Encoded)? EncoderValidation { get; private init; }

    /// <summary>Rebuilds a simulator with an encoder from its parts (model files).</summary>
    /// <exception cref="ArgumentException">The encoder's sizes are not the model's.</exception>
    public static Simulator FromParts(RecurrentModel model, Standardizer inputs, Standardizer outputs,
                                      StateEncoder? encoder)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (encoder is not null && (encoder.StateSize != model.StateSize || encoder.InputSize != model.InputSize
                                    || encoder.OutputSize != model.OutputSize))
            throw new ArgumentException("The encoder's sizes are not the model's.", nameof(encoder));
        return new(model, inputs, outputs, null) { Encoder = encoder };
    }

    // The model and the encoder trained together on subsequences of every (standardised) sequence, whole.
    private static Simulator TrainOnSubsequences(IReadOnlyList<SequenceData> sequences, SimulatorOptions options,
                                                 Standardizer inScale, Standardizer outScale,
                                                 IProgress<EpochReport>? progress, CancellationToken cancellation)
    {
        int nu = inScale.Columns, ny = outScale.Columns;
        var model = CreateModel(options, nu, ny);
        var e = options.Encoder!;
        var encoder = StateEncoder.Create(e.EncoderWindow, nu, ny, model.StateSize, e.EncoderHiddenSizes, options.Seed);
        var run = EncoderRun(e, options, trainModel: true) with
        {
            Steps = options.Steps ?? e.Steps,
            LearningRate = options.LearningRate,
            ClipValue = options.ClipValue,
        };
        var standardised = sequences.Select(s => Standardise(s, inScale, outScale)).ToList();
        var result = SubsequenceTrainer.Fit(model, encoder, standardised, run, progress, cancellation);
        return new Simulator(model, inScale, outScale, result) { Encoder = encoder };
    }

    /// <summary>A copy of this simulator with an initial-state encoder fitted to its model, which is held fixed: the
    /// encoder's shape and its steps and learning rate come from <see cref="SimulatorOptions.Encoder"/>; the validation
    /// fraction, time budget, seed and threads from <paramref name="options"/>. With validation data the encoder is
    /// kept only when the held-out tails simulated from its estimate score better than from the zero state (or always,
    /// with <paramref name="keepWhenWorse"/>); both scores are in <see cref="EncoderValidation"/>.</summary>
    /// <param name="sequences">The training sequences, in data units, with outputs.</param>
    /// <param name="options">The settings; <see cref="SimulatorOptions.Encoder"/> must be set.</param>
    /// <param name="keepWhenWorse">Keep the encoder whatever the validation says.</param>
    /// <param name="cancellationToken">Stops the fit with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The copy; this simulator itself when the sequences are too short for one window and one subsequence
    /// or no time is left.</returns>
    /// <exception cref="ArgumentException">No encoder settings, or the sequences do not fit the model.</exception>
    public Simulator FitEncoder(IReadOnlyList<SequenceData> sequences, SimulatorOptions options,
                                bool keepWhenWorse = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        var e = options.Encoder ?? throw new ArgumentException("FitEncoder needs Encoder settings.", nameof(options));
        options.Validate();
        if (options.TimeBudget is { } budget && budget <= TimeSpan.Zero) return this;
        int nu = Model.InputSize, ny = Model.OutputSize;
        var encoder = StateEncoder.Create(e.EncoderWindow, nu, ny, Model.StateSize, e.EncoderHiddenSizes, options.Seed);
        var standardised = sequences.Select(s => Standardise(s, InputScaling, OutputScaling)).ToList();
        var fit = EncoderRun(e, options, trainModel: false);
        if (standardised.All(s => SubsequenceTrainer.TrainingRows(s, fit.ValidationFraction, e.EncoderWindow)
                                  < e.EncoderWindow + e.SubsequenceLength))
            return this;
        SubsequenceTrainer.Fit(Model, encoder, standardised, fit, null, cancellationToken);
        if (options.ValidationFraction <= 0)
            return new Simulator(Model, InputScaling, OutputScaling, Training) { Encoder = encoder };
        var scores = (TailNrmse(standardised, null, fit), TailNrmse(standardised, encoder, fit));
        return new Simulator(Model, InputScaling, OutputScaling, Training)
        {
            Encoder = keepWhenWorse || scores.Item2 < scores.Item1 ? encoder : null, EncoderValidation = scores,
        };
    }

    // The encoder settings with what the simulator's options decide for every encoder fit: the held-out share, the
    // time, the seed and the threads.
    private static SubsequenceOptions EncoderRun(SubsequenceOptions e, SimulatorOptions options, bool trainModel) =>
        e with
        {
            ValidationFraction = options.ValidationFraction,
            TimeBudget = options.TimeBudget,
            Seed = options.Seed,
            Threads = options.Threads,
            TrainModel = trainModel,
        };

    // NRMSE over every validation tail, each simulated from the zero state or from the encoder's estimate on the rows
    // just before it.
    private double TailNrmse(IReadOnlyList<SequenceData> standardised, StateEncoder? encoder, SubsequenceOptions fit)
    {
        double num = 0, den = 0;
        foreach (var s in standardised)
        {
            int from = SubsequenceTrainer.TrainingRows(s, fit.ValidationFraction, fit.EncoderWindow);
            int ny = s.OutputCount;
            if (from >= s.Length) continue;
            var y = new float[(s.Length - from) * ny];
            if (encoder is null)
                Model.Simulate(new float[Model.StateSize], s.Inputs.AsSpan(from * s.InputCount), s.Length - from, 1, y,
                               new float[Model.StateSize]);
            else
                EncodedSimulation.Simulate(Model, encoder, s, from, s.Length, y);
            for (int i = 0; i < y.Length; i++)
            {
                double truth = s.Outputs[from * ny + i], d = truth - y[i];
                num += d * d;
                den += truth * truth;
            }
        }
        return den > 0 ? Math.Sqrt(num / den) : double.NaN;
    }

    // Where an encoded start applies to this (standardised) sequence: after the encoder's window when it has one, the
    // sequence has outputs (SequenceData holds only finite ones) and rows follow the window; 0 for a zero-state start.
    private int EncodedFrom(SequenceData standardised) =>
        Encoder is { } encoder && standardised.Outputs.Length > 0 && standardised.Length > encoder.Window
            ? encoder.Window : 0;

    private SequenceData Standardise(SequenceData sequence) => Standardise(sequence, InputScaling, OutputScaling);

    // The sequence in the model's units.
    private static SequenceData Standardise(SequenceData s, Standardizer inScale, Standardizer outScale)
    {
        int nu = s.InputCount, ny = s.OutputCount;
        var u = new float[s.Inputs.Length];
        for (int k = 0; k < u.Length; k++) u[k] = inScale.Forward(s.Inputs[k], k % nu);
        var y = new float[s.Outputs.Length];
        for (int k = 0; k < y.Length; k++) y[k] = outScale.Forward(s.Outputs[k], k % ny);
        return new SequenceData(u, nu, y, ny, s.Name);
    }
}
