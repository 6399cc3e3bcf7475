namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary><c>r2dn train --task simulation</c>: an R2DN or REN simulator of the <c>--outputs</c> from the
/// <c>--inputs</c> alone, from a zero state, scored by its NRMSE.</summary>
internal sealed class SimulationTask(TrainSettings s, CancellationToken cancel) : ITrainTask
{
    private string[] _predicted = [];
    private SimulationTransformer? _model;
    private IDataView? _test;
    private double _trainNrmse, _testNrmse;

    public string Name => "simulation";

    public string ModelNoun => "simulator";

    public IReadOnlyList<(string Name, string Role)> Columns =>
        [.. s.Inputs.Select(c => (c, "--inputs")), .. s.Outputs.Select(c => (c, "--outputs"))];

    private SimulationTransformer Model => _model ?? throw new InvalidOperationException("Evaluate first.");

    public IEstimator<ITransformer> CreateEstimator(MLContext ml, DataViewSchema schema, string? seriesId,
                                                    IProgress<TrainingProgress>? progress)
    {
        var predicted = new List<string>();
        foreach (string o in s.Outputs) predicted.Add(CsvChecks.UniqueName(schema, o + "Predicted", [.. predicted]));
        _predicted = [.. predicted];
        RecurrentSimulationOptions options = s.Kind == ModelKind.Ren
            ? new RenSimulationOptions { OutputColumnNames = s.Outputs, InputColumnNames = s.Inputs }
            : new R2dnSimulationOptions
            {
                OutputColumnNames = s.Outputs, InputColumnNames = s.Inputs, HiddenSizes = s.Hidden,
            };
        options.PredictedColumnNames = _predicted;
        options.SeriesIdColumnName = seriesId;
        s.ApplyTo(options, cancel, progress);
        return options is R2dnSimulationOptions r ? ml.Forecasting.SimulateR2DN(r)
            : ml.Forecasting.SimulateREN((RenSimulationOptions)options);
    }

    public IReadOnlyList<double> Evaluate(MLContext ml, ITransformer model, IDataView data, IDataView train,
                                          IDataView test, string? seriesId)
    {
        _model = (SimulationTransformer)model;
        _test = test;
        _trainNrmse = _model.Nrmse(train);
        _testNrmse = _model.Nrmse(test);
        return _model.TrainingLoss;
    }

    public string? WritePlot(string path)
    {
        var (chart, name) = SimulationPlot.Chart(Model, _test!, null, null, "test part");
        Charts.Save(chart, path);
        return name is null ? null : $"series '{name}'";
    }

    public void AddSettingsJson(JsonObject json, string? seriesId)
    {
        json["columns"] = new JsonObject
        {
            ["inputs"] = new JsonArray([.. s.Inputs.Select(c => (JsonNode)c)]),
            ["outputs"] = new JsonArray([.. s.Outputs.Select(c => (JsonNode)c)]),
            ["predicted"] = new JsonArray([.. _predicted.Select(c => (JsonNode)c)]),
            ["seriesId"] = seriesId,
        };
        json["washout"] = Model.Washout;
    }

    public JsonNode MetricsJson() =>
        new JsonObject { ["testNrmse"] = Report.Json(_testNrmse), ["trainNrmse"] = Report.Json(_trainNrmse) };

    public string Headline() =>
        $"Simulating {string.Join(", ", s.Outputs)} from {string.Join(", ", s.Inputs)} (from a zero state, inputs " +
        "only).";

    public string MetricsText(LoadedModel saved)
    {
        int washout = Model.Washout;
        var text = new StringBuilder();
        text.AppendLine($"NRMSE (after a washout of {washout} rows per series; 0 is perfect, 1 is as good as the " +
                        "mean):");
        text.AppendLine($"  test   {Report.Num(_testNrmse)}");
        text.AppendLine($"  train  {Report.Num(_trainNrmse)}");
        if (!double.IsFinite(_testNrmse))
            text.AppendLine($"Warning: no test row is left after the washout of {washout} rows; lower --washout or " +
                            "raise --test-fraction.");
        return text.ToString();
    }

    public IEnumerable<string> NextCommands(string model, string data)
    {
        yield return $"r2dn evaluate --model {model} --data {data}";
        yield return $"r2dn forecast --model {model} --data {data} --output simulated.csv";
    }
}
