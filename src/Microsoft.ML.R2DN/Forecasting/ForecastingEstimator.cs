using System.Diagnostics;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.Runtime;
using F = Microsoft.ML.R2DN.Engine.Defaults.Forecasting;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Trains an R2DN or REN forecaster; created by <c>ml.Forecasting.R2DN(...)</c> or
/// <c>ml.Forecasting.REN(...)</c>.</summary>
/// <remarks>
/// <para><b>Input columns:</b> one or more numeric targets y, optional numeric features f observed with them, and an
/// optional series id; rows of each series in time order. <b>Output columns:</b> the forecast and, when named, the
/// lower and upper bounds: vectors of horizon × targets <see cref="float"/>s
/// (see <see cref="ForecastingTransformer"/>).</para>
/// <list type="table">
///   <listheader><term>Trainer characteristic</term><description>value</description></listheader>
///   <item><term>Machine learning task</term><description>Time-series forecasting (multi-step,
///   multi-target)</description></item>
///   <item><term>Is normalization required?</term><description>No: targets and features are standardised
///   internally</description></item>
///   <item><term>Is caching required?</term><description>No: the columns are read once into memory</description></item>
///   <item><term>Required NuGet in addition to Microsoft.ML.R2DN</term><description>None</description></item>
/// </list>
/// <para><b>Algorithm.</b> The training rows of every series (all but the calibration tail) are cut to the shortest
/// series, aligned at their ends, standardised, and trained as one batch by truncated backpropagation through time
/// (MODELS.md section 4). The model is contracting, or γ-Lipschitz, by construction for every parameter value; its
/// <see cref="ForecastingTransformer.Certificate"/> verifies this numerically. The intervals are split-conformal:
/// quantiles of the absolute residuals on the held-out tail, per target and step ahead.</para>
/// <para><b>Progress and cancellation.</b> Each epoch is logged to <see cref="MLContext.Log"/> ("epoch 3/60: loss
/// 0.123, lr 1.0e-03, 0.4 s") and reported as a value to the options' <c>Progress</c>, when set
/// (<see cref="TrainingProgress"/>). The options' <c>CancellationToken</c> stops training with an
/// <see cref="OperationCanceledException"/>; no model is returned.</para>
/// </remarks>
public sealed class ForecastingEstimator : IEstimator<ForecastingTransformer>
{
    private readonly IHost _host;
    private readonly RecurrentForecastingOptions _options;
    private readonly ForecastingColumns _columns;

    /// <summary>Creates the estimator in <paramref name="environment"/> (an <see cref="MLContext"/>): what the
    /// catalog's extension methods do; use it directly when you hold the context rather than its catalog.</summary>
    /// <param name="environment">The ML.NET environment: progress goes to its log, seeds come from its random source;
    /// not null.</param>
    /// <param name="options">The settings; not null. Copied: later changes to it do not affect the estimator.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range (the exception names the
    /// property).</exception>
    /// <exception cref="ArgumentException">A column name is null, empty or repeated.</exception>
    public ForecastingEstimator(IHostEnvironment environment, RecurrentForecastingOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _host = environment.Register(nameof(ForecastingEstimator));
        _options = options.Snapshot();
        _options.Validate();
        _columns = ForecastingColumns.From(_options);
    }

    /// <summary>The schema the fitted transformer produces: the input schema plus the forecast column and, when named,
    /// the bound columns (vectors of horizon × targets <see cref="float"/>s).</summary>
    /// <param name="inputSchema">The training data's schema; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target, feature or series id column is missing or has the wrong
    /// type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        _columns.OutputSchema(inputSchema, _options.Horizon * _columns.Targets.Length);

