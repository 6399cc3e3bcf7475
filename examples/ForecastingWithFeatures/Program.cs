// Forecasting with an exogenous feature.
//
// The built-in sample system (ml.Data.LoadNonlinearSystem) is a driven, damped nonlinear oscillator observed with
// noise:
// its Output responds to a Drive input that follows a daily (24-step) cycle plus random load changes. We forecast the
// next 12 values of Output after every row, giving the model the Drive column as a feature, with 95% intervals:
//
//   load -> split by time -> train an R2DN forecaster -> evaluate (against the seasonal naive forecast)
//        -> print the robustness certificate -> save the model -> plot one forecast (PNG and SVG, with ScottPlot).
//
// Everything runs on data the package generates itself; it takes a few seconds on two cores. The model and the plot
// are written beside the program, or to the folder given as the first argument (dotnet run -- ./out).

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Engine.Training;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;
using ScottPlot;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Files go to the folder given as the first argument, or beside the program (bin/...), so that runs leave the source
// tree clean.
string outputArgument = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
                        ?? AppContext.BaseDirectory;
string outputFolder = Directory.CreateDirectory(outputArgument).FullName;
const int Horizon = 12;
const int Season = 24;   // the drive's daily cycle: the seasonal naive forecast repeats the value 24 steps back

var clock = Stopwatch.StartNew();

// 1. Load. A seeded context makes every random choice (initialisation) repeatable.
var ml = new MLContext(seed: 1);
IDataView data = ml.Data.LoadNonlinearSystem(length: 3000);
Console.WriteLine($"Loaded {data.GetRowCount()} rows with columns " +
                  $"{string.Join(", ", data.Schema.Select(c => c.Name))}.");

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
    NonlinearWidth = 16,
    HiddenSizes = [32, 32],
    Epochs = 60,
    SegmentLength = 64,
    LearningRate = 5e-3,
    // Each epoch comes as a value: the setting being tried (as the robustness is left unset, Fit tries a few on the
    // validation data and keeps the best), the epoch, its losses and the time left. We print the first and every tenth.
    // (The same epochs also go to ml.Log as text: "epoch 3/60: loss 0.123, lr 1.0e-03, 0.4 s".)
    Progress = new SynchronousProgress<TrainingProgress>(p =>
    {
        var (stage, e) = (p.Stage, p.Epoch);
        if (e.Epoch == 0 || (e.Epoch + 1) % 10 == 0)
            Console.WriteLine($"  setting {stage.Setting}/{stage.Settings} ({stage.Model}): epoch {e.Epoch + 1}/" +
                              $"{e.Epochs}, loss {e.TrainLoss:G3}, ~{e.Remaining.TotalSeconds:F0} s left");
    }),
};
Console.WriteLine($"Training an R2DN forecaster (horizon {Horizon}, feature Drive)...");
var trainingClock = Stopwatch.StartNew();
ForecastingTransformer model = ml.Forecasting.R2DN(options).Fit(train);
Console.WriteLine($"Trained in {trainingClock.Elapsed.TotalSeconds:F1} s: {model.ParameterCount:N0} parameters.");

// 4. Evaluate on the test rows. The model's state must have seen the history, so score the whole series and keep the
//    test rows: Transform runs each series from a zero state, in order.
IDataView scored = model.Transform(data);
var (_, scoredTest) = ml.Forecasting.SplitByTime(scored, testFraction: 0.2);
ForecastingMetrics metrics = ml.Forecasting.Evaluate(scoredTest, labelColumnName: "Output",
    forecastColumnName: "Forecast", lowerBoundColumnName: "Lower", upperBoundColumnName: "Upper", seasonality: Season,
    trainingData: train);
Console.WriteLine();
Console.WriteLine(metrics);
Console.WriteLine($"R2DN vs seasonal naive: MAE {metrics.Mae:F3} vs {metrics.SeasonalNaiveMae:F3} " +
                  $"({100 * (1 - metrics.Mae / metrics.SeasonalNaiveMae):F0}% lower); " +
                  $"95% interval coverage {metrics.Coverage:P1}.");
