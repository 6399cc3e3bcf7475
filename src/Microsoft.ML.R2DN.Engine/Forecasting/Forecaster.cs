using System.Numerics.Tensors;
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

    /// <summary>The look-back L of the linear path (<see cref="LinearForecastPath"/>) that the recurrent model corrects:
    /// 0 (default) for none, else at least 2.</summary>
    public int LinearLookback { get; init; }

    /// <summary>Further look-backs tried for the linear path when there is validation data, each in [2, 100000]; the path
    /// with the lowest validation MSE is kept (<see cref="LinearLookback"/> wins ties). Those longer than a third of the
    /// training windows are skipped. Default none.</summary>
    public int[] LinearLookbackAlternatives { get; init; } = [];

    /// <summary>The ridge penalties tried for the linear path (relative to the mean diagonal of XᵀX), the best on the
    /// validation windows kept. Default {1e-4, 1e-3, …, 1000}: the largest make the path nearly zero, the naive forecast,
    /// which is the right answer for a random walk.</summary>
    public double[] LinearRidges { get; init; } = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];

    /// <summary>The linear path's fits shared with other trainings on the same series and linear settings (a search over
    /// recurrent settings): the first training fills it, the later ones reuse its fits instead of fitting again; null
    /// (default) to fit every time.</summary>
    public LinearPathFits? LinearFits { get; init; }

    /// <summary>Fraction of each series, before the calibration tail, held out to validate: the linear path's penalty,
    /// early stopping with the best weights restored, and whether the recurrent correction is kept at all. In [0, 0.5);
    /// default 0 (no validation: the last epoch's weights are kept).</summary>
    public double ValidationFraction { get; init; }

    /// <summary>Epochs without a better validation loss before training stops (with <see cref="ValidationFraction"/>
    /// &gt; 0), at least 1. Default 8.</summary>
    public int EarlyStoppingPatience { get; init; } = 8;

    /// <summary>Where training runs: null (default) for the managed engine, or another backend such as the TorchSharp
    /// package's. The trained model is the engine's either way.</summary>
    public ITrainingBackend? Backend { get; init; }

    /// <summary>Whether the recurrent model reads each target's change since the previous step, (y_t − y_{t−1})/σ, instead
    /// of its standardised level: the model is then blind to the level, as the forecast (a change from the last value) is,
    /// so a series that drifts away from the training range (a random walk, a trend) does not push its inputs outside
    /// what it was trained on. Default false.</summary>
    public bool DifferenceInputs { get; init; }

    /// <summary>One model shared by the targets, each run on its own (input: that target and the features; output: its
    /// h changes), instead of one model of all targets jointly. Default false. For one target both are the same.</summary>
    public bool ChannelIndependent { get; init; }

    /// <summary>A limit on the training time: no new epoch starts after it (the best weights so far are kept). Null
    /// (default) for none.</summary>
    public TimeSpan? TimeBudget { get; init; }

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
        if (LinearLookback is < 0 or 1 or > 100_000) throw new ArgumentOutOfRangeException(nameof(LinearLookback), LinearLookback, "LinearLookback must be 0 (no linear path) or in [2, 100000].");
        if (LinearLookbackAlternatives is null || LinearLookbackAlternatives.Any(l => l is < 2 or > 100_000))
            throw new ArgumentOutOfRangeException(nameof(LinearLookbackAlternatives), "LinearLookbackAlternatives must not be null, and each must be in [2, 100000].");
        if (LinearLookback > 0 && (LinearRidges is null || LinearRidges.Length == 0 || LinearRidges.Any(r => !(r >= 0) || !double.IsFinite(r))))
            throw new ArgumentOutOfRangeException(nameof(LinearRidges), "LinearRidges must hold at least one finite penalty >= 0.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 0.5)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 0.5).");
        if (!(CalibrationFraction + ValidationFraction < 0.8)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "CalibrationFraction + ValidationFraction must be below 0.8.");
        ArgumentOutOfRangeException.ThrowIfLessThan(EarlyStoppingPatience, 1, nameof(EarlyStoppingPatience));
        if (TimeBudget is { } b && b <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeBudget), b, "TimeBudget must be positive.");
    }
}

/// <summary>The recurrent state of a forecaster after consuming some history: x and the latest forecast.</summary>
public sealed class ForecastState
{
    internal ForecastState(float[] x, float[] output, float[] lastTargets, long steps, float[]? history = null)
    {
        X = x; Output = output; LastTargets = lastTargets; Steps = steps; History = history ?? [];
    }

