// REN versus R2DN on one forecasting task.
//
// Both trainers build robust recurrent models, contracting by construction:
//   * REN  (recurrent equilibrium network): a linear system in feedback with a layer of neurons that solve an implicit
//          equilibrium at every step;
//   * R2DN (robust recurrent deep network): a linear system in feedback with an explicit 1-Lipschitz deep network, so
//          a step is a plain feed-forward pass (cheaper per step, and it scales to wide networks).
// We train both on the sample system (forecast Output 12 steps ahead, with Drive as a feature) with the same state
// size, neurons, epochs and seed, and compare test accuracy, training time, parameter counts and certificates.

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Horizon = 12;
const int Season = 24;

var ml = new MLContext(seed: 7);
IDataView data = ml.Data.LoadNonlinearSystem(length: 3000);
var (train, _) = ml.Forecasting.SplitByTime(data, testFraction: 0.2);

// The settings both models share; each trainer has its own options class with the same properties. We compare at
// two widths: 16 neurons (the default for this data size) and 64. Timings depend on the machine; the numbers to
// compare are the ratios in one run.
const int StateSize = 16, Epochs = 60, SegmentLength = 64, Seed = 3;
const double LearningRate = 5e-3;
string[] features = ["Drive"];

var results = new List<Result>();
foreach (int neurons in new[] { 16, 64 })
{
    results.Add(Run($"REN nv={neurons}", ml.Forecasting.REN(new RenForecastingOptions
    {
        OutputColumnName = "Forecast", InputColumnName = "Output", FeatureColumnNames = features, Horizon = Horizon,
        ConfidenceLowerBoundColumn = "Lower", ConfidenceUpperBoundColumn = "Upper",
        StateSize = StateSize, NonlinearWidth = neurons, Epochs = Epochs, SegmentLength = SegmentLength,
        LearningRate = LearningRate, Seed = Seed,
    })));
    results.Add(Run($"R2DN nv={neurons}", ml.Forecasting.R2DN(new R2dnForecastingOptions
    {
        OutputColumnName = "Forecast", InputColumnName = "Output", FeatureColumnNames = features, Horizon = Horizon,
        ConfidenceLowerBoundColumn = "Lower", ConfidenceUpperBoundColumn = "Upper",
        StateSize = StateSize, NonlinearWidth = neurons,
        HiddenSizes = [32, 32],   // the R2DN's 1-Lipschitz deep network: two hidden layers of 32
        Epochs = Epochs, SegmentLength = SegmentLength, LearningRate = LearningRate, Seed = Seed,
    })));
}

// Side by side.
Console.WriteLine();
Console.WriteLine($"{"",-26}{string.Concat(results.Select(r => $"{r.Name,15}"))}");
Row("parameters", r => r.Model.ParameterCount.ToString("N0"));
Row("training time (s)", r => r.TrainSeconds.ToString("F1"));
Row("score + evaluate (ms)", r => r.ScoreMilliseconds.ToString("F0"));
Row("final training loss", r => r.Model.TrainingLoss[^1].ToString("G3"));
Row("test MAE", r => r.Metrics.Mae.ToString("F3"));
Row("test RMSE", r => r.Metrics.Rmse.ToString("F3"));
Row("test MASE", r => r.Metrics.Mase.ToString("F3"));
Row("seasonal naive MAE", r => r.Metrics.SeasonalNaiveMae.ToString("F3"));
Row("95% interval coverage", r => r.Metrics.Coverage.ToString("P1"));
Row("mean interval width", r => r.Metrics.MeanIntervalWidth.ToString("F2"));
Row("certificate", r => r.Model.Certificate.Property.ToString().ToLowerInvariant());
Row("certificate verified", r => r.Model.Certificate.IsVerified ? "yes" : "NO");
Row("relative residual", r => r.Model.Certificate.RelativeResidual.ToString("G3"));
Console.WriteLine();
foreach (var r in results)
    Console.WriteLine($"{r.Name}: {r.Model.Certificate}");
return 0;

// Trains one model, times it, and evaluates it on the last 20% of the rows (scored with the whole history, so the
// state has seen everything before each test row).
Result Run(string name, ForecastingEstimator estimator)
{
    Console.WriteLine($"Training the {name}...");
    var clock = Stopwatch.StartNew();
    var model = estimator.Fit(train);
    double trainSeconds = clock.Elapsed.TotalSeconds;
    var metrics = Evaluate(model);   // the first pass also compiles the scoring code: time the second
    clock.Restart();
    Evaluate(model);
    double scoreMilliseconds = clock.Elapsed.TotalMilliseconds;
    Console.WriteLine($"  {name}: {trainSeconds:F1} s, {model.ParameterCount:N0} parameters, test MAE " +
                      $"{metrics.Mae:F3}");
    return new Result(name, model, metrics, trainSeconds, scoreMilliseconds);
}

// Scores every row (Transform is lazy: the evaluation computes it) and evaluates the test rows.
ForecastingMetrics Evaluate(ForecastingTransformer model)
{
    var (_, scoredTest) = ml.Forecasting.SplitByTime(model.Transform(data), testFraction: 0.2);
    return ml.Forecasting.Evaluate(scoredTest, labelColumnName: "Output", forecastColumnName: "Forecast",
        lowerBoundColumnName: "Lower", upperBoundColumnName: "Upper", seasonality: Season, trainingData: train);
}

void Row(string label, Func<Result, string> value) =>
    Console.WriteLine($"{label,-26}{string.Concat(results.Select(r => $"{value(r),15}"))}");

internal sealed record Result(string Name, ForecastingTransformer Model, ForecastingMetrics Metrics,
                              double TrainSeconds,
                              double ScoreMilliseconds);
