namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>
/// Multi-step forecasting with a robust recurrent model (API.md 3.1): at each step the model reads
/// [y_t, f_t] (standardised) and outputs the changes y_{t+k} − y_t for k = 1 … h (in units of each target's standard
/// deviation), so the forecast is y_t plus the predicted change: the naive forecast is the model's zero, and level
/// shifts between training and use do not move the inputs the network must extrapolate to. Several series train as
/// one batch. Split-conformal intervals come from the residuals on a held-out tail of each series.
/// </summary>
/// <remarks>Immutable after training and safe to share across threads; a <see cref="ForecastState"/> belongs to one
/// caller. Training is <see cref="ForecasterTraining"/>; a whole series' forecasts are <see cref="Rollout"/>.</remarks>
public sealed partial class Forecaster
{
    private readonly object _modelLock = new();
    private readonly float[][] _residuals;

    internal Forecaster(RecurrentModel model, ForecasterShape shape, float[][] residuals, double confidenceLevel,
                        TrainingResult? training, LinearForecastPath? linear, bool recurrentCorrection)
    {
        (Shape, Model, ConfidenceLevel, Training) = (shape, model, confidenceLevel, training);
        (Linear, RecurrentCorrection, _residuals) = (linear, recurrentCorrection, residuals);
        HalfWidths = residuals.Length > 0 && residuals[0].Length > 0 ? HalfWidthsAt(confidenceLevel) : [];
    }

    internal ForecasterShape Shape { get; }

    /// <summary>
    /// Per (target j, step k), at index j·Horizon + k, the absolute calibration residuals sorted ascending (empty
    /// arrays when intervals are off): the split-conformal intervals at any level come from these.
    /// </summary>
    public IReadOnlyList<float[]> CalibrationResiduals => _residuals;

    /// <summary>The trained model (input [y_t, f_t] standardised, output the next Horizon standardised targets).
    /// </summary>
    public RecurrentModel Model { get; }

    /// <summary>Steps ahead.</summary>
    public int Horizon => Shape.Horizon;

    /// <summary>Targets per step.</summary>
    public int TargetCount => Shape.TargetCount;

    /// <summary>Features per step.</summary>
    public int FeatureCount => Shape.FeatureCount;

    /// <summary>Target standardisation.</summary>
    public Standardizer TargetScaling => Shape.TargetScaling;

    /// <summary>Feature standardisation.</summary>
    public Standardizer FeatureScaling => Shape.FeatureScaling;

    /// <summary>Interval half-widths per (target, step), in data units; empty when intervals are off.</summary>
    public float[] HalfWidths { get; }

    /// <summary>The intervals' coverage level.</summary>
    public double ConfidenceLevel { get; }

    /// <summary>The training record (null for a loaded forecaster).</summary>
    public TrainingResult? Training { get; }

    /// <summary>Whether the model reads changes rather than levels of the targets (see
    /// <see cref="ForecasterOptions.DifferenceInputs"/>).</summary>
    public bool DifferenceInputs => Shape.DifferenceInputs;

    /// <summary>Whether one model runs on each target separately (see
    /// <see cref="ForecasterOptions.ChannelIndependent"/>).</summary>
    public bool ChannelIndependent => Shape.ChannelIndependent;

    private int Lanes => Shape.Lanes;

    /// <summary>The linear path the recurrent model corrects, or null. When it won alone on validation it was then
    /// refitted on the validation windows too.</summary>
    public LinearForecastPath? Linear { get; }

    /// <summary>Whether the recurrent model's output is added (false when, with a linear path, the correction did not
    /// lower the validation error: the forecaster is then the linear path alone). False without a linear path too
    /// when the forecaster fell back to repeating the last value.</summary>
    public bool RecurrentCorrection { get; }

    /// <summary>The validation MSE (standardised changes) of the linear path alone (of the naive forecast without a
    /// path) and of the forecaster as kept; NaN without validation.</summary>
    public (double Linear, double Forecaster) ValidationMse { get; internal init; } = (double.NaN, double.NaN);