    /// <summary>Rebuilds a state from its parts (for checkpoints): the model state x, the forecaster's latest output
    /// (standardised changes), the latest observed targets, the number of observations consumed and, for a forecaster
    /// with a linear path, the look-back window (targets × L, oldest first per target; empty otherwise).</summary>
    public static ForecastState FromParts(float[] x, float[] output, float[] lastTargets, long steps, float[]? history = null)
    {
        ArgumentNullException.ThrowIfNull(x); ArgumentNullException.ThrowIfNull(output); ArgumentNullException.ThrowIfNull(lastTargets);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return new((float[])x.Clone(), (float[])output.Clone(), (float[])lastTargets.Clone(), steps, (float[]?)history?.Clone());
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
    public ForecastState Clone() => new((float[])X.Clone(), (float[])Output.Clone(), (float[])LastTargets.Clone(), Steps, (float[])History.Clone());
}

/// <summary>A forecast: horizon × targets values in the data's units (target-major: all steps of target 0, then target 1, …), with bounds.</summary>
/// <param name="Values">Point forecasts.</param>
/// <param name="Lower">Lower bounds (empty when the forecaster has no intervals).</param>
/// <param name="Upper">Upper bounds (empty when the forecaster has no intervals).</param>
public sealed record ForecastResult(float[] Values, float[] Lower, float[] Upper);

/// <summary>
/// Multi-step forecasting with a robust recurrent model (API.md 3.1): at each step the model reads
/// [y_t, f_t] (standardised) and outputs the changes y_{t+k} − y_t for k = 1 … h (in units of each target's standard
/// deviation), so the forecast is y_t plus the predicted change: the naive forecast is the model's zero, and level
/// shifts between training and use do not move the inputs the network must extrapolate to. Several series train as
/// one batch. Split-conformal intervals come from the residuals on a held-out tail of each series.
/// </summary>
/// <remarks>Immutable after training and safe to share across threads; a <see cref="ForecastState"/> belongs to one caller.</remarks>
public sealed class Forecaster
{
    private readonly object _modelLock = new();

    private Forecaster(RecurrentModel model, int horizon, int targetCount, int featureCount, Standardizer targets, Standardizer features,
                       float[][] residuals, double confidenceLevel, TrainingResult? training, LinearForecastPath? linear = null,
                       bool recurrentCorrection = true, bool channelIndependent = false, bool differenceInputs = false)
    {
        ChannelIndependent = channelIndependent;
        DifferenceInputs = differenceInputs;
        Lanes = channelIndependent ? targetCount : 1;
        Model = model; Horizon = horizon; TargetCount = targetCount; FeatureCount = featureCount;
        TargetScaling = targets; FeatureScaling = features; ConfidenceLevel = confidenceLevel; Training = training;
        Linear = linear; RecurrentCorrection = recurrentCorrection;
        _residuals = residuals;
        HalfWidths = residuals.Length > 0 && residuals[0].Length > 0 ? HalfWidthsAt(confidenceLevel) : [];
    }

    private readonly float[][] _residuals;

    /// <summary>
    /// Per (target j, step k), at index j·Horizon + k, the absolute calibration residuals sorted ascending (empty arrays
    /// when intervals are off): the split-conformal intervals at any level come from these.
    /// </summary>
    public IReadOnlyList<float[]> CalibrationResiduals => _residuals;

    /// <summary>Split-conformal half-widths at <paramref name="level"/> ∈ (0, 1): per (target, step) the ⌈(n + 1)·level⌉-th smallest residual (the largest when that rank exceeds n).</summary>
    public float[] HalfWidthsAt(double level)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        var widths = new float[_residuals.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            var r = _residuals[i];
            int rank = Math.Min(r.Length, (int)Math.Ceiling((r.Length + 1) * level));
            widths[i] = r.Length == 0 ? float.PositiveInfinity : r[Math.Max(0, rank - 1)];
        }
        return widths;
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

    /// <summary>Whether the model reads changes rather than levels of the targets (see <see cref="ForecasterOptions.DifferenceInputs"/>).</summary>
    public bool DifferenceInputs { get; }

    /// <summary>Whether one model runs on each target separately (see <see cref="ForecasterOptions.ChannelIndependent"/>).</summary>
    public bool ChannelIndependent { get; }

    // The model's batch per series: one lane per target when channel-independent, else one.
    private int Lanes { get; }

    /// <summary>The model's input size for a forecaster of these sizes: targets (or 1) + features.</summary>
    public static int ModelInputs(int targetCount, int featureCount, bool channelIndependent) => (channelIndependent ? 1 : targetCount) + featureCount;

    /// <summary>The model's output size: horizon × targets (or × 1).</summary>
    public static int ModelOutputs(int horizon, int targetCount, bool channelIndependent) => horizon * (channelIndependent ? 1 : targetCount);

