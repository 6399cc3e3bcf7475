using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>One time series for forecasting: targets y_t (one or more) and optional exogenous features f_t, row-major.</summary>
public sealed class SeriesData
{
    /// <summary>Creates a series of <c>targets.Length / targetCount</c> time steps.</summary>
    /// <param name="targets">y, shape [length, targetCount], finite.</param>
    /// <param name="targetCount">Targets per step (&gt; 0).</param>
    /// <param name="features">f, shape [length, featureCount], finite; null or empty when there are none.</param>
    /// <param name="featureCount">Features per step (≥ 0).</param>
    /// <param name="name">A name for error messages (for example the series id).</param>
    public SeriesData(float[] targets, int targetCount, float[]? features = null, int featureCount = 0, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        ArgumentOutOfRangeException.ThrowIfNegative(featureCount);
        if (targets.Length % targetCount != 0) throw new ArgumentException($"targets has {targets.Length} values, not a multiple of {targetCount}.", nameof(targets));
        Length = targets.Length / targetCount;
        features ??= [];
        if (features.Length != Length * featureCount)
            throw new ArgumentException($"features must have {Length * featureCount} values ({Length} steps × {featureCount}), got {features.Length}.", nameof(features));
        Name = name ?? "series";
        Validation.ThrowIfNotFinite(targets, nameof(targets), targetCount);
        Validation.ThrowIfNotFinite(features, nameof(features), Math.Max(1, featureCount));
        Targets = targets; TargetCount = targetCount; Features = features; FeatureCount = featureCount;
    }

    /// <summary>y, [Length, TargetCount].</summary>
    public float[] Targets { get; }
    /// <summary>f, [Length, FeatureCount].</summary>
    public float[] Features { get; }
    /// <summary>Number of time steps.</summary>
    public int Length { get; }
    /// <summary>Targets per step.</summary>
    public int TargetCount { get; }
    /// <summary>Features per step.</summary>
    public int FeatureCount { get; }
    /// <summary>The series' name, for messages.</summary>
    public string Name { get; }
}

/// <summary>Settings of <see cref="Forecaster.Train"/>.</summary>
public sealed record ForecasterOptions
{
    /// <summary>Steps ahead to forecast (&gt; 0).</summary>
    public required int Horizon { get; init; }

    /// <summary>The model. Default: a contracting R2DN with nx 32, nv 32, hidden [64, 64].</summary>
    public ModelSpec Model { get; init; } = new();

    /// <summary>Training epochs (&gt; 0). Default 60.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Initial Adam learning rate (finite, &gt; 0); it decays smoothly to a tenth by the last epoch. Default 3e-3.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Truncated-BPTT segment length (&gt; 0), with the state carried between segments. Default 128.</summary>
    public int SegmentLength { get; init; } = 128;

    /// <summary>Element-wise gradient clip (finite, &gt; 0). Default 10.</summary>
    public double ClipValue { get; init; } = 10;

    /// <summary>Fraction of the end of each series held out to calibrate the intervals, in [0, 0.5). Default 0.15; 0 turns intervals off.</summary>
    public double CalibrationFraction { get; init; } = 0.15;

    /// <summary>Coverage of the split-conformal intervals, in (0, 1). Default 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Seed of the initialisation. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Threads for training and scoring (null: all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Horizon, "horizon");
        ArgumentNullException.ThrowIfNull(Model, nameof(Model));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Epochs, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SegmentLength, nameof(SegmentLength));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be finite and greater than 0.");
        if (!(ClipValue > 0) || !double.IsFinite(ClipValue)) throw new ArgumentOutOfRangeException(nameof(ClipValue), ClipValue, "ClipValue must be finite and greater than 0.");
        if (!(CalibrationFraction >= 0 && CalibrationFraction < 0.5)) throw new ArgumentOutOfRangeException(nameof(CalibrationFraction), CalibrationFraction, "CalibrationFraction must be in [0, 0.5).");
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1)) throw new ArgumentOutOfRangeException("confidenceLevel", ConfidenceLevel, "The confidence level must be in (0, 1).");
        if (Threads is int t && t < 1) throw new ArgumentOutOfRangeException(nameof(Threads), t, "Threads must be at least 1.");
    }
}

/// <summary>The recurrent state of a forecaster after consuming some history: x and the latest forecast.</summary>
public sealed class ForecastState
{
    internal ForecastState(float[] x, float[] output, long steps) { X = x; Output = output; Steps = steps; }

    internal float[] X { get; }
    internal float[] Output { get; }

