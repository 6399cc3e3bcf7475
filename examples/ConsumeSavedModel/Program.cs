// Consuming a saved forecaster, one observation at a time.
//
// This is what an application does after training: it loads the model file, keeps a time-series engine with the
// model's recurrent state, feeds it each new observation as it arrives (Predict(example)) and reads the forecast with
// its interval, and checkpoints the state so that a restarted process continues where it left off.
//
// The model file is an ordinary ML.NET model: ml.Model.Load returns ML.NET's TransformerChain<ITransformer>, whose
// Transform scores rows as the trained transformer does; GetForecaster() recovers this package's ForecastingTransformer
// (its horizon, columns and certificate) from it. Run the program twice: the second run finds the file and loads it in
// a fresh process, without training.
//
//   1. Train and save a model (or, when the file is already there from an earlier run, skip training).
//   2. ml.Model.Load -> GetForecaster() for the model's properties,
//   CreateTimeSeriesEngine<Observation, OutputForecast>.
//   3. Predict() at once: the forecast after the last training step; then feed new observations one by one and print
//      forecasts with bounds.
//   4. engine.CheckPoint(ml, path), load the checkpoint in a new engine and continue: the forecasts carry on exactly.
//
// The files are written beside the program, or to the folder given as the first argument (dotnet run -- ./out).
// Pass --retrain to train again even when the model file exists.

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int TrainingLength = 2000;
// Files go to the folder given as the first argument, or beside the program (bin/...), so that runs leave the source
// tree clean.
string outputFolder = Directory.CreateDirectory(args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
                                                ?? AppContext.BaseDirectory).FullName;
string modelPath = Path.Combine(outputFolder, "consume-saved-model.zip");
string checkpointPath = Path.Combine(outputFolder, "consume-saved-model.checkpoint.zip");
var clock = Stopwatch.StartNew();

// The "live" data: one long run of the sample system. Steps 0..1999 are history (the model was trained on them);
// later steps arrive one at a time, as they would from a sensor.
var all = SampleData.NonlinearSystem(length: TrainingLength + 200, seed: 11).ToList();
var history = all.Take(TrainingLength).ToList();
var incoming = all.Skip(TrainingLength).ToList();

var ml = new MLContext(seed: 1);

// 1. Train and save, unless the model file is already there.
if (!File.Exists(modelPath) || args.Contains("--retrain"))
{
    Console.WriteLine($"Training a forecaster on {history.Count} steps (Output, with Drive as a feature)...");
    IDataView training = ml.Data.LoadFromEnumerable(history);
    var trained = ml.Forecasting.R2DN(new R2dnForecastingOptions
    {
        OutputColumnName = "Forecast", InputColumnName = "Output", FeatureColumnNames = ["Drive"], Horizon = 6,
        ConfidenceLowerBoundColumn = "Lower", ConfidenceUpperBoundColumn = "Upper", ConfidenceLevel = 0.9f,
        StateSize = 16, NonlinearWidth = 16, HiddenSizes = [32, 32], Epochs = 60, SegmentLength = 64,
        LearningRate = 5e-3,
    }).Fit(training);
    ml.Model.Save(trained, training.Schema, modelPath);
    Console.WriteLine($"Saved {modelPath} ({clock.Elapsed.TotalSeconds:F1} s).");
}
else
{
    Console.WriteLine($"Found {modelPath}: using it (pass --retrain to train a new one).");
}

// 2. Load: ML.NET's chain of its own transformers, which carries the R2DN model inside. GetForecaster() rebuilds this
//    package's transformer from it and re-verifies the certificate; the schema is that of the data it was trained on.
ITransformer model = ml.Model.Load(modelPath, out DataViewSchema inputSchema);
ForecastingTransformer forecaster = model.GetForecaster();
Console.WriteLine($"ml.Model.Load returned {model.GetType().Name.Split('`')[0]}<ITransformer> with " +
                  $"{((IEnumerable<ITransformer>)model).Count()} ML.NET transformers.");
Console.WriteLine($"Loaded the forecaster ({forecaster.ModelKind}, {forecaster.ParameterCount:N0} parameters): " +
                  $"horizon {forecaster.Horizon}, target {forecaster.TargetColumnNames[0]}, " +
                  $"features [{string.Join(", ", forecaster.FeatureColumnNames)}], {forecaster.ConfidenceLevel:P0} " +
                  $"intervals.");
