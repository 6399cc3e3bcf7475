// F16 ground-vibration-test system identification with a contracting R2DN, following the paper's protocol
// (Barbara, Wang & Manchester, "R2DN", arXiv:2504.01250; MODELS.md §4.1):
//   train on Level 1, 3, 5, 7 (batch 4), all files standardised with Level4_Validation's mean and std;
//   R2DN nx 75, nv 75, hidden 87,87,87, relu, long_memory init (97,481 parameters);
//   truncated BPTT over array_split segments of ~256 steps with the state carried, one Adam step per segment;
//   loss = mean over time of the squared error summed over batch and channels; element-wise gradient clip 10;
//   Adam 1e-3 with a ×0.1 staircase every 20 epochs' worth of steps (floor 1e-6); 70 epochs;
//   then validation NRMSE on Level 2, 4, 6, each simulated from x0 = 0 over its whole length, after a 100-step washout.
// This example drives the engine (Microsoft.ML.R2DN.Engine) directly, without ML.NET, so that its timings are the
// engine's; examples/RealDataAcceptance runs the same experiment through mlContext.Forecasting.SimulateR2DN.
// Exit codes: 0 done, 1 failed, 2 bad arguments, 3 data not found (SKIPPED), 130 cancelled (Ctrl+C).

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using F16SystemIdentification;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

const int SegmentLength = 256;
const int Washout = 100;
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

ExampleOptions options;
try
{
    options = ExampleOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"f16: error: {e.Message} Run with --help for usage.");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(ExampleOptions.Usage);
    return 0;
}

string? dataDirectory = F16Data.Locate(options.DataDirectory, out var searched);
if (dataDirectory is null)
{
    Console.Error.WriteLine("f16: SKIPPED: the F16 data was not found.");
    if (options.DataDirectory is not null)
    {
        string dir = Path.GetFullPath(options.DataDirectory);
        var missing = Directory.Exists(dir) ? F16Data.MissingFiles(dir) : [.. F16Data.AllFiles];
        Console.Error.WriteLine($"  In {dir} these files are missing: {string.Join(", ", missing)}");
    }
    else
    {
        Console.Error.WriteLine($"  Looked for shared/data/F16GVT in every folder above " +
                                $"{Directory.GetCurrentDirectory()} and {AppContext.BaseDirectory}.");
    }
    Console.Error.WriteLine("  Get the F-16 ground vibration test benchmark from 4TU.ResearchData " +
                            "(doi:10.4121/12954911, F16GVT_Files.zip),");
    Console.Error.WriteLine("  and copy its BenchmarkData files F16Data_FullMSine_Level{1..7}.csv (Level 2, 4 and 6 " +
                            "are named *_Validation.csv)");
    Console.Error.WriteLine("  into ../shared/data/F16GVT beside the repository, or pass --data DIR.");
    return 3;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;   // a second Ctrl+C ends the process at once
    e.Cancel = true;
    cancel.Cancel();
    Console.Error.WriteLine("Cancelling after the current training step (press Ctrl+C again to quit at once)...");
};

try
{
    return Run(options, dataDirectory, cancel.Token);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException
                          or InvalidOperationException)
{
    Console.Error.WriteLine($"f16: error: {e.Message.ReplaceLineEndings(" ")}");
    return 1;
}

