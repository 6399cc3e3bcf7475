namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary><c>r2dn train --task forecasting</c>: an R2DN or REN forecaster of the <c>--label</c> columns
/// <c>--horizon</c> steps ahead, evaluated against the seasonal naive forecast.</summary>
internal sealed class ForecastingTask(TrainSettings s, CancellationToken cancel) : ITrainTask
{
    private string _forecast = "", _lower = "", _upper = "";
    private ForecastingTransformer? _model;
    private IDataView? _scored;
    private ForecastingMetrics? _metrics;

    public string Name => "forecasting";

    public string ModelNoun => "forecaster";

    public IReadOnlyList<(string Name, string Role)> Columns =>
        [.. s.Labels.Select(l => (l, "--label")), .. s.Features.Select(f => (f, "--features"))];

    private string[]? AdditionalTargets => s.Labels.Length > 1 ? s.Labels[1..] : null;

    private ForecastingTransformer Model => _model ?? throw new InvalidOperationException("Evaluate first.");

    public IEstimator<ITransformer> CreateEstimator(MLContext ml, DataViewSchema schema, string? seriesId,
                                                    IProgress<TrainingProgress>? progress)
    {
        _forecast = CsvChecks.UniqueName(schema, "Forecast");
        _lower = CsvChecks.UniqueName(schema, "Lower", _forecast);
        _upper = CsvChecks.UniqueName(schema, "Upper", _forecast, _lower);
        string target = s.Labels[0];
        RecurrentForecastingOptions options = s.Kind == ModelKind.Ren
            ? new RenForecastingOptions { OutputColumnName = _forecast, InputColumnName = target, Horizon = s.Horizon }
            : new R2dnForecastingOptions
            {
                OutputColumnName = _forecast, InputColumnName = target, Horizon = s.Horizon, HiddenSizes = s.Hidden,
            };
        options.AdditionalTargetColumnNames = AdditionalTargets;
        options.FeatureColumnNames = s.Features.Length > 0 ? s.Features : null;
        options.SeriesIdColumnName = seriesId;
        options.ConfidenceLowerBoundColumn = _lower;
        options.ConfidenceUpperBoundColumn = _upper;
        options.ConfidenceLevel = (float)s.Confidence;
        s.ApplyTo(options, cancel, progress);
        return options is R2dnForecastingOptions r ? ml.Forecasting.R2DN(r)
            : ml.Forecasting.REN((RenForecastingOptions)options);
    }

    public IReadOnlyList<double> Evaluate(MLContext ml, ITransformer model, IDataView data, IDataView train,
                                          IDataView test, string? seriesId)
    {
        _model = (ForecastingTransformer)model;
        // Scored over whole series, so that the state has seen the history when it forecasts the test rows; the test
        // rows are then the same split of the scored view.
        _scored = _model.Transform(data);
        var testScored = ml.Forecasting.SplitByTime(_scored, s.TestFraction, seriesId).TestSet;
        try
        {
            _metrics = ml.Forecasting.Evaluate(testScored, s.Labels[0], _forecast, _lower, _upper, seriesId,
                                               s.Seasonality, train, additionalLabelColumnNames: AdditionalTargets);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);   // a missing value in the test rows, under --missing-values error
        }
        return _model.TrainingLoss;
    }

    public string? WritePlot(string path)
    {
        var series = Scoring.ReadForecasts(_scored!, Model, 0);
        var first = series[0];
        int n = first.Actual.Length, h = Model.Horizon, testStart = Scoring.TestStart(n, s.TestFraction);
        int windowStart = Math.Max(0, Math.Max(testStart - Math.Max(2 * h, 48), n - 1500));
        var origins = Enumerable.Range(0, (n - testStart + h) / h).Select(j => testStart - 1 + j * h)
                                .Where(o => o >= windowStart - 1);
        string title = $"{s.Labels[0]}{SeriesTitle(first.Name)}: test forecasts, {h} steps ahead from every {h}th row";
        Charts.Save(Charts.Forecast(first, 0, s.Labels[0], h, s.Confidence, windowStart, origins, future: false,
                                    (testStart - 0.5, "test starts"), title), path);
        return series.Count > 1 ? $"series '{first.Name}'" : null;
    }

    public void AddSettingsJson(JsonObject json, string? seriesId)
    {
        json["columns"] = new JsonObject
        {
            ["targets"] = new JsonArray([.. s.Labels.Select(l => (JsonNode)l)]),
            ["features"] = new JsonArray([.. s.Features.Select(f => (JsonNode)f)]),
            ["seriesId"] = seriesId,
            ["forecast"] = _forecast, ["lower"] = _lower, ["upper"] = _upper,
        };
        json["horizon"] = s.Horizon;
        json["confidenceLevel"] = s.Confidence;
    }

    public JsonNode MetricsJson() => Report.MetricsJson(_metrics!);

    public string Headline()
    {
        string labels = string.Join(", ", s.Labels);
        string from = s.Features.Length > 0 ? $" from {labels} and {string.Join(", ", s.Features)}"
            : s.Labels.Length > 1 ? " from their past values" : " from its past values";
        return $"Forecasting {labels} {s.Horizon} steps ahead{from}.";
    }

    public string MetricsText(LoadedModel saved)
    {
        var text = new StringBuilder();
        var metrics = _metrics!;
        string kind = Report.KindName(saved.Kind);
        text.Append(Report.MetricsText(metrics, "Test metrics", kind, s.Confidence, perStep: false)).AppendLine();
        if (metrics.Count == 0)
            text.AppendLine($"Warning: the test part is too short to compare forecasts {s.Horizon} steps ahead; " +
                            "raise --test-fraction.");
        return text.ToString();
    }

    public IEnumerable<string> NextCommands(string model, string data)
    {
        string fraction = s.TestFraction.ToString(CultureInfo.InvariantCulture);
        string seasonality = s.Seasonality > 1 ? $" --seasonality {s.Seasonality}" : "";
        yield return $"r2dn evaluate --model {model} --data {data} --test-fraction {fraction}{seasonality}";
        yield return $"r2dn forecast --model {model} --data {data} --output forecasts.csv";
    }

    private static string SeriesTitle(string id) => id.Length > 0 ? $" (series {id})" : "";
}