Console.WriteLine($"Trained on columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
Console.WriteLine($"Certificate: {forecaster.Certificate.Statement}, verified: " +
                  $"{(forecaster.Certificate.IsVerified ? "yes" : "NO")}.");

var engine = model.CreateTimeSeriesEngine<Observation, OutputForecast>(ml);

// 3. The engine starts where training ended: the model kept its state after the last step of history, so Predict()
//    at once forecasts the steps after it: the forecast the loaded chain's Transform writes on that last row.
OutputForecast atStart = engine.Predict();
float[] afterAll = ml.Data.CreateEnumerable<OutputForecast>(model.Transform(ml.Data.LoadFromEnumerable(history)),
                                                            reuseRowObject: false)
                     .Last().Forecast;
Console.WriteLine($"The engine starts after step {history[^1].Step}: {Format(atStart.Forecast)}, " +
                  $"{(atStart.Forecast.SequenceEqual(afterAll) ? "bit for bit" : "NOT")} the forecast Transform " +
                  $"writes there.");
Console.WriteLine();
Console.WriteLine($"{"step",6} {"observed",9} | {$"forecast of steps +1 .. +{forecaster.Horizon}",-36} | " +
                  $"{"step +1: 90% interval",-21} | next actual");
int fed = 0;
foreach (var row in incoming.Take(12))
{
    OutputForecast f = engine.Predict(new Observation { Output = row.Output, Drive = row.Drive });
    Print(row.Step, row.Output, f, all[row.Step + 1].Output);
    fed++;
}

// The parameterless Predict gives the forecast from the current state, without a new observation; a shorter horizon
// and another confidence level can be asked for.
OutputForecast again = engine.Predict(horizon: 3, confidenceLevel: 0.5f);
Console.WriteLine($"Without a new observation, 3 steps at 50%: {Format(again.Forecast)}  [{Format(again.Lower)}] .. " +
                  $"[{Format(again.Upper)}]");

// 4. Checkpoint: the model file with the engine's current state. A new process loads it and continues.
engine.CheckPoint(ml, checkpointPath);
Console.WriteLine();
Console.WriteLine($"Checkpointed the state after step {incoming[fed - 1].Step} to {checkpointPath}.");

var restored = ml.Model.Load(checkpointPath, out _).CreateTimeSeriesEngine<Observation, OutputForecast>(ml);
Console.WriteLine("Reloaded the checkpoint in a new engine; both engines now get the same new observations:");
double largestDifference = 0;
foreach (var row in incoming.Skip(fed).Take(6))
{
    var observation = new Observation { Output = row.Output, Drive = row.Drive };
    OutputForecast fromRestored = restored.Predict(observation);
    OutputForecast fromOriginal = engine.Predict(observation);
    largestDifference =
        Math.Max(largestDifference, fromRestored.Forecast.Zip(fromOriginal.Forecast, (a, b) => Math.Abs(a - b)).Max());
    Print(row.Step, row.Output, fromRestored, all[row.Step + 1].Output);
}
Console.WriteLine($"Largest difference between the restored and the original engine's forecasts: " +
                  $"{largestDifference:G3}.");
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
return 0;

static void Print(int step, float observed, OutputForecast f, float nextActual)
{
    string interval = $"[{f.Lower[0]:F2}, {f.Upper[0]:F2}]";
    string inside = nextActual >= f.Lower[0] && nextActual <= f.Upper[0] ? "inside" : "OUTSIDE";
    Console.WriteLine($"{step,6} {observed,9:F2} | {Format(f.Forecast),-36} | {interval,-21} | {nextActual,6:F2} " +
                      $"{inside}");
}

static string Format(float[] values) =>
    string.Join(" ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));

/// <summary>One observation: the target and the feature the model was trained with (matched by name).</summary>
internal sealed class Observation
{
    public float Output { get; set; }
    public float Drive { get; set; }
}

/// <summary>The engine's answer: the forecast column and the two bound columns of the model.</summary>
internal sealed class OutputForecast
{
    public float[] Forecast { get; set; } = [];
    public float[] Lower { get; set; } = [];
    public float[] Upper { get; set; } = [];
}
