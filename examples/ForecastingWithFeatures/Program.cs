// Forecasting with an exogenous feature.
//
// The built-in sample system (ml.Data.LoadNonlinearSystem) is a driven, damped nonlinear oscillator observed with noise:
// its Output responds to a Drive input that follows a daily (24-step) cycle plus random load changes. We forecast the
// next 12 values of Output after every row, giving the model the Drive column as a feature, with 95% intervals:
//
//   load -> split by time -> train an R2DN forecaster -> evaluate (against the seasonal naive forecast)
//        -> print the robustness certificate -> save the model -> write an SVG plot of one forecast.
//
// Everything runs on data the package generates itself; it takes a few seconds on two cores. The model and the plot
// are written beside the program, or to the folder given as the first argument (dotnet run -- ./out).

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Plotting;
using Microsoft.ML.R2DN.Samples;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Files go to the folder given as the first argument, or beside the program (bin/...), so that runs leave the source tree clean.
string outputFolder = Directory.CreateDirectory(args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? AppContext.BaseDirectory).FullName;
const int Horizon = 12;
const int Season = 24;   // the drive's daily cycle: the seasonal naive forecast repeats the value 24 steps back

var clock = Stopwatch.StartNew();

// 1. Load. A seeded context makes every random choice (initialisation) repeatable.
var ml = new MLContext(seed: 1);
IDataView data = ml.Data.LoadNonlinearSystem(length: 3000);
Console.WriteLine($"Loaded {data.GetRowCount()} rows with columns {string.Join(", ", data.Schema.Select(c => c.Name))}.");

// 2. Split by time: the last 20% of the rows are the test set. Never shuffle a time series.
var (train, test) = ml.Forecasting.SplitByTime(data, testFraction: 0.2);
Console.WriteLine($"Split by time: {train.GetRowCount()} training rows, then {test.GetRowCount()} test rows.");

// 3. Train. Output is the target; Drive is an exogenous feature observed with it. Naming both bound columns asks for
//    split-conformal intervals (calibrated on the last 15% of the training rows, held out of training).
var options = new R2dnForecastingOptions
{
    OutputColumnName = "Forecast",
    InputColumnName = nameof(SystemSample.Output),
    FeatureColumnNames = [nameof(SystemSample.Drive)],
    Horizon = Horizon,
    ConfidenceLowerBoundColumn = "Lower",
    ConfidenceUpperBoundColumn = "Upper",
    ConfidenceLevel = 0.95f,
    StateSize = 16,
    Features = 16,
    HiddenSizes = [32, 32],
    Epochs = 60,
    SegmentLength = 64,
    LearningRate = 5e-3,
};
// Training reports through ml.Log, from the source "ForecastingEstimator; Training": each epoch ("epoch 3/60: loss
// 0.123, ..."; we print the first and every tenth) and, as the robustness is left unset, each setting it tries on the
// validation data ("Setting 1/3: ...") and the one it keeps ("Chose ...").
EventHandler<LoggingEventArgs> printProgress = (_, e) =>
{
    if (!e.Source.StartsWith(nameof(ForecastingEstimator), StringComparison.Ordinal)) return;
    if ((TryEpoch(e.RawMessage, out int epoch) && (epoch == 1 || epoch % 10 == 0))
        || e.RawMessage.StartsWith("Setting ", StringComparison.Ordinal) || e.RawMessage.StartsWith("Chose ", StringComparison.Ordinal))
        Console.WriteLine($"  {e.RawMessage}");
};
ml.Log += printProgress;
Console.WriteLine($"Training an R2DN forecaster (horizon {Horizon}, feature Drive)...");
var trainingClock = Stopwatch.StartNew();
ForecastingTransformer model = ml.Forecasting.R2DN(options).Fit(train);
Console.WriteLine($"Trained in {trainingClock.Elapsed.TotalSeconds:F1} s: {model.ParameterCount:N0} parameters.");
ml.Log -= printProgress;

// 4. Evaluate on the test rows. The model's state must have seen the history, so score the whole series and keep the
//    test rows: Transform runs each series from a zero state, in order.
IDataView scored = model.Transform(data);
var (_, scoredTest) = ml.Forecasting.SplitByTime(scored, testFraction: 0.2);
ForecastingMetrics metrics = ml.Forecasting.Evaluate(scoredTest, labelColumnName: "Output", forecastColumnName: "Forecast",
    lowerBoundColumnName: "Lower", upperBoundColumnName: "Upper", seasonality: Season, trainingData: train);
Console.WriteLine();
Console.WriteLine(metrics);
Console.WriteLine($"R2DN vs seasonal naive: MAE {metrics.Mae:F3} vs {metrics.SeasonalNaiveMae:F3} " +
                  $"({100 * (1 - metrics.Mae / metrics.SeasonalNaiveMae):F0}% lower); 95% interval coverage {metrics.Coverage:P1}.");
