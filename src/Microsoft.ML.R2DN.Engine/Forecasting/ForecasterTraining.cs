using System.Numerics.Tensors;

namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>
/// One training of a <see cref="Forecaster"/> (<see cref="Forecaster.Train"/>): the linear path is fitted (its
/// look-back and penalty chosen on validation), the recurrent model is trained on what the path leaves, and then every
/// part must earn its place on the held-out rows: the correction against the path alone, and what is kept against
/// the naive forecast (repeat the last value). The intervals are calibrated on the calibration tail.
/// </summary>
internal sealed class ForecasterTraining
{
    // The fewest blocks of h held-out origins on which a forecaster must beat the naive one: with fewer the test has
    // too little power (a path that is better would often fail it), and the validation comparison stands alone.
    private const int NaiveTestBlocks = 16;

    // How much of their initial size the recurrent correction's output maps keep when there is a linear path.
    private const double CorrectionInitScale = 0.1;

    private readonly IReadOnlyList<SeriesData> _series;
    private readonly ForecasterOptions _options;
    private readonly CancellationToken _cancel;
    private readonly TrainingWindows _w;
    private readonly ForecasterShape _shape;
    private readonly int _lanes, _laneTargets, _batch, _nu, _ny;
    private LinearForecastPath? _linear;
    private double _linearMse = double.NaN;

    // Time-major tensors over the common window: u_t = [y_t, f_t], target_t = the changes (y_{t+k} − y_t)/σ per
    // target, less the linear path's forecast when there is one; and per held-out origin the naive forecast's error.
    private float[] _inputs = [], _targets = [];
    private double[] _naiveErrors = [];
    private double _naiveSum;
    private long _naiveCount;

    private ForecasterTraining(IReadOnlyList<SeriesData> series, ForecasterOptions options, CancellationToken cancel)
    {
        _series = series;
        _options = options;
        _cancel = cancel;
        _w = TrainingWindows.Of(series, options);
        int nt = series[0].TargetCount, nf = series[0].FeatureCount;
        bool ci = options.ChannelIndependent;
        _shape = new ForecasterShape(options.Horizon, nt, nf, ci, options.DifferenceInputs,
                                     Fit(s => s.Targets, nt), Fit(s => s.Features, nf));
        _lanes = _shape.Lanes;
        _laneTargets = ci ? 1 : nt;
        _batch = series.Count * _lanes;
        _nu = _laneTargets + nf;
        _ny = options.Horizon * _laneTargets;
    }

    private int H => _options.Horizon;

    /// <summary>Trains a forecaster (see <see cref="Forecaster.Train"/>).</summary>
    public static Forecaster Run(IReadOnlyList<SeriesData> series, ForecasterOptions options,
                                 IProgress<EpochReport>? progress, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckSeries(series, options);
        var training = new ForecasterTraining(series, options, cancel);
        training.ChooseLinearPath();
        training.BuildTensors();
        return training.TrainAndChoose(progress);
    }

    private static void CheckSeries(IReadOnlyList<SeriesData> series, ForecasterOptions options)
    {
        if (series.Count == 0) throw new ArgumentException("There is no series to train on.", nameof(series));
        int nt = series[0].TargetCount, nf = series[0].FeatureCount, h = options.Horizon;
        foreach (var s in series)
            if (s.TargetCount != nt || s.FeatureCount != nf)
                throw new ArgumentException(
                    $"Series '{s.Name}' has {s.TargetCount} targets and {s.FeatureCount} features; the first has " +
                    $"{nt} and {nf}.", nameof(series));
        int need = Forecaster.MinimumLength(options);
        foreach (var s in series)
            if (s.Length < need)
                throw new ArgumentException(
                    $"Series '{s.Name}' has {s.Length} rows; forecasting with horizon {h} needs at least {need} " +
                    $"rows ({h} for the targets of the last step" +
                    $"{(options.CalibrationFraction > 0 ? $", {h + 1} to calibrate the intervals" : "")}" +
                    $"{(options.ValidationFraction > 0 ? $", {h + 1} to validate" : "")} and 8 to train).",
                    nameof(series));
    }