    /// <summary>The linear path the recurrent model corrects, or null. When it won alone on validation it was then refitted
    /// on the validation windows too.</summary>
    public LinearForecastPath? Linear { get; }

    /// <summary>Whether the recurrent model's output is added (false when, with a linear path, the correction did not
    /// lower the validation error: the forecaster is then the linear path alone). False without a linear path too when the
    /// forecaster fell back to repeating the last value.</summary>
    public bool RecurrentCorrection { get; }

    /// <summary>The validation MSE (standardised changes) of the linear path alone (of the naive forecast without a path)
    /// and of the forecaster as kept; NaN without validation.</summary>
    public (double Linear, double Forecaster) ValidationMse { get; private init; } = (double.NaN, double.NaN);

    /// <summary>Rebuilds a forecaster from its parts (model files); <paramref name="calibrationResiduals"/> as <see cref="CalibrationResiduals"/>.</summary>
    public static Forecaster FromParts(RecurrentModel model, int horizon, int targetCount, int featureCount, Standardizer targets,
                                       Standardizer features, float[][] calibrationResiduals, double confidenceLevel,
                                       LinearForecastPath? linear = null, bool recurrentCorrection = true, bool channelIndependent = false,
                                       bool differenceInputs = false)
    {
        if (linear is not null && linear.Horizon != horizon)
            throw new ArgumentException($"The linear path forecasts {linear.Horizon} steps; the forecaster {horizon}.", nameof(linear));
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibrationResiduals);
        if (model.InputSize != ModelInputs(targetCount, featureCount, channelIndependent) || model.OutputSize != ModelOutputs(horizon, targetCount, channelIndependent))
            throw new ArgumentException("The model's sizes do not match the forecaster's.", nameof(model));
        if (calibrationResiduals.Length != horizon * targetCount || calibrationResiduals.Any(r => r is null || r.Length != calibrationResiduals[0].Length))
            throw new ArgumentException("There must be one residual array of equal length per (target, step).", nameof(calibrationResiduals));
        var sorted = calibrationResiduals.Select(r => { var c = (float[])r.Clone(); Array.Sort(c); return c; }).ToArray();
        return new Forecaster(model, horizon, targetCount, featureCount, targets, features, sorted, confidenceLevel, null, linear, recurrentCorrection,
                              channelIndependent, differenceInputs);
    }

    /// <summary>The fewest time steps a series needs for training with these options.</summary>
    public static int MinimumLength(ForecasterOptions options, int minimumTrainingSteps = 8)
    {
        int calibration = options.CalibrationFraction > 0 ? options.Horizon + 1 : 0;
        int validation = options.ValidationFraction > 0 ? options.Horizon + 1 : 0;
        return minimumTrainingSteps + options.Horizon + calibration + validation;
    }