Console.WriteLine($"MAE by step ahead: {string.Join(" ", metrics.PerHorizon.Mae.Select(m => m.ToString("F3")))}");

// What does the feature buy? The same model without Drive sees only the past of Output.
var withoutDrive = ml.Forecasting.R2DN(new R2dnForecastingOptions
{
    OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = Horizon, StateSize = 16, Features = 16,
    HiddenSizes = [32, 32], Epochs = 60, SegmentLength = 64, LearningRate = 5e-3,
}).Fit(train);
var (_, scoredTestWithoutDrive) = ml.Forecasting.SplitByTime(withoutDrive.Transform(data), testFraction: 0.2);
var metricsWithoutDrive = ml.Forecasting.Evaluate(scoredTestWithoutDrive, labelColumnName: "Output", forecastColumnName: "Forecast",
                                                  seasonality: Season, trainingData: train);
Console.WriteLine($"Without the Drive feature: MAE {metricsWithoutDrive.Mae:F3}, RMSE {metricsWithoutDrive.Rmse:F3} " +
                  $"(with it: MAE {metrics.Mae:F3}, RMSE {metrics.Rmse:F3}).");

// 5. The certificate: the model is contracting (stable, forgets its initial state) for every value of its weights, and
//    the property is verified numerically on the trained matrices.
Console.WriteLine();
Console.WriteLine($"Certificate: {model.Certificate.Statement}");
Console.WriteLine($"  verified: {(model.Certificate.IsVerified ? "yes" : "NO")}, relative residual {model.Certificate.RelativeResidual:G3}");

// 6. Save: an ML.NET model file, which ml.Model.Load reads back in any application that references this package (and
//    which re-verifies the certificate); see the ConsumeSavedModel example.
string modelPath = Path.Combine(outputFolder, "forecasting-with-features.zip");
ml.Model.Save(model, data.Schema, modelPath);
Console.WriteLine($"Saved the model to {modelPath} ({new FileInfo(modelPath).Length / 1024.0:F0} KiB).");

// 7. Plot one forecast: the last 96 observed steps, then the forecast made at the origin with its interval, against
//    what happened.
var rows = ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).ToList();
int origin = rows.Count - 1 - Horizon - 40;
double[] historyX = [.. Enumerable.Range(origin - 95, 96 + Horizon + 40).Select(i => (double)i)];
double[] actual = [.. historyX.Select(x => (double)rows[(int)x].Output)];
double[] forecastX = [.. Enumerable.Range(origin + 1, Horizon).Select(i => (double)i)];
var at = rows[origin];
var chart = new SvgChart
{
    Title = $"R2DN forecast of Output, {Horizon} steps ahead with a 95% interval",
    XLabel = "step", YLabel = "Output", MarkerX = origin, MarkerLabel = "forecast origin",
};
chart.Add(new BandSeries("95% interval", forecastX, [.. at.Lower.Select(v => (double)v)], [.. at.Upper.Select(v => (double)v)], "#1f77b4"))
     .Add(new LineSeries("actual", historyX, actual, "#333333"))
     .Add(new LineSeries("forecast", forecastX, [.. at.Forecast.Select(v => (double)v)], "#1f77b4", Dashed: true));
string plotPath = Path.Combine(outputFolder, "forecast.svg");
chart.Save(plotPath);
Console.WriteLine($"Wrote the forecast plot to {plotPath}.");
Console.WriteLine($"Forecast from step {origin}: {string.Join(" ", at.Forecast.Take(6).Select(v => v.ToString("F2")))} ...");
Console.WriteLine($"Actual values:         {string.Join(" ", rows.Skip(origin + 1).Take(6).Select(r => r.Output.ToString("F2")))} ...");
Console.WriteLine($"Total time {clock.Elapsed.TotalSeconds:F1} s.");

// Reads the epoch number out of a training message such as "epoch 3/60: loss 0.123, lr 1.0e-03, 0.4 s".
static bool TryEpoch(string message, out int epoch)
{
    epoch = 0;
    const string Prefix = "epoch ";
    int slash = message.IndexOf('/');
    return message.StartsWith(Prefix, StringComparison.Ordinal) && slash > Prefix.Length
        && int.TryParse(message.AsSpan(Prefix.Length, slash - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out epoch);
}

/// <summary>A scored row, read back with CreateEnumerable: the label and the forecast columns.</summary>
internal sealed class ScoredRow
{
    public float Output { get; set; }
    public float[] Forecast { get; set; } = [];
    public float[] Lower { get; set; } = [];
    public float[] Upper { get; set; } = [];
}