    // The standardisation of one kind of column, fitted on the rows training sees.
    private Standardizer Fit(Func<SeriesData, float[]> columns, int width) =>
        Standardizer.Fit(_series.Select(s => TrainingRows(columns(s), s.Length, width)), width);

    // The rows of one series that training sees: its last _w.Length rows, up to the end of training.
    private float[] TrainingRows(float[] column, int length, int width)
    {
        int first = length - _w.Length;
        return column[(first * width)..((first + _w.TrainEnd) * width)];
    }

    // The look-backs tried: the given one, then (on validation) the alternatives the training windows allow; the one
    // with the lowest validation error is kept. A path fitted by an earlier training of the search is reused.
    private void ChooseLinearPath()
    {
        var o = _options;
        int[] lookbacks = o.LinearLookback <= 0 ? []
            : _w.Validation > 0
            ? [o.LinearLookback, .. o.LinearLookbackAlternatives.Where(l => l != o.LinearLookback
                                                                             && 3 * l <= _w.TrainSteps)]
            : [o.LinearLookback];
        var fits = o.LinearFits;
        if (lookbacks.Length > 0 && fits?.HeldOut is { } given && lookbacks.Contains(given.Lookback)
            && given.Horizon == H)
        {
            _linear = given;
            return;
        }
        int from = _w.Validation > 0 ? _w.ValidationFrom : _w.TrainSteps;
        int to = _w.Validation > 0 ? _w.ValidationTo : _w.TrainSteps;
        foreach (int lookback in lookbacks)
        {
            var (path, mse) = LinearForecastPath.Fit(_series, _shape.TargetScaling, lookback, H, _w.Offsets, 0,
                                                     _w.TrainSteps, from, to, o.LinearRidges, _cancel);
            if (_linear is null || mse < _linearMse) (_linear, _linearMse) = (path, mse);
        }
        if (fits is not null && _linear is not null) (fits.HeldOut, fits.Refit) = (_linear, null);
    }

    private void BuildTensors()
    {
        int steps = _w.Steps;
        _inputs = new float[steps * _batch * _nu];
        _targets = new float[steps * _batch * _ny];
        _naiveErrors = new double[steps - _w.TrainSteps];
        for (int b = 0; b < _batch; b++)
            for (int t = 0; t < steps; t++) FillRow(b, t);
        if (_linear is not null) SubtractLinearPath(_linear);
    }

    // Lane b's input and targets at origin t, and the naive forecast's error there (its target is the change).
    private void FillRow(int b, int t)
    {
        var s = _series[b / _lanes];
        int lane = b % _lanes, offset = _w.Offsets[b / _lanes], nt = _shape.TargetCount, h = H;
        bool ci = _shape.ChannelIndependent;
        Forecaster.FillLaneInput(s, offset + t, ci ? lane : -1, _shape.TargetScaling, _shape.FeatureScaling,
                                 _shape.DifferenceInputs, _inputs.AsSpan((t * _batch + b) * _nu, _nu));
        var target = _targets.AsSpan((t * _batch + b) * _ny, _ny);
        for (int jj = 0; jj < _laneTargets; jj++)
        {
            int j = ci ? lane : jj;
            for (int k = 0; k < h; k++)
                target[jj * h + k] =
                    (float)((s.Targets[(offset + t + 1 + k) * nt + j] - s.Targets[(offset + t) * nt + j])
                                             / _shape.TargetScaling.Std[j]);
            for (int k = 0; k < h; k++)
            {
                double e = (double)target[jj * h + k] * target[jj * h + k];
                if (t >= _w.ValidationFrom)
                {
                    _naiveSum += e;
                    _naiveCount++;
                }
                if (t >= _w.TrainSteps) _naiveErrors[t - _w.TrainSteps] += e;
            }
        }
    }