Console.WriteLine($"MAE by step ahead: {string.Join(" ", metrics.PerHorizon.Mae.Select(m => m.ToString("F3")))}");

// What does the feature buy? The same model without Drive sees only the past of Output.
var withoutDrive = ml.Forecasting.R2DN(new R2dnForecastingOptions
{
    OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = Horizon, StateSize = 16, NonlinearWidth = 16,
    HiddenSizes = [32, 32], Epochs = 60, SegmentLength = 64, LearningRate = 5e-3,
}).Fit(train);
var (_, scoredTestWithoutDrive) = ml.Forecasting.SplitByTime(withoutDrive.Transform(data), testFraction: 0.2);
var metricsWithoutDrive = ml.Forecasting.Evaluate(scoredTestWithoutDrive, labelColumnName: "Output",
                                                  forecastColumnName: "Forecast", seasonality: Season,
                                                  trainingData: train);
Console.WriteLine($"Without the Drive feature: MAE {metricsWithoutDrive.Mae:F3}, RMSE {metricsWithoutDrive.Rmse:F3} " +
                  $"(with it: MAE {metrics.Mae:F3}, RMSE {metrics.Rmse:F3}).");

// 5. The certificate: the model is contracting (stable, forgets its initial state) for every value of its weights, and
//    the property is verified numerically on the trained matrices.
Console.WriteLine();
Console.WriteLine($"Certificate: {model.Certificate.Statement}");
Console.WriteLine($"  verified: {(model.Certificate.IsVerified ? "yes" : "NO")}, " +
                  $"relative residual {model.Certificate.RelativeResidual:G3}");

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
var plot = new Plot();
plot.Title($"R2DN forecast of Output, {Horizon} steps ahead with a 95% interval");
plot.XLabel("step");
plot.YLabel("Output");
var band = plot.Add.FillY(forecastX, [.. at.Lower.Select(v => (double)v)], [.. at.Upper.Select(v => (double)v)]);
band.FillColor = Colors.C0.WithAlpha(0.25);
band.LineWidth = 0;
band.LegendText = "95% interval";
plot.Add.ScatterLine(historyX, actual, Colors.Black).LegendText = "actual";
var forecast = plot.Add.ScatterLine(forecastX, [.. at.Forecast.Select(v => (double)v)], Colors.C0);
forecast.LegendText = "forecast";
forecast.LinePattern = LinePattern.Dashed;
plot.Add.VerticalLine(origin, 1, Colors.Gray, LinePattern.Dotted).LegendText = "forecast origin";
plot.ShowLegend(Edge.Bottom);
string plotPath = Path.Combine(outputFolder, "forecast.png");
plot.SavePng(plotPath, 900, 420);
plot.SaveSvg(Path.ChangeExtension(plotPath, ".svg"), 900, 420);
Console.WriteLine($"Wrote the forecast plot to {plotPath} and {Path.ChangeExtension(plotPath, ".svg")}.");
Console.WriteLine($"Forecast from step {origin}: " +
                  $"{string.Join(" ", at.Forecast.Take(6).Select(v => v.ToString("F2")))} ...");
Console.WriteLine("Actual values:         " +
                  $"{string.Join(" ", rows.Skip(origin + 1).Take(6).Select(r => r.Output.ToString("F2")))} ...");
Console.WriteLine($"Total time {clock.Elapsed.TotalSeconds:F1} s.");

/// <summary>A scored row, read back with CreateEnumerable: the label and the forecast columns.</summary>
internal sealed class ScoredRow
{
    public float Output { get; set; }
    public float[] Forecast { get; set; } = [];
    public float[] Lower { get; set; } = [];
    public float[] Upper { get; set; } = [];
}