    /// <summary>Number of observations consumed.</summary>
    public long Steps { get; internal set; }

    /// <summary>A deep copy (engines work on their own copy).</summary>
    public ForecastState Clone() => new((float[])X.Clone(), (float[])Output.Clone(), Steps);
}

/// <summary>A forecast: horizon × targets values in the data's units (target-major: all steps of target 0, then target 1, …), with bounds.</summary>
/// <param name="Values">Point forecasts.</param>
/// <param name="Lower">Lower bounds (empty when the forecaster has no intervals).</param>
/// <param name="Upper">Upper bounds (empty when the forecaster has no intervals).</param>
public sealed record ForecastResult(float[] Values, float[] Lower, float[] Upper);

/// <summary>
/// Multi-step forecasting with a robust recurrent model (API.md 3.1): at each step the model reads
/// [y_t, f_t] (standardised) and outputs y_{t+1} … y_{t+h}; several series train as one batch. Split-conformal
/// intervals come from the residuals on a held-out tail of each series.
/// </summary>
/// <remarks>Immutable after training and safe to share across threads; a <see cref="ForecastState"/> belongs to one caller.</remarks>
public sealed class Forecaster
{
    private readonly object _modelLock = new();

    private Forecaster(RecurrentModel model, int horizon, int targetCount, int featureCount, Standardizer targets, Standardizer features,
                       float[] halfWidths, double confidenceLevel, TrainingResult? training)
    {
        Model = model; Horizon = horizon; TargetCount = targetCount; FeatureCount = featureCount;
        TargetScaling = targets; FeatureScaling = features; HalfWidths = halfWidths; ConfidenceLevel = confidenceLevel; Training = training;
    }

    /// <summary>The trained model (input [y_t, f_t] standardised, output the next Horizon standardised targets).</summary>
    public RecurrentModel Model { get; }
    /// <summary>Steps ahead.</summary>
    public int Horizon { get; }
    /// <summary>Targets per step.</summary>
    public int TargetCount { get; }
    /// <summary>Features per step.</summary>
    public int FeatureCount { get; }
    /// <summary>Target standardisation.</summary>
    public Standardizer TargetScaling { get; }
    /// <summary>Feature standardisation.</summary>
    public Standardizer FeatureScaling { get; }
    /// <summary>Interval half-widths per (target, step), in data units; empty when intervals are off.</summary>
    public float[] HalfWidths { get; }
    /// <summary>The intervals' coverage level.</summary>
    public double ConfidenceLevel { get; }
    /// <summary>The training record (null for a loaded forecaster).</summary>
    public TrainingResult? Training { get; }

