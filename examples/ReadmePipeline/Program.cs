using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Samples;
using Microsoft.ML.Transforms;

// A CSV with columns Series,Step,Drive,Output (here written from the package's simulated system: two units).
File.WriteAllLines("system.csv", SampleData.NonlinearSystem(length: 1500, series: 2)
    .Select(r => FormattableString.Invariant($"{r.Series},{r.Step},{r.Drive},{r.Output}"))
    .Prepend("Series,Step,Drive,Output"));

var ml = new MLContext(seed: 1);
IDataView data = ml.Data.LoadFromTextFile<Row>("system.csv", separatorChar: ',', hasHeader: true);
var (train, test) = ml.Forecasting.SplitByTime(data, testFraction: 0.2, seriesIdColumnName: "Series");

var pipeline = ml.Transforms
    .ReplaceMissingValues("Drive", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
    .Append(ml.Forecasting.R2DN(outputColumnName: "Forecast", inputColumnName: "Output", horizon: 12,
        featureColumnNames: new[] { "Drive" }, confidenceLowerBoundColumn: "Lower", confidenceUpperBoundColumn: "Upper",
        seriesIdColumnName: "Series"));
var model = pipeline.Fit(train);                                  // progress in ml.Log
Console.WriteLine(model.LastTransformer.Certificate);

// Score every row in order (the recurrent state needs the history), then keep the test rows.
var scoredTest = ml.Forecasting
    .SplitByTime(model.Transform(data), testFraction: 0.2, seriesIdColumnName: "Series").TestSet;
var metrics = ml.Forecasting.Evaluate(scoredTest, labelColumnName: "Output", forecastColumnName: "Forecast",
    lowerBoundColumnName: "Lower", upperBoundColumnName: "Upper", seriesIdColumnName: "Series", seasonality: 24,
    trainingData: train);
Console.WriteLine(metrics);

ml.Model.Save(model, data.Schema, "r2dn.zip");                    // a real ML.NET model file
ITransformer loaded = ml.Model.Load("r2dn.zip", out var schema);   // ML.NET's chain, in any app with the plugin
var certificate = loaded.GetForecaster().Certificate;
Console.WriteLine($"reloaded: {certificate.Statement}, verified {certificate.IsVerified}");

var engine = loaded.CreateTimeSeriesEngine<Row, Prediction>(ml); // each series where training ended
Prediction next = new();
foreach (var row in ml.Data.CreateEnumerable<Row>(test, reuseRowObject: false).Where(r => r.Series == "unit-1"))
    next = engine.Predict(row);                                   // update the state with the row, then forecast
Console.WriteLine($"unit-1, next 3 steps: {string.Join(" ", next.Forecast.Take(3).Select(v => v.ToString("F2")))} " +
                  $"(95% interval of the first: {next.Lower[0]:F2} .. {next.Upper[0]:F2})");

public sealed class Row
{
    [LoadColumn(0)] public string Series { get; set; } = "";
    [LoadColumn(1)] public int Step { get; set; }
    [LoadColumn(2)] public float Drive { get; set; }
    [LoadColumn(3)] public float Output { get; set; }
}

public sealed class Prediction
{
    public float[] Forecast { get; set; } = [];
    public float[] Lower { get; set; } = [];
    public float[] Upper { get; set; } = [];
}