    /// <summary>The shape of the fitted transformer's output: the input columns plus the forecast column and, when
    /// named, the bound columns (known-size vectors of <see cref="float"/>), as ML.NET's pipelines check it before
    /// fitting.</summary>
    /// <param name="inputSchema">The shape of the training data; not null.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target, feature or series id column is missing or has the wrong
    /// type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var c in _columns.Values) SchemaShapes.CheckNumeric(inputSchema, c);
        if (_columns.SeriesId is not null) SchemaShapes.CheckSeriesId(inputSchema, _columns.SeriesId);
        var outputs = new List<string> { _columns.Output };
        if (_columns.HasBounds) outputs.AddRange([_columns.Lower!, _columns.Upper!]);
        return SchemaShapes.WithVectors(inputSchema, _columns.Values[0].Name, outputs);
    }

    /// <summary>Trains the forecaster on <paramref name="input"/>.</summary>
    /// <param name="input">The training data; not null.</param>
    /// <returns>The trained forecaster. Unless <see cref="RecurrentForecastingOptions.KeepEndStates"/> is false, it
    /// holds every series' state after its last row of <paramref name="input"/>, where the engines created from it
    /// start (<c>CreateTimeSeriesEngine</c>).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type.</exception>
    /// <exception cref="ArgumentException">The data is empty ("The training data is empty."), a value is NaN or
    /// infinite under <see cref="MissingValuePolicy.Error"/> (the message names the column and the row), or a series is
    /// too short for the horizon (the message names the series and the length it needs).</exception>
    /// <exception cref="OperationCanceledException"><c>CancellationToken</c> of the options was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Training diverged (the loss became NaN or infinite).</exception>
    public ForecastingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var channel = _host.Start("Training");
        _columns.CheckInput(input.Schema);
        var o = _options;
        var table = SeriesTable.Read(input, _columns.Values, _columns.SeriesId, o.MissingValues, training: true,
                                     o.CancellationToken);
        if (table.RowCount == 0) throw new ArgumentException("The training data is empty.", nameof(input));

        int nt = _columns.Targets.Length, nf = _columns.Features.Length, width = nt + nf;
        var series = table.Items.Select(s => new SeriesData(s.Columns(width, 0, nt), nt, s.Columns(width, nt, nf), nf,
                                                            s.Id)).ToList();
        int seed = o.Seed ?? TrainingRun.NextSeed(_host);
        int shortest = series.Min(s => s.Length);
        int trainRows = (int)(shortest * (1 - o.CalibrationFraction - o.ValidationFraction));
        int lookback = o.LinearLookback ?? Math.Clamp(trainRows / 2, 2, F.MaxAutoLookback);
        var engineOptions = new ForecasterOptions
        {
            Horizon = o.Horizon,
            Epochs = o.Epochs,
            LearningRate = o.LearningRate ?? F.LearningRate,
            SegmentLength = o.SegmentLength,
            ClipValue = o.ClipValue,
            CalibrationFraction = o.CalibrationFraction,
            ConfidenceLevel = OptionChecks.ToDouble(o.ConfidenceLevel),
            Seed = seed,
            Threads = o.Threads,
            LinearLookback = lookback,
            LinearLookbackAlternatives =
                o.LinearLookback is null && lookback == F.MaxAutoLookback ? [F.LongAutoLookback] : [],
            ChannelIndependent = o.ChannelIndependent && nt > 1,
            DifferenceInputs = o.DifferenceInputs,
            ValidationFraction = o.ValidationFraction,
            EarlyStoppingPatience = o.EarlyStoppingPatience,
            Backend = BackendResolver.Resolve(o.Backend, o.Device),
        };
        CheckLengths(series, engineOptions);
        long trainingRows = (long)shortest * series.Count;
        var candidates = Candidates(o, trainingRows);
        var alternatives = engineOptions.LinearLookbackAlternatives;
        string others = alternatives.Length > 0
            ? $" or {string.Join(" or ", alternatives)} (chosen on validation)"
            : "";
        channel.Info(MessageSensitivity.None,
                     $"Training {(o.Kind == ModelKind.R2dn ? "an" : "a")} {OptionChecks.KindName(o.Kind)} forecaster " +
                     $"on {series.Count} series ({table.RowCount} rows), horizon {o.Horizon}, " +
                     $"at most {o.Epochs} epochs" +
                     (lookback > 0 ? $", linear path over the last {lookback}{others} values" : "") +
                     (candidates.Count > 1
                         ? $", choosing among {candidates.Count} settings on the validation data"
                         : "") +
                     (o.TimeBudget is { } tb
                         ? $", within {tb.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s"
                         : "") + ".");

        var clock = Stopwatch.StartNew();
        var tried = new JsonArray();
        (Forecaster Forecaster, double[] Loss, ModelSpec Spec, double Rate, double Score)? best = null;
        var linearFits = new LinearPathFits();   // the path is fitted once, by the first setting, for all of them
        double fastest = double.PositiveInfinity;   // seconds of the quickest setting so far
        for (int i = 0; i < candidates.Count; i++)
        {
            var (spec, rate) = candidates[i];
            var remaining = o.TimeBudget is { } budget ? budget - clock.Elapsed : (TimeSpan?)null;
            // A setting's training stops at the budget, but its held-out checks and refit come after: one starts only
            // when the time left is at least what the quickest setting so far took, so that the whole search ends
            // within it.
            if (remaining is { } r && best is not null && (r <= TimeSpan.Zero || r.TotalSeconds < fastest))
            {
                channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                    $"The time budget is spent ({Math.Max(0, r.TotalSeconds):0} s left, the quickest setting took " +
                    $"{fastest:0} s): {candidates.Count - i} of {candidates.Count} settings were not tried."));
                break;
            }
            var options = engineOptions with
            {
                Model = spec,
                LearningRate = rate,
                LinearFits = linearFits,
                TimeBudget = remaining is { } left && left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1),
            };
            string what = $"{OptionChecks.Describe(spec)} forecaster";

            long start = Stopwatch.GetTimestamp();
            var stage = new TrainingStage(what, i + 1, candidates.Count);
            var (forecaster, loss) = TrainingRun.Run(channel, o, stage, (progress, cancel) =>
            {
                var trained = Forecaster.Train(series, options, progress, cancel);
                return (trained, trained.Training!.TrainLoss.ToArray());
            });
            double score = forecaster.ValidationMse.Forecaster;
            string path = forecaster.Linear is { } chosenPath
                ? $"linear path over {chosenPath.Lookback} values" : lookback > 0
                ? "no linear path kept" : "no linear path";
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            fastest = Math.Min(fastest, seconds);
            tried.Add(new JsonObject
            {
                ["model"] = OptionChecks.Describe(spec), ["learningRate"] = rate,
                ["linearLookback"] = forecaster.Linear?.Lookback ?? 0,
                ["validationMse"] = double.IsFinite(score) ? score : null,
                ["linearValidationMse"] = double.IsFinite(forecaster.ValidationMse.Linear)
                    ? forecaster.ValidationMse.Linear : null,
                ["recurrentCorrection"] = forecaster.RecurrentCorrection,
                ["linearPath"] = forecaster.Linear is not null, ["seconds"] = seconds,
            });
            var inv = CultureInfo.InvariantCulture;
            string outcome = forecaster.RecurrentCorrection ? "recurrent correction kept"
                : forecaster.Linear is not null ? "recurrent correction dropped"
                : "neither beat repeating the last value, which it does";
            string linearNote = lookback > 0
                ? string.Create(inv, $" (linear path alone {forecaster.ValidationMse.Linear:G4}), {outcome}")
                : "";
            channel.Info(MessageSensitivity.None, string.Create(inv,
                $"Setting {i + 1}/{candidates.Count}: {what}, {path}, learning rate {rate:G3}: validation MSE " +
                $"{score:G4}{linearNote}, {seconds:0.0} s."));
            // A later setting must beat the best so far by a margin: the validation tail is short, and the earlier
            // settings are the simpler ones (the linear path, a contracting model), which generalise better at equal
            // error.
            if (best is null || (double.IsFinite(score) && score < best.Value.Score * (1 - SelectionMargin)))
                best = (forecaster, loss, spec, rate, double.IsFinite(score) ? score : double.PositiveInfinity);
        }
        var chosen = best!.Value;
        var core = new ForecastCore(chosen.Forecaster);
        var certificate = chosen.Forecaster.Model.Certify();
        if (candidates.Count > 1)
            channel.Info(MessageSensitivity.None,
                         $"Chose {OptionChecks.Describe(chosen.Spec)} with learning rate " +
                         $"{chosen.Rate.ToString("G3", CultureInfo.InvariantCulture)}.");
        channel.Info(MessageSensitivity.None, $"Certificate: {certificate}");
        var settings = Settings(o, chosen.Spec, seed, chosen.Rate);
        settings["linearLookback"] = chosen.Forecaster.Linear?.Lookback ?? 0;
        settings["channelIndependent"] = chosen.Forecaster.ChannelIndependent;
        settings["differenceInputs"] = chosen.Forecaster.DifferenceInputs;
        settings["validationFraction"] = o.ValidationFraction;
        settings["search"] = tried;
        var model = new ForecastingTransformer(_columns,
            InputTypes.Of(input.Schema, _columns.Values.Select(v => v.Name), _columns.SeriesId), core, o.MissingValues,
            settings, chosen.Loss, certificate);
        return o.KeepEndStates ? WithEndStates(model, table, o.CancellationToken) : model;
    }

    // Every series' state after its last training row, from the scorer that Transform runs, so that an engine's first
    // Predict() is, bit for bit, the forecast Transform writes on that row. The engine's current series is the one of
    // the view's last row.
    private static ForecastingTransformer WithEndStates(ForecastingTransformer model, SeriesTable table,
                                                        CancellationToken cancellation)
    {
        var scorer = new ForecastRowScorer(model);
        string current = "";
        int currentRow = -1;
        foreach (var s in table.Items)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int t = 0; t < s.Length; t++)
                scorer.Observe(s.Id, s.Values.AsSpan(t * table.Width, table.Width), s.Rows[t]);
            if (s.Rows[^1] > currentRow) (currentRow, current) = (s.Rows[^1], s.Id);
        }
        return model.WithEngineStates(scorer.States, current);
    }

    // How much lower (relatively) a later setting's validation error must be to replace the best so far.
    private const double SelectionMargin = 0.01;

    // The settings to try: the user's, with every choice the user left open filled first by the default and then, when
    // there is validation data to choose on, by the alternatives: a γ-Lipschitz model (each of the table's γ), a lower
    // learning rate, a larger model. All keep the linear path: the path nests the linear forecasting baseline, and a
    // forecaster without one would be chosen against it on a short validation tail, where chance has the last word.
    private static List<(ModelSpec Spec, double Rate)> Candidates(RecurrentForecastingOptions o, long trainingRows)
    {
        var baseSpec = OptionChecks.Spec(o.Kind, o.Robustness ?? Robustness.Contracting, o.Gamma,
                                         o.StateSize ?? F.Size, o.NonlinearWidth ?? F.Size,
                                         o.HiddenSizesOrDefault ?? F.HiddenSizes, o.Activation, o.Initialization,
                                         o.ContractionRate, trainingRows);
        double rate = o.LearningRate ?? F.LearningRate;
        var list = new List<(ModelSpec, double)> { (baseSpec, rate) };
        if (o.ValidationFraction <= 0) return list;
        if (o.Robustness is null)
            foreach (double gamma in F.LipschitzGammas)
                list.Add((baseSpec with { Robustness = Robustness.Lipschitz, Gamma = gamma }, rate));
        if (o.LearningRate is null) list.Add((baseSpec, F.AlternativeLearningRate));
        if (o.StateSize is null && o.NonlinearWidth is null && o.HiddenSizesOrDefault is null)
            list.Add((baseSpec with
            {
                StateSize = F.LargerSize,
                NonlinearWidth = F.LargerSize,
                HiddenSizes = o.Kind == ModelKind.R2dn ? F.LargerHiddenSizes : [],
            }, rate));
        return list;
    }

    // The engine says how long a series must be; the message here names the series by its id.
    private void CheckLengths(IReadOnlyList<SeriesData> series, ForecasterOptions options)
    {
        int need = Forecaster.MinimumLength(options), h = options.Horizon;
        foreach (var s in series)
            if (s.Length < need)
            {
                string which = _columns.SeriesId is null
                    ? "The training data has" : $"Series '{s.Name}' (column '{_columns.SeriesId}') has";
                throw new ArgumentException(
                    $"{which} {s.Length} rows; forecasting with horizon {h} needs at least {need} rows per series " +
                    $"({h} for the targets of the last step" +
                    $"{(options.CalibrationFraction > 0 ? $", {h + 1} to calibrate the intervals" : "")}" +
                    $"{(options.ValidationFraction > 0 ? $", {h + 1} to validate" : "")} and 8 to train).",
                    "input");
            }
    }

    private static JsonObject Settings(RecurrentForecastingOptions o, ModelSpec spec, int seed, double rate) => new()
    {
        ["kind"] = spec.Kind.ToString(),
        ["robustness"] = spec.Robustness.ToString(),
        ["gamma"] = spec.Gamma,
        ["stateSize"] = spec.StateSize,
        ["features"] = spec.NonlinearWidth,
        ["hiddenSizes"] = new JsonArray(spec.HiddenSizes.Select(v => (JsonNode?)v).ToArray()),
        ["activation"] = spec.Activation.ToString(),
        ["initialization"] = spec.Initialization.ToString(),
        ["contractionRate"] = spec.ContractionRate,
        ["epochs"] = o.Epochs,
        ["learningRate"] = rate,
        ["segmentLength"] = o.SegmentLength,
        ["clipValue"] = o.ClipValue,
        ["calibrationFraction"] = o.CalibrationFraction,
        ["seed"] = seed,
    };
}