    /// <summary>Rebuilds a forecaster from its parts (model files).</summary>
    public static Forecaster FromParts(RecurrentModel model, int horizon, int targetCount, int featureCount, Standardizer targets,
                                       Standardizer features, float[] halfWidths, double confidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.InputSize != targetCount + featureCount || model.OutputSize != horizon * targetCount)
            throw new ArgumentException("The model's sizes do not match the forecaster's.", nameof(model));
        return new Forecaster(model, horizon, targetCount, featureCount, targets, features, halfWidths, confidenceLevel, null);
    }

    /// <summary>The fewest time steps a series needs for training with these options.</summary>
    public static int MinimumLength(ForecasterOptions options, int minimumTrainingSteps = 8)
    {
        int calibration = options.CalibrationFraction > 0 ? options.Horizon + 1 : 0;
        return minimumTrainingSteps + options.Horizon + calibration;
    }

    /// <summary>Trains a forecaster on one or more series (they train as one batch, aligned at their ends).</summary>
    /// <exception cref="ArgumentException">No series, inconsistent widths, or a series shorter than <see cref="MinimumLength"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Forecaster Train(IReadOnlyList<SeriesData> series, ForecasterOptions options, Action<EpochReport>? progress = null,
                                   CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (series.Count == 0) throw new ArgumentException("There is no series to train on.", nameof(series));
        int nt = series[0].TargetCount, nf = series[0].FeatureCount, h = options.Horizon;
        foreach (var s in series)
            if (s.TargetCount != nt || s.FeatureCount != nf)
                throw new ArgumentException($"Series '{s.Name}' has {s.TargetCount} targets and {s.FeatureCount} features; the first has {nt} and {nf}.", nameof(series));
        int need = MinimumLength(options);
        foreach (var s in series)
            if (s.Length < need)
                throw new ArgumentException($"Series '{s.Name}' has {s.Length} rows; forecasting with horizon {h} needs at least {need} rows " +
                                            $"({h} for the targets of the last step{(options.CalibrationFraction > 0 ? $", {h + 1} to calibrate the intervals" : "")} and 8 to train).",
                                            nameof(series));
        int length = series.Min(s => s.Length), batch = series.Count, nu = nt + nf, ny = h * nt;
        int calibration = options.CalibrationFraction > 0 ? Math.Max(h + 1, (int)(length * options.CalibrationFraction)) : 0;
        int split = length - calibration, trainSteps = split - h;

        var targetScaling = Standardizer.Fit(series.Select(s => s.Targets[((s.Length - length) * nt)..((s.Length - calibration) * nt)]), nt);
        var featureScaling = Standardizer.Fit(series.Select(s => s.Features[((s.Length - length) * nf)..((s.Length - calibration) * nf)]), nf);

        // Time-major tensors over the common (end-aligned) window: u_t = [y_t, f_t], target_t = [y_{t+1..t+h}] per target.
        var inputs = new float[trainSteps * batch * nu];
        var targets = new float[trainSteps * batch * ny];
        for (int b = 0; b < batch; b++)
        {
            var s = series[b];
            int offset = s.Length - length;
            for (int t = 0; t < trainSteps; t++)
            {
                FillInput(s, offset + t, targetScaling, featureScaling, inputs.AsSpan((t * batch + b) * nu, nu));
                for (int j = 0; j < nt; j++)
                    for (int k = 0; k < h; k++)
                        targets[(t * batch + b) * ny + j * h + k] = targetScaling.Forward(s.Targets[(offset + t + 1 + k) * nt + j], j);
            }
        }

        var model = options.Model.Create(nu, ny, options.Seed);
        if (options.Threads is int threads) model.Threads = threads;
        var data = new SequenceDataset(inputs, targets, trainSteps, batch, nu, ny);
        long stepsPerEpoch = SequenceDataset.GetSegmentCount(trainSteps, options.SegmentLength);
        var trainer = new Trainer();
        if (progress is not null) trainer.EpochCompleted += (_, e) => progress(e);
        var result = trainer.Fit(model, data, new TrainerOptions
        {
            Epochs = options.Epochs,
            SegmentLength = options.SegmentLength,
            Loss = new MeanSquaredError(),
            ClipValue = options.ClipValue,
            Schedule = new ExponentialDecaySchedule(options.LearningRate, Math.Max(1, stepsPerEpoch * options.Epochs), 0.1),
        }, cancellationToken);

        var forecaster = new Forecaster(model, h, nt, nf, targetScaling, featureScaling, [], options.ConfidenceLevel, result);
        if (calibration == 0) return forecaster;
        return new Forecaster(model, h, nt, nf, targetScaling, featureScaling, forecaster.Calibrate(series, length, split, options.ConfidenceLevel),
                              options.ConfidenceLevel, result);
    }

    // Split-conformal half-widths: for each (target, step), the ⌈(n+1)c⌉-th smallest absolute residual over the
    // calibration times t ∈ [split, length − h) of every series.
    private float[] Calibrate(IReadOnlyList<SeriesData> series, int length, int split, double level)
    {
        int nt = TargetCount, h = Horizon;
        var residuals = new List<float>[nt * h];
        for (int i = 0; i < residuals.Length; i++) residuals[i] = new();
        foreach (var s in series)
        {
            int offset = s.Length - length;
            var forecasts = Rollout(s);
            for (int t = offset + split; t < s.Length - h; t++)
                for (int j = 0; j < nt; j++)
                    for (int k = 0; k < h; k++)
                        residuals[j * h + k].Add(Math.Abs(forecasts[(t * nt + j) * h + k] - s.Targets[(t + 1 + k) * nt + j]));
        }
        var widths = new float[nt * h];
        for (int i = 0; i < widths.Length; i++)
        {
            var r = residuals[i];
            r.Sort();
            int rank = Math.Min(r.Count, (int)Math.Ceiling((r.Count + 1) * level));
            widths[i] = r.Count == 0 ? float.PositiveInfinity : r[Math.Max(0, rank - 1)];
        }
        return widths;
    }

    private void FillInput(SeriesData s, int t, Span<float> u) => FillInput(s, t, TargetScaling, FeatureScaling, u);

    private static void FillInput(SeriesData s, int t, Standardizer ty, Standardizer tf, Span<float> u)
    {
        int nt = s.TargetCount, nf = s.FeatureCount;
        for (int j = 0; j < nt; j++) u[j] = ty.Forward(s.Targets[t * nt + j], j);
        for (int j = 0; j < nf; j++) u[nt + j] = tf.Forward(s.Features[t * nf + j], j);
    }

    /// <summary>
    /// Runs the model over a whole series from a zero state and returns, for every step t, the forecast made after
    /// observing step t: [Length, TargetCount, Horizon] in data units (y_{t+1..t+h} for each target).
    /// </summary>
    public float[] Rollout(SeriesData series)
    {
        CheckSeries(series);
        int T = series.Length, nu = TargetCount + FeatureCount, ny = Horizon * TargetCount;
        var u = new float[T * nu];
        for (int t = 0; t < T; t++) FillInput(series, t, u.AsSpan(t * nu, nu));
        var y = new float[T * ny];
        lock (_modelLock) Model.Simulate(new float[Model.StateSize], u, T, 1, y, new float[Model.StateSize]);
        for (int t = 0; t < T; t++)
            for (int j = 0; j < TargetCount; j++)
                for (int k = 0; k < Horizon; k++)
                {
                    int i = t * ny + j * Horizon + k;
                    y[i] = (float)TargetScaling.Inverse(y[i], j);
                }
        return y;
    }

    /// <summary>A state that has seen nothing (x = 0); <see cref="Predict"/> needs at least one observation.</summary>
    public ForecastState Start() => new(new float[Model.StateSize], new float[Horizon * TargetCount], 0);

    /// <summary>Consumes one observation (targets and features at the next step), updating <paramref name="state"/>.</summary>
    public void Observe(ForecastState state, ReadOnlySpan<float> targets, ReadOnlySpan<float> features)
    {
        ArgumentNullException.ThrowIfNull(state);
        Validation.CheckLength(targets, TargetCount, nameof(targets));
        Validation.CheckLength(features, FeatureCount, nameof(features));
        Validation.ThrowIfNotFinite(targets, nameof(targets));
        Validation.ThrowIfNotFinite(features, nameof(features));
        Span<float> u = stackalloc float[TargetCount + FeatureCount];
        for (int j = 0; j < TargetCount; j++) u[j] = TargetScaling.Forward(targets[j], j);
        for (int j = 0; j < FeatureCount; j++) u[TargetCount + j] = FeatureScaling.Forward(features[j], j);
        var next = new float[Model.StateSize];
        lock (_modelLock) Model.Simulate(state.X, u, 1, 1, state.Output, next);
        next.CopyTo(state.X, 0);
        state.Steps++;
    }

    /// <summary>Consumes a whole history (oldest first) into a fresh state.</summary>
    public ForecastState Warmup(SeriesData history)
    {
        CheckSeries(history);
        var state = Start();
        int T = history.Length, nu = TargetCount + FeatureCount;
        var u = new float[T * nu];
        for (int t = 0; t < T; t++) FillInput(history, t, u.AsSpan(t * nu, nu));
        var y = new float[T * Horizon * TargetCount];
        lock (_modelLock) Model.Simulate(state.X, u, T, 1, y, state.X);
        y.AsSpan((T - 1) * Horizon * TargetCount).CopyTo(state.Output);
        state.Steps = T;
        return state;
    }

    /// <summary>The forecast after the observations <paramref name="state"/> has seen, in data units, with intervals.</summary>
    /// <exception cref="InvalidOperationException">The state has seen no observation.</exception>
    public ForecastResult Predict(ForecastState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Steps == 0) throw new InvalidOperationException("The forecast needs at least one observation; call Observe or Warmup first.");
        int n = Horizon * TargetCount;
        var values = new float[n];
        for (int j = 0; j < TargetCount; j++)
            for (int k = 0; k < Horizon; k++)
                values[j * Horizon + k] = (float)TargetScaling.Inverse(state.Output[j * Horizon + k], j);
        if (HalfWidths.Length == 0) return new ForecastResult(values, [], []);
        var lower = new float[n]; var upper = new float[n];
        for (int i = 0; i < n; i++) { lower[i] = values[i] - HalfWidths[i]; upper[i] = values[i] + HalfWidths[i]; }
        return new ForecastResult(values, lower, upper);
    }

    private void CheckSeries(SeriesData series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.TargetCount != TargetCount || series.FeatureCount != FeatureCount)
            throw new ArgumentException($"The series has {series.TargetCount} targets and {series.FeatureCount} features; the forecaster expects {TargetCount} and {FeatureCount}.", nameof(series));
    }
}