    /// <summary>Trains a forecaster on one or more series (they train as one batch, aligned at their ends).</summary>
    /// <exception cref="ArgumentException">No series, inconsistent widths, or a series shorter than <see cref="MinimumLength"/>.</exception>
    /// <param name="series">The series; not empty.</param>
    /// <param name="options">The settings; checked with <see cref="ForecasterOptions.Validate"/>.</param>
    /// <param name="progress">Receives every epoch of the recurrent model's training, synchronously on the training
    /// thread; null (default) for none.</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Forecaster Train(IReadOnlyList<SeriesData> series, ForecasterOptions options,
                                   IProgress<EpochReport>? progress = null,
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
                                            $"({h} for the targets of the last step{(options.CalibrationFraction > 0 ? $", {h + 1} to calibrate the intervals" : "")}" +
                                            $"{(options.ValidationFraction > 0 ? $", {h + 1} to validate" : "")} and 8 to train).",
                                            nameof(series));
        bool ci = options.ChannelIndependent;
        int lanes = ci ? nt : 1, laneTargets = ci ? 1 : nt;
        int length = series.Min(s => s.Length), batch = series.Count * lanes, nu = laneTargets + nf, ny = h * laneTargets;
        int calibration = options.CalibrationFraction > 0 ? Math.Max(h + 1, (int)(length * options.CalibrationFraction)) : 0;
        int validation = options.ValidationFraction > 0 ? Math.Max(h + 1, (int)(length * options.ValidationFraction)) : 0;
        int trainEnd = length - calibration - validation, trainSteps = trainEnd - h;
        if (trainSteps < 8) throw new ArgumentException($"The series are too short: {trainSteps} training steps remain after the validation and calibration tails.", nameof(series));
        var offsets = series.Select(s => s.Length - length).ToArray();
        // Forecast origins (on the common axis) of the held-out parts, after the training windows' [0, trainSteps): the
        // calibration tail, then the validation tail, the latest rows, so that every choice is made on the period
        // nearest the future (ETTh2's test years resemble its last months more than the months before them).
        int calFrom = trainSteps, calTo = length - validation - h, valFrom = calTo, valTo = length - h;

        var targetScaling = Standardizer.Fit(series.Select(s => s.Targets[((s.Length - length) * nt)..((s.Length - length + trainEnd) * nt)]), nt);
        var featureScaling = Standardizer.Fit(series.Select(s => s.Features[((s.Length - length) * nf)..((s.Length - length + trainEnd) * nf)]), nf);

        LinearForecastPath? linear = null;
        double linearMse = double.NaN;
        var fits = options.LinearFits;
        // The look-backs tried: the given one, then (on validation) the alternatives the training windows allow.
        int[] lookbacks = options.LinearLookback <= 0 ? []
            : validation > 0 ? [options.LinearLookback, .. options.LinearLookbackAlternatives.Where(l => l != options.LinearLookback && 3 * l <= trainSteps)]
            : [options.LinearLookback];
        if (lookbacks.Length > 0 && fits?.HeldOut is { } given && lookbacks.Contains(given.Lookback) && given.Horizon == h)
            linear = given;
        else
        {
            foreach (int lookback in lookbacks)
            {
                var (path, mse) = LinearForecastPath.Fit(series, targetScaling, lookback, h, offsets, 0, trainSteps,
                                                         validation > 0 ? valFrom : trainSteps, validation > 0 ? valTo : trainSteps,
                                                         options.LinearRidges, cancellationToken);
                if (linear is null || mse < linearMse) (linear, linearMse) = (path, mse);
            }
            if (fits is not null && linear is not null) (fits.HeldOut, fits.Refit) = (linear, null);
        }
        double naiveSum = 0;
        long naiveCount = 0;

        // Time-major tensors over the common (end-aligned) window: u_t = [y_t, f_t], target_t = the changes
        // (y_{t+k} − y_t)/σ per target, less the linear path's forecast when there is one.
        int steps = validation > 0 ? valTo : trainSteps;
        var inputs = new float[steps * batch * nu];
        var targets = new float[steps * batch * ny];
        var naiveErrors = new double[steps - trainSteps];   // per held-out origin: the naive forecast's squared error
        for (int b = 0; b < batch; b++)
        {
            var s = series[b / lanes];
            int lane = b % lanes, offset = offsets[b / lanes];
            for (int t = 0; t < steps; t++)
            {
                FillLaneInput(s, offset + t, ci ? lane : -1, targetScaling, featureScaling, options.DifferenceInputs, inputs.AsSpan((t * batch + b) * nu, nu));
                var target = targets.AsSpan((t * batch + b) * ny, ny);
                for (int jj = 0; jj < laneTargets; jj++)
                {
                    int j = ci ? lane : jj;
                    for (int k = 0; k < h; k++)
                        target[jj * h + k] = (float)((s.Targets[(offset + t + 1 + k) * nt + j] - s.Targets[(offset + t) * nt + j]) / targetScaling.Std[j]);
                    if (t >= valFrom)
                        for (int k = 0; k < h; k++) { naiveSum += (double)target[jj * h + k] * target[jj * h + k]; naiveCount++; }
                    if (t >= trainSteps)
                        for (int k = 0; k < h; k++) naiveErrors[t - trainSteps] += (double)target[jj * h + k] * target[jj * h + k];
                }
            }
        }
        if (linear is not null)
        {
            // The recurrent model learns what the linear path leaves: its forecasts, a (lane, target) at a time, come off.
            var path = linear;
            Parallel.For(0, batch * laneTargets, new ParallelOptions { MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount, CancellationToken = cancellationToken }, () => new float[steps * h], (item, _, predicted) =>
            {
                int b = item / laneTargets, jj = item % laneTargets, j = ci ? b % lanes : jj, offset = offsets[b / lanes];
                predicted.AsSpan().Clear();
                path.AddPredictions(series[b / lanes], j, targetScaling.Std[j], offset, offset + steps, predicted, h);
                for (int t = 0; t < steps; t++)
                {
                    var target = targets.AsSpan((t * batch + b) * ny + jj * h, h);
                    TensorPrimitives.Subtract(target, predicted.AsSpan(t * h, h), target);
                }
                return predicted;
            }, _ => { });
        }

        var model = options.Model.Create(nu, ny, options.Seed);
        if (options.Threads is int threads) model.Threads = threads;
        // A correction starts near zero where the parameterisation allows it (the output maps are free parameters of the
        // contracting models): training then begins close to the linear path's answer. Not at zero exactly: with the
        // output maps at zero no gradient reaches the state's dynamics, and the correction learns far more slowly.
        if (linear is not null)
            foreach (var g in model.Layout.Groups)
                if (g.Name is "C2" or "D21" or "D22" or "by")
                    foreach (ref double v in g.Slice(model.Parameters)) v *= CorrectionInitScale;
        var data = Slice(inputs, targets, trainSteps, batch, nu, ny);
        var validationData = validation > 0 ? new SequenceDataset(inputs, targets, steps, batch, nu, ny) : null;
        long stepsPerEpoch = SequenceDataset.GetSegmentCount(trainSteps, options.SegmentLength);
        var trainer = new Trainer();
        var result = TrainingBackends.Fit(model, options.Backend, trainable => trainer.Fit(trainable, data, new TrainerOptions
        {
            Epochs = options.Epochs,
            SegmentLength = options.SegmentLength,
            Loss = new MeanSquaredError(),
            ClipValue = options.ClipValue,
            Schedule = new ExponentialDecaySchedule(options.LearningRate, Math.Max(1, stepsPerEpoch * options.Epochs), 0.1),
            ValidationData = validationData,
            ValidationWashout = validationData is null ? 100 : valFrom,
            EarlyStoppingPatience = validationData is null ? null : options.EarlyStoppingPatience,
            TimeBudget = options.TimeBudget,
        }, progress, cancellationToken));

        // With validation data, every part must earn its place: the recurrent correction against the linear path alone
        // (the validation MSE of the residual targets with a zero correction), and the linear path against the naive
        // forecast (repeat the last value), which a forecaster falls back to when neither beats it.
        bool keepRecurrent = true;
        double forecasterMse = double.NaN;
        if (validationData is not null)
        {
            double zero = 0; long n = 0;
            for (int i = valFrom * batch * ny; i < targets.Length; i++) { zero += (double)targets[i] * targets[i]; n++; }
            zero /= Math.Max(1, n);
            double naive = naiveCount > 0 ? naiveSum / naiveCount : double.PositiveInfinity;
            double best = result.ValidationLoss.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.PositiveInfinity).Min();
            if (linear is not null && !(zero < naive) && !(best < naive)) linear = null;   // the naive forecast is best
            keepRecurrent = best < zero && (linear is not null || best < naive);
            forecasterMse = keepRecurrent ? best : linear is not null ? zero : naive;
            linearMse = zero;   // without a path the residual targets are the changes: the naive forecast's error
        }

        var alone = linear is null ? null : new Forecaster(model, h, nt, nf, targetScaling, featureScaling, NoResiduals(nt * h),
                                                           options.ConfidenceLevel, result, linear, false, ci, options.DifferenceInputs);
        var held = new Forecaster(model, h, nt, nf, targetScaling, featureScaling, NoResiduals(nt * h), options.ConfidenceLevel, result,
                                  linear, keepRecurrent, ci, options.DifferenceInputs);
        var forecasts = series.Select(held.Rollout).ToArray();   // one rollout per series serves the check and the calibration
        // What won on validation is checked on every held-out origin (validation and calibration): a correction must
        // show a gain over the path alone of more than twice its standard error, and the forecaster kept, path alone or
        // corrected, the same gain over the naive forecast when there are at least NaiveTestBlocks blocks of origins to
        // tell (a random walk's path fits the noise of its look-back, and a correction can then beat the path and still
        // lose to repeating the last value). With fewer, the validation comparison above stands: ETTh2 at horizon 336
        // has 12 blocks, too few for its path (test MSE 0.36 against naive 0.60) to prove itself.
        if (validation > 0 && (linear is not null || keepRecurrent))
        {
            double[]? aloneErrors = null;
            if (linear is not null)
            {
                aloneErrors = new double[naiveErrors.Length];   // the path alone leaves the residual targets
                for (int t = trainSteps; t < steps; t++)
                    foreach (float r in targets.AsSpan(t * batch * ny, batch * ny)) aloneErrors[t - trainSteps] += (double)r * r;
            }
            double[]? heldErrors = keepRecurrent ? held.HeldOutErrors(series, forecasts, length, trainSteps, length - h) : null;
            if (heldErrors is not null && aloneErrors is not null && !IsSignificantGain(heldErrors, aloneErrors, h, out _))
            {
                keepRecurrent = false;
                forecasterMse = linearMse;
                heldErrors = null;
            }
            if (!IsSignificantGain(heldErrors ?? aloneErrors!, naiveErrors, h, out bool decided, NaiveTestBlocks) && decided)
            {
                linear = null;
                keepRecurrent = false;
                forecasterMse = naiveCount > 0 ? naiveSum / naiveCount : double.NaN;
            }
            if (!ReferenceEquals(held.Linear, linear) || held.RecurrentCorrection != keepRecurrent)
            {
                held = linear is not null && !keepRecurrent ? alone!
                    : new Forecaster(model, h, nt, nf, targetScaling, featureScaling, NoResiduals(nt * h), options.ConfidenceLevel, result,
                                     linear, keepRecurrent, ci, options.DifferenceInputs);
                forecasts = series.Select(held.Rollout).ToArray();
            }
        }
        var residuals = calibration > 0 ? held.Calibrate(series, forecasts, length, calFrom, calTo) : NoResiduals(nt * h);
        // A linear path that won alone is refitted on every window the series have, the held-out tails included: they
        // hold the rows nearest the future. The intervals keep the held-out residuals measured above.
        if (linear is not null && !keepRecurrent)
        {
            bool shared = fits is not null && ReferenceEquals(fits.HeldOut, linear);
            var refit = shared && fits!.Refit is { } done ? done
                : LinearForecastPath.Fit(series, targetScaling, linear.Lookback, h, offsets, 0, length - h, length - h, [linear.Ridge], cancellationToken).Path;
            if (shared) fits!.Refit = refit;
            linear = refit;
        }
        return new Forecaster(model, h, nt, nf, targetScaling, featureScaling, residuals,
                              options.ConfidenceLevel, result, linear, keepRecurrent, ci, options.DifferenceInputs) { ValidationMse = (linearMse, forecasterMse) };
    }

    // Whether the mean reduction in squared error from `errors0` to `errors1` per forecast origin exceeds twice its
    // standard error. The forecasts of origins less than h apart share targets, so the errors are averaged over blocks
    // of h origins first and the standard error is that of the block means. With fewer than `minimumBlocks` (4 unless given) there is too little
    // to tell: the answer is no, and `decided` is false.
    private static bool IsSignificantGain(double[] errors1, double[] errors0, int h, out bool decided, int minimumBlocks = 4)
    {
        int blocks = errors1.Length / h;
        decided = blocks >= minimumBlocks;
        if (!decided) return false;
        var means = new double[blocks];
        for (int b = 0; b < blocks; b++)
        {
            double sum = 0;
            for (int i = b * h; i < (b + 1) * h; i++) sum += errors0[i] - errors1[i];
            means[b] = sum / h;
        }
        double mean = means.Average(), variance = means.Sum(m => (m - mean) * (m - mean)) / (blocks - 1);
        return mean > 2 * Math.Sqrt(variance / blocks);
    }

    // The fewest blocks of h held-out origins on which a forecaster must beat the naive one (see Train).
    private const int NaiveTestBlocks = 16;

    // How much of their initial size the recurrent correction's output maps keep (see Train).
    private const double CorrectionInitScale = 0.1;

    // The first `steps` time steps of time-major tensors.
    private static SequenceDataset Slice(float[] inputs, float[] targets, int steps, int batch, int nu, int ny) =>
        new(inputs[..(steps * batch * nu)], targets[..(steps * batch * ny)], steps, batch, nu, ny);

    private static float[][] NoResiduals(int n) => Enumerable.Range(0, n).Select(_ => Array.Empty<float>()).ToArray();

    // The sorted absolute residuals for each (target, step) over the forecast origins t ∈ [from, to) of every series,
    // from the series' rollouts.
    private float[][] Calibrate(IReadOnlyList<SeriesData> series, float[][] rollouts, int length, int from, int to)
    {
        int nt = TargetCount, h = Horizon;
        var residuals = new List<float>[nt * h];
        for (int i = 0; i < residuals.Length; i++) residuals[i] = new();
        for (int b = 0; b < series.Count; b++)
        {
            var s = series[b];
            int offset = s.Length - length;
            var forecasts = rollouts[b];
            for (int t = offset + from; t < offset + to; t++)
                for (int j = 0; j < nt; j++)
                    for (int k = 0; k < h; k++)
                        residuals[j * h + k].Add(Math.Abs(forecasts[(t * nt + j) * h + k] - s.Targets[(t + 1 + k) * nt + j]));
        }
        return residuals.Select(r => { r.Sort(); return r.ToArray(); }).ToArray();
    }

    // Per forecast origin t ∈ [from, to) of the common axis, the squared error of its forecast in standardised changes,
    // summed over targets, steps and series.
    private double[] HeldOutErrors(IReadOnlyList<SeriesData> series, float[][] rollouts, int length, int from, int to)
    {
        int nt = TargetCount, h = Horizon;
        var errors = new double[Math.Max(0, to - from)];
        for (int b = 0; b < series.Count; b++)
        {
            var s = series[b];
            int offset = s.Length - length;
            var forecasts = rollouts[b];
            for (int t = from; t < to; t++)
                for (int j = 0; j < nt; j++)
                    for (int k = 0; k < h; k++)
                    {
                        double d = (forecasts[((offset + t) * nt + j) * h + k] - s.Targets[(offset + t + 1 + k) * nt + j]) / TargetScaling.Std[j];
                        errors[t - from] += d * d;
                    }
        }
        return errors;
    }

    // The model's input at row t: all targets and the features, or (lane >= 0, channel-independent) target `lane` and
    // the features; every lane's inputs for one row are consecutive (the model's batch).
    private void FillInput(SeriesData s, int t, Span<float> u)
    {
        int width = Model.InputSize;
        for (int lane = 0; lane < Lanes; lane++)
            FillLaneInput(s, t, ChannelIndependent ? lane : -1, TargetScaling, FeatureScaling, DifferenceInputs, u.Slice(lane * width, width));
    }

    private static void FillLaneInput(SeriesData s, int t, int lane, Standardizer ty, Standardizer tf, bool differences, Span<float> u)
    {
        int nt = s.TargetCount, nf = s.FeatureCount, at = 0;
        for (int j = lane >= 0 ? lane : 0; j < (lane >= 0 ? lane + 1 : nt); j++)
            u[at++] = differences
                ? (t == 0 ? 0f : (float)((s.Targets[t * nt + j] - s.Targets[(t - 1) * nt + j]) / ty.Std[j]))
                : ty.Forward(s.Targets[t * nt + j], j);
        for (int j = 0; j < nf; j++) u[at + j] = tf.Forward(s.Features[t * nf + j], j);
    }

    /// <summary>
    /// Runs the model over a whole series from a zero state and returns, for every step t, the forecast made after
    /// observing step t: [Length, TargetCount, Horizon] in data units (y_{t+1..t+h} for each target).
    /// </summary>
    public float[] Rollout(SeriesData series)
    {
        CheckSeries(series);
        int T = series.Length, nu = Model.InputSize * Lanes, ny = Horizon * TargetCount;
        var u = new float[T * nu];
        for (int t = 0; t < T; t++) FillInput(series, t, u.AsSpan(t * nu, nu));
        var y = new float[T * ny];
        if (RecurrentCorrection)
            lock (_modelLock) Model.Simulate(new float[Model.StateSize * Lanes], u, T, Lanes, y, new float[Model.StateSize * Lanes]);
        if (Linear is not null)
            Parallel.For(0, TargetCount, j => Linear.AddPredictions(series, j, TargetScaling.Std[j], 0, T, y.AsSpan(j * Horizon), ny));
        for (int t = 0; t < T; t++)
            Decode(y.AsSpan(t * ny, ny), series.Targets.AsSpan(t * TargetCount, TargetCount), y.AsSpan(t * ny, ny));
        return y;
    }

    /// <summary>
    /// Turns the model's output (standardised changes, target-major) after observing <paramref name="lastTargets"/> into
    /// forecasts in data units: ŷ_{t+k,j} = y_{t,j} + σ_j·output_{j,k}. <paramref name="values"/> may be <paramref name="output"/>.
    /// </summary>
    public void Decode(ReadOnlySpan<float> output, ReadOnlySpan<float> lastTargets, Span<float> values)
    {
        Validation.CheckLength(output, Horizon * TargetCount, nameof(output));
        Validation.CheckLength(lastTargets, TargetCount, nameof(lastTargets));
        Validation.CheckLength(values, Horizon * TargetCount, nameof(values));
        for (int j = 0; j < TargetCount; j++)
            for (int k = 0; k < Horizon; k++)
                values[j * Horizon + k] = (float)(lastTargets[j] + TargetScaling.Std[j] * output[j * Horizon + k]);
    }

    /// <summary>A state that has seen nothing (x = 0); <see cref="Predict"/> needs at least one observation.</summary>
    public ForecastState Start() => new(new float[Model.StateSize * Lanes], new float[Horizon * TargetCount], new float[TargetCount], 0,
                                        Linear is null ? [] : new float[TargetCount * Linear.Lookback]);

    /// <summary>Consumes one observation (targets and features at the next step), updating <paramref name="state"/>.</summary>
    public void Observe(ForecastState state, ReadOnlySpan<float> targets, ReadOnlySpan<float> features)
    {
        ArgumentNullException.ThrowIfNull(state);
        Validation.CheckLength(targets, TargetCount, nameof(targets));
        Validation.CheckLength(features, FeatureCount, nameof(features));
        Validation.ThrowIfNotFinite(targets, nameof(targets));
        Validation.ThrowIfNotFinite(features, nameof(features));
        if (state.X.Length != Model.StateSize * Lanes)
            throw new ArgumentException($"The state has {state.X.Length} values of x; the forecaster needs {Model.StateSize * Lanes}.", nameof(state));
        Span<float> u = stackalloc float[Model.InputSize * Lanes];
        int width = Model.InputSize;
        for (int lane = 0; lane < Lanes; lane++)
        {
            var ul = u.Slice(lane * width, width);
            int at = 0;
            for (int j = ChannelIndependent ? lane : 0; j < (ChannelIndependent ? lane + 1 : TargetCount); j++)
                ul[at++] = DifferenceInputs
                    ? (state.Steps == 0 ? 0f : (float)((targets[j] - state.LastTargets[j]) / TargetScaling.Std[j]))
                    : TargetScaling.Forward(targets[j], j);
            for (int j = 0; j < FeatureCount; j++) ul[at + j] = FeatureScaling.Forward(features[j], j);
        }
        var next = new float[Model.StateSize * Lanes];
        if (RecurrentCorrection)
        {
            lock (_modelLock) Model.Simulate(state.X, u, 1, Lanes, state.Output, next);
            next.CopyTo(state.X, 0);
        }
        else
            state.Output.AsSpan().Clear();
        if (Linear is not null) AddLinear(state, targets);
        targets.CopyTo(state.LastTargets);
        state.Steps++;
    }

    // Pushes the observation into the look-back window (filled with it on the first observation, as the training
    // windows repeat a series' first value) and adds the linear forecast to the state's output.
    private void AddLinear(ForecastState state, ReadOnlySpan<float> targets)
    {
        int L = Linear!.Lookback;
        if (state.History.Length != TargetCount * L)
            throw new ArgumentException($"The state's look-back window has {state.History.Length} values; the forecaster needs {TargetCount * L}.", nameof(state));
        for (int j = 0; j < TargetCount; j++)
        {
            var w = state.History.AsSpan(j * L, L);
            if (state.Steps == 0) w.Fill(targets[j]);
            else
            {
                w[1..].CopyTo(w);
                w[L - 1] = targets[j];
            }
            Linear.AddPrediction(w, TargetScaling.Std[j], state.Output.AsSpan(j * Horizon, Horizon));
        }
    }

    /// <summary>Consumes a whole history (oldest first) into a fresh state.</summary>
    public ForecastState Warmup(SeriesData history)
    {
        CheckSeries(history);
        var state = Start();
        if (Linear is not null || !RecurrentCorrection || ChannelIndependent || DifferenceInputs)
        {
            for (int t = 0; t < history.Length; t++)
                Observe(state, history.Targets.AsSpan(t * TargetCount, TargetCount), history.Features.AsSpan(t * FeatureCount, FeatureCount));
            return state;
        }
        int T = history.Length, nu = TargetCount + FeatureCount;
        var u = new float[T * nu];
        for (int t = 0; t < T; t++) FillInput(history, t, u.AsSpan(t * nu, nu));
        var y = new float[T * Horizon * TargetCount];
        lock (_modelLock) Model.Simulate(state.X, u, T, 1, y, state.X);
        y.AsSpan((T - 1) * Horizon * TargetCount).CopyTo(state.Output);
        history.Targets.AsSpan((T - 1) * TargetCount, TargetCount).CopyTo(state.LastTargets);
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
        Decode(state.Output, state.LastTargets, values);
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

/// <summary>
/// The linear path's fits, kept for trainings on the same series with the same look-back, horizon, penalties and
/// held-out fractions (<see cref="ForecasterOptions.LinearFits"/>): the fit on the training windows, and its refit on
/// every window once a correction was dropped. The first training fills them and the later ones reuse them, so that a
/// search over recurrent settings fits the path once. Not thread-safe: share it between trainings run one at a time.
/// </summary>
public sealed class LinearPathFits
{
    /// <summary>The path fitted on the training windows, its penalty chosen on the validation windows; null until a
    /// training with a linear path ran.</summary>
    public LinearForecastPath? HeldOut { get; internal set; }

    /// <summary><see cref="HeldOut"/> refitted with its penalty on every window; null until a training dropped its
    /// correction.</summary>
    public LinearForecastPath? Refit { get; internal set; }
}