static int Run(ExampleOptions options, string dataDirectory, CancellationToken cancellationToken)
{
    Console.WriteLine($"Data: {dataDirectory}");
    var loadWatch = Stopwatch.StartNew();
    var (trainSequences, validationSequences) = F16Data.Load(dataDirectory);
    int trainLength = trainSequences.Min(s => s.Length);
    if (trainSequences.Any(s => s.Length != trainLength))
        Console.WriteLine($"  note: the training files differ in length; all are cut to the shortest ({trainLength} " +
                          $"steps) to form one batch.");
    var (trainU, trainY) = F16Data.StackTimeMajor(trainSequences, trainLength);
    var train =
        new SequenceDataset(trainU, trainY, trainLength, trainSequences.Length, F16Data.InputSize, F16Data.OutputSize);
    Console.WriteLine($"  train: {string.Join(", ", trainSequences.Select(s => s.Name))}: {trainSequences.Length} x " +
                      $"{trainLength} steps");
    Console.WriteLine($"  validation: {string.Join(", ", validationSequences.Select(s => $"{s.Name} ({s.Length})"))}");
    Console.WriteLine($"  loaded and standardised in {loadWatch.Elapsed.TotalSeconds:F1} s");

    var model = new ContractingR2dn(new R2dnOptions
    {
        InputSize = F16Data.InputSize,
        StateSize = 75,
        NonlinearWidth = 75,
        OutputSize = F16Data.OutputSize,
        HiddenSizes = [87, 87, 87],
        Activation = Activation.ReLU,
        Initialization = Initialization.LongMemory,
    }, options.Seed);

    int stepsPerEpoch = train.Split(SegmentLength).Length;
    var trainerOptions = new TrainerOptions
    {
        Epochs = options.Epochs,
        SegmentLength = SegmentLength,
        CarryState = true,
        Seed = options.Seed,
        Schedule = ExponentialDecaySchedule.ForF16Protocol(stepsPerEpoch),
        ClipMode = ClipMode.ElementWise,
        ClipValue = 10,
        Loss = new SumSquaredErrorMeanOverTime(),
        RestoreBestWeights = false,   // the paper evaluates the final parameters
        Threads = options.Threads,
    };
    Console.WriteLine($"Model: contracting R2DN, nx 75, nv 75, hidden 87,87,87, relu, long_memory init, " +
                      $"{model.ParameterCount:N0} parameters, seed {options.Seed}");
    Console.WriteLine($"Training: {options.Epochs} epochs x {stepsPerEpoch} segments of ~{SegmentLength} steps, Adam " +
                      $"1e-3 (x0.1 every 20 epochs, floor 1e-6), clip 10, {options.Threads} threads");

    var secondsPerEpoch = new List<double>();
    var trainLoss = new List<double>();
    var trainer = new Trainer();
    var progress = new SynchronousProgress<EpochReport>(r =>
    {
        secondsPerEpoch.Add(r.Seconds);
        trainLoss.Add(r.TrainLoss);
        Console.WriteLine($"  epoch {r.Epoch + 1,3}/{r.Epochs}  loss {r.TrainLoss,10:F4}  " +
                          $"lr {r.LearningRate:0.0e+00}  {r.Seconds,7:F2} s, ~{r.Remaining.TotalMinutes:F0} min left");
    });

    var total = Stopwatch.StartNew();
    try
    {
        trainer.Fit(model, train, trainerOptions, progress, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine($"Cancelled after {trainLoss.Count} completed epoch(s).");
        WriteJson(options, secondsPerEpoch, trainLoss, double.NaN, total.Elapsed.TotalSeconds, cancelled: true);
        return 130;
    }
    catch (TrainingDivergedException e)
    {
        Console.Error.WriteLine($"f16: error: {e.Message}");
        WriteJson(options, secondsPerEpoch, trainLoss, double.NaN, total.Elapsed.TotalSeconds, cancelled: false);
        return 1;
    }

    var validationWatch = Stopwatch.StartNew();
    double nrmse = ValidationNrmse(model, validationSequences, Washout);
    double totalSeconds = total.Elapsed.TotalSeconds;
    Console.WriteLine($"Validation (Level 2, 4, 6 from x0 = 0, washout {Washout}): NRMSE {nrmse:F4} (" +
                      $"{100 * nrmse:F2} %), {validationWatch.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"Mean seconds per epoch: {secondsPerEpoch.Average():F2} (first epoch " +
                      $"{secondsPerEpoch[0]:F2}); total {totalSeconds:F1} s");
    WriteJson(options, secondsPerEpoch, trainLoss, nrmse, totalSeconds, cancelled: false);
    return 0;
}

// NRMSE = sqrt(mean((y − ŷ)²) / mean(y²)) pooled over every kept step, sequence and channel. Sequences of one length
// are simulated together as one batch; sequences of different lengths are simulated one by one.
static double ValidationNrmse(ContractingR2dn model, F16Sequence[] sequences, int washout)
{
    if (sequences.All(s => s.Length == sequences[0].Length))
    {
        int length = sequences[0].Length;
        var (u, y) = F16Data.StackTimeMajor(sequences, length);
        var data = new SequenceDataset(u, y, length, sequences.Length, F16Data.InputSize, F16Data.OutputSize);
        return Trainer.Evaluate(model, data, washout).Nrmse;
    }

    double num = 0, den = 0;
    foreach (var s in sequences)
    {
        if (s.Length <= washout) continue;
        var x0 = new float[model.StateSize];
        var xT = new float[model.StateSize];
        var yHat = new float[s.Length * F16Data.OutputSize];
        model.Simulate(x0, s.Inputs, s.Length, 1, yHat, xT);
        for (int k = washout * F16Data.OutputSize; k < yHat.Length; k++)
        {
            double d = (double)s.Outputs[k] - yHat[k];
            num += d * d;
            den += (double)s.Outputs[k] * s.Outputs[k];
        }
    }
    return Math.Sqrt(num / den);
}

static void WriteJson(ExampleOptions options, List<double> secondsPerEpoch, List<double> trainLoss, double nrmse,
                      double totalSeconds, bool cancelled)
{
    if (options.JsonPath is null) return;
    string path = Path.GetFullPath(options.JsonPath);
    string? folder = Path.GetDirectoryName(path);
    if (folder is not null) Directory.CreateDirectory(folder);
    using (var stream = File.Create(path))
    using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
    {
        w.WriteStartObject();
        w.WriteStartArray("seconds_per_epoch");
        foreach (double s in secondsPerEpoch) w.WriteNumberValue(s);
        w.WriteEndArray();
        w.WriteStartArray("train_loss");
        foreach (double l in trainLoss)
        {
            if (double.IsFinite(l)) w.WriteNumberValue(l);
            else w.WriteNullValue();
        }
        w.WriteEndArray();
        if (double.IsFinite(nrmse)) w.WriteNumber("validation_nrmse", nrmse);
        else w.WriteNull("validation_nrmse");
        w.WriteNumber("epochs", secondsPerEpoch.Count);
        w.WriteNumber("epochs_requested", options.Epochs);
        w.WriteNumber("seed", options.Seed);
        w.WriteNumber("threads", options.Threads);
        w.WriteNumber("total_seconds", totalSeconds);
        w.WriteBoolean("cancelled", cancelled);
        w.WriteEndObject();
    }
    Console.WriteLine($"Wrote {path}");
}