    /// <summary>The model's input size for a forecaster of these sizes: targets (or 1) + features.</summary>
    public static int ModelInputs(int targetCount, int featureCount, bool channelIndependent) =>
        (channelIndependent ? 1 : targetCount) + featureCount;

    /// <summary>The model's output size: horizon × targets (or × 1).</summary>
    public static int ModelOutputs(int horizon, int targetCount, bool channelIndependent) =>
        horizon * (channelIndependent ? 1 : targetCount);

    /// <summary>The fewest time steps a series needs for training with these options.</summary>
    public static int MinimumLength(ForecasterOptions options, int minimumTrainingSteps = 8)
    {
        int calibration = options.CalibrationFraction > 0 ? options.Horizon + 1 : 0;
        int validation = options.ValidationFraction > 0 ? options.Horizon + 1 : 0;
        return minimumTrainingSteps + options.Horizon + calibration + validation;
    }

    /// <summary>Trains a forecaster on one or more series (they train as one batch, aligned at their ends).</summary>
    /// <param name="series">The series; not empty.</param>
    /// <param name="options">The settings; checked with <see cref="ForecasterOptions.Validate"/>.</param>
    /// <param name="progress">Receives every epoch of the recurrent model's training, synchronously on the training
    /// thread; null (default) for none.</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="ArgumentException">No series, inconsistent widths, or a series shorter than
    /// <see cref="MinimumLength"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Forecaster Train(IReadOnlyList<SeriesData> series, ForecasterOptions options,
                                   IProgress<EpochReport>? progress = null,
                                   CancellationToken cancellationToken = default) =>
        ForecasterTraining.Run(series, options, progress, cancellationToken);

    /// <summary>Rebuilds a forecaster from its parts (model files); <paramref name="calibrationResiduals"/> as
    /// <see cref="CalibrationResiduals"/>.</summary>
    /// <exception cref="ArgumentException">A size does not match the others.</exception>
    public static Forecaster FromParts(RecurrentModel model, int horizon, int targetCount, int featureCount,
                                       Standardizer targets, Standardizer features, float[][] calibrationResiduals,
                                       double confidenceLevel, LinearForecastPath? linear = null,
                                       bool recurrentCorrection = true, bool channelIndependent = false,
                                       bool differenceInputs = false)
    {
        if (linear is not null && linear.Horizon != horizon)
            throw new ArgumentException($"The linear path forecasts {linear.Horizon} steps; the forecaster {horizon}.",
                                        nameof(linear));
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibrationResiduals);
        if (model.InputSize != ModelInputs(targetCount, featureCount, channelIndependent)
            || model.OutputSize != ModelOutputs(horizon, targetCount, channelIndependent))
            throw new ArgumentException("The model's sizes do not match the forecaster's.", nameof(model));
        if (calibrationResiduals.Length != horizon * targetCount
            || calibrationResiduals.Any(r => r is null || r.Length != calibrationResiduals[0].Length))
            throw new ArgumentException("There must be one residual array of equal length per (target, step).",
                                        nameof(calibrationResiduals));
        var sorted = calibrationResiduals.Select(r =>
        {
            var c = (float[])r.Clone();
            Array.Sort(c);
            return c;
        }).ToArray();
        var shape = new ForecasterShape(horizon, targetCount, featureCount, channelIndependent, differenceInputs,
                                        targets, features);
        return new Forecaster(model, shape, sorted, confidenceLevel, null, linear, recurrentCorrection);
    }

    /// <summary>Split-conformal half-widths at <paramref name="level"/> ∈ (0, 1): per (target, step) the
    /// ⌈(n + 1)·level⌉-th smallest residual (the largest when that rank exceeds n).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not in (0, 1).</exception>
    public float[] HalfWidthsAt(double level)
    {
        if (!(level > 0 && level < 1))
            throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        var widths = new float[_residuals.Length];
        for (int i = 0; i < widths.Length; i++)
        {
            var r = _residuals[i];
            int rank = Math.Min(r.Length, (int)Math.Ceiling((r.Length + 1) * level));
            widths[i] = r.Length == 0 ? float.PositiveInfinity : r[Math.Max(0, rank - 1)];
        }
        return widths;
    }

    /// <summary>
    /// Turns the model's output (standardised changes, target-major) after observing <paramref name="lastTargets"/>
    /// into forecasts in data units: ŷ_{t+k,j} = y_{t,j} + σ_j·output_{j,k}. <paramref name="values"/> may be
    /// <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
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
    public ForecastState Start() =>
        new(new float[Model.StateSize * Lanes], new float[Horizon * TargetCount], new float[TargetCount], 0,
            Linear is null ? [] : new float[TargetCount * Linear.Lookback]);

    /// <summary>Consumes one observation (targets and features at the next step), updating <paramref name="state"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span has the wrong length or a value is not finite, or the state is not
    /// this forecaster's.</exception>
    public void Observe(ForecastState state, ReadOnlySpan<float> targets, ReadOnlySpan<float> features)
    {
        ArgumentNullException.ThrowIfNull(state);
        Validation.CheckLength(targets, TargetCount, nameof(targets));
        Validation.CheckLength(features, FeatureCount, nameof(features));
        Validation.ThrowIfNotFinite(targets, nameof(targets));
        Validation.ThrowIfNotFinite(features, nameof(features));
        if (state.X.Length != Model.StateSize * Lanes)
            throw new ArgumentException(
                $"The state has {state.X.Length} values of x; the forecaster needs {Model.StateSize * Lanes}.",
                nameof(state));
        Span<float> u = stackalloc float[Model.InputSize * Lanes];
        FillObservedInput(state, targets, features, u);
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

    // The model's input for one observation, as FillInput makes it from a series (differences against the state's
    // last targets).
    private void FillObservedInput(ForecastState state, ReadOnlySpan<float> targets, ReadOnlySpan<float> features,
                                   Span<float> u)
    {
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
    }

    // Pushes the observation into the look-back window (filled with it on the first observation, as the training
    // windows repeat a series' first value) and adds the linear forecast to the state's output.
    private void AddLinear(ForecastState state, ReadOnlySpan<float> targets)
    {
        int L = Linear!.Lookback;
        if (state.History.Length != TargetCount * L)
            throw new ArgumentException(
                $"The state's look-back window has {state.History.Length} values; the forecaster needs " +
                $"{TargetCount * L}.", nameof(state));
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
    /// <exception cref="ArgumentException">The series' widths are not the forecaster's.</exception>
    public ForecastState Warmup(SeriesData history)
    {
        CheckSeries(history);
        var state = Start();
        if (Linear is not null || !RecurrentCorrection || ChannelIndependent || DifferenceInputs)
        {
            for (int t = 0; t < history.Length; t++)
                Observe(state, history.Targets.AsSpan(t * TargetCount, TargetCount),
                        history.Features.AsSpan(t * FeatureCount, FeatureCount));
            return state;
        }
        // One pass of the model over the whole history: the same state as observing it row by row, faster.
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

    /// <summary>The forecast after the observations <paramref name="state"/> has seen, in data units, with intervals.
    /// </summary>
    /// <exception cref="InvalidOperationException">The state has seen no observation.</exception>
    public ForecastResult Predict(ForecastState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Steps == 0)
            throw new InvalidOperationException(
                "The forecast needs at least one observation; call Observe or Warmup first.");
        int n = Horizon * TargetCount;
        var values = new float[n];
        Decode(state.Output, state.LastTargets, values);
        if (HalfWidths.Length == 0) return new ForecastResult(values, [], []);
        var lower = new float[n];
        var upper = new float[n];
        for (int i = 0; i < n; i++)
        {
            lower[i] = values[i] - HalfWidths[i];
            upper[i] = values[i] + HalfWidths[i];
        }
        return new ForecastResult(values, lower, upper);
    }

    private void CheckSeries(SeriesData series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.TargetCount != TargetCount || series.FeatureCount != FeatureCount)
            throw new ArgumentException(
                $"The series has {series.TargetCount} targets and {series.FeatureCount} features; the forecaster " +
                $"expects {TargetCount} and {FeatureCount}.", nameof(series));
    }
}