    // The recurrent model learns what the linear path leaves: its forecasts, a (lane, target) at a time, come off.
    private void SubtractLinearPath(LinearForecastPath path)
    {
        int steps = _w.Steps, h = H;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.Threads ?? Environment.ProcessorCount, CancellationToken = _cancel,
        };
        Parallel.For(0, _batch * _laneTargets, parallel, () => new float[steps * h], (item, _, predicted) =>
        {
            int b = item / _laneTargets, jj = item % _laneTargets;
            int j = _shape.ChannelIndependent ? b % _lanes : jj, offset = _w.Offsets[b / _lanes];
            predicted.AsSpan().Clear();
            path.AddPredictions(_series[b / _lanes], j, _shape.TargetScaling.Std[j], offset, offset + steps,
                                predicted, h);
            for (int t = 0; t < steps; t++)
            {
                var target = _targets.AsSpan((t * _batch + b) * _ny + jj * h, h);
                TensorPrimitives.Subtract(target, predicted.AsSpan(t * h, h), target);
            }
            return predicted;
        }, _ => { });
    }

    private RecurrentModel CreateModel()
    {
        var model = _options.Model.Create(_nu, _ny, _options.Seed);
        if (_options.Threads is int threads) model.Threads = threads;
        // A correction starts near zero where the parameterisation allows it (the output maps are free parameters of
        // the contracting models): training then begins close to the linear path's answer. Not at zero exactly: with
        // the output maps at zero no gradient reaches the state's dynamics, and the correction learns far more slowly.
        if (_linear is not null)
            foreach (var g in model.Layout.Groups)
                if (g.Name is "C2" or "D21" or "D22" or "by")
                    foreach (ref double v in g.Slice(model.Parameters)) v *= CorrectionInitScale;
        return model;
    }

    private Forecaster TrainAndChoose(IProgress<EpochReport>? progress)
    {
        var model = CreateModel();
        var all = new SequenceDataset(_inputs, _targets, _w.Steps, _batch, _nu, _ny);
        var validation = _w.Validation > 0 ? all : null;
        var data = _w.Steps == _w.TrainSteps ? all : all.Head(_w.TrainSteps);
        var trainer = new Trainer();
        var result = TrainingBackends.Fit(model, _options.Backend,
            trainable => trainer.Fit(trainable, data, TrainerOptions(validation), progress, _cancel));
        var choice = ChooseOnValidation(result);
        var (held, forecasts) = CheckOnHeldOut(model, result, ref choice);
        var residuals = _w.Calibration > 0
            ? HeldOutChecks.Residuals(held, _series, forecasts, _w.Length, _w.CalibrationFrom, _w.CalibrationTo)
            : HeldOutChecks.None(_shape.TargetCount * H);
        if (_linear is not null && !choice.KeepRecurrent) _linear = RefitLinearPath(_linear);
        return new Forecaster(model, _shape, residuals, _options.ConfidenceLevel, result, _linear,
                              choice.KeepRecurrent)
        {
            ValidationMse = (_linearMse, choice.Mse),
        };
    }

    private TrainerOptions TrainerOptions(SequenceDataset? validation)
    {
        var o = _options;
        long stepsPerEpoch = SequenceDataset.GetSegmentCount(_w.TrainSteps, o.SegmentLength);
        return new TrainerOptions
        {
            Epochs = o.Epochs,
            SegmentLength = o.SegmentLength,
            Loss = new MeanSquaredError(),
            ClipValue = o.ClipValue,
            Schedule = new ExponentialDecaySchedule(o.LearningRate, Math.Max(1, stepsPerEpoch * o.Epochs), 0.1),
            ValidationData = validation,
            ValidationWashout = validation is null ? 0 : _w.ValidationFrom,
            EarlyStoppingPatience = validation is null ? null : o.EarlyStoppingPatience,
            TimeBudget = o.TimeBudget,
        };
    }

    // Whether the recurrent correction is kept, and the validation MSE of the forecaster as kept.
    private record struct Choice(bool KeepRecurrent, double Mse);

    // With validation data, every part must earn its place: the recurrent correction against the linear path alone
    // (the validation MSE of the residual targets with a zero correction), and the linear path against the naive
    // forecast (repeat the last value), which a forecaster falls back to when neither beats it.
    private Choice ChooseOnValidation(TrainingResult result)
    {
        if (_w.Validation == 0) return new Choice(true, double.NaN);
        double zero = 0;
        long n = 0;
        for (int i = _w.ValidationFrom * _batch * _ny; i < _targets.Length; i++)
        {
            zero += (double)_targets[i] * _targets[i];
            n++;
        }
        zero /= Math.Max(1, n);
        double naive = _naiveCount > 0 ? _naiveSum / _naiveCount : double.PositiveInfinity;
        double best = result.ValidationLoss.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.PositiveInfinity).Min();
        if (_linear is not null && !(zero < naive) && !(best < naive)) _linear = null;   // the naive forecast is best
        bool keep = best < zero && (_linear is not null || best < naive);
        _linearMse = zero;   // without a path the residual targets are the changes: the naive forecast's error
        return new Choice(keep, keep ? best : _linear is not null ? zero : naive);
    }

    // What won on validation is checked on every held-out origin (validation and calibration): a correction must show
    // a gain over the path alone of more than twice its standard error, and the forecaster kept, path alone or
    // corrected, the same gain over the naive forecast when there are at least NaiveTestBlocks blocks of origins to
    // tell (a random walk's path fits the noise of its look-back, and a correction can then beat the path and still
    // lose to repeating the last value). Returns the forecaster kept (without intervals) and its rollouts.
    private (Forecaster Held, float[][] Forecasts) CheckOnHeldOut(RecurrentModel model, TrainingResult result,
                                                                   ref Choice choice)
    {
        var alone = _linear is null ? null : Uncalibrated(model, result, _linear, false);
        var held = Uncalibrated(model, result, _linear, choice.KeepRecurrent);
        var forecasts = _series.Select(held.Rollout).ToArray();   // one rollout per series: the checks and calibration
        if (_w.Validation == 0 || (_linear is null && !choice.KeepRecurrent)) return (held, forecasts);
        double[]? aloneErrors = _linear is null ? null : AloneErrors();
        double[]? heldErrors = choice.KeepRecurrent
            ? HeldOutChecks.Errors(held, _series, forecasts, _w.Length, _w.TrainSteps, _w.Length - H)
            : null;
        if (heldErrors is not null && aloneErrors is not null
            && !HeldOutChecks.IsSignificantGain(heldErrors, aloneErrors, H, out _))
        {
            choice = new Choice(false, _linearMse);
            heldErrors = null;
        }
        if (!HeldOutChecks.IsSignificantGain(heldErrors ?? aloneErrors!, _naiveErrors, H, out bool decided,
                                             NaiveTestBlocks) && decided)
        {
            _linear = null;
            choice = new Choice(false, _naiveCount > 0 ? _naiveSum / _naiveCount : double.NaN);
        }
        if (ReferenceEquals(held.Linear, _linear) && held.RecurrentCorrection == choice.KeepRecurrent)
            return (held, forecasts);
        held = _linear is not null && !choice.KeepRecurrent ? alone!
            : Uncalibrated(model, result, _linear, choice.KeepRecurrent);
        return (held, _series.Select(held.Rollout).ToArray());
    }

    // Per held-out origin, the squared error of the path alone: what it leaves, the residual targets.
    private double[] AloneErrors()
    {
        var errors = new double[_naiveErrors.Length];
        int width = _batch * _ny;
        for (int t = _w.TrainSteps; t < _w.Steps; t++)
            foreach (float r in _targets.AsSpan(t * width, width)) errors[t - _w.TrainSteps] += (double)r * r;
        return errors;
    }

    private Forecaster Uncalibrated(RecurrentModel model, TrainingResult result, LinearForecastPath? linear,
                                    bool recurrentCorrection) =>
        new(model, _shape, HeldOutChecks.None(_shape.TargetCount * H), _options.ConfidenceLevel, result, linear,
            recurrentCorrection);

    // A linear path that won alone is refitted on every window the series have, the held-out tails included: they
    // hold the rows nearest the future. The intervals keep the held-out residuals measured before.
    private LinearForecastPath RefitLinearPath(LinearForecastPath linear)
    {
        var fits = _options.LinearFits;
        bool shared = fits is not null && ReferenceEquals(fits.HeldOut, linear);
        if (shared && fits!.Refit is { } done) return done;
        int end = _w.Length - H;
        var refit = LinearForecastPath.Fit(_series, _shape.TargetScaling, linear.Lookback, H, _w.Offsets, 0, end, end,
                                           [linear.Ridge], _cancel).Path;
        if (shared) fits!.Refit = refit;
        return refit;
    }
}
