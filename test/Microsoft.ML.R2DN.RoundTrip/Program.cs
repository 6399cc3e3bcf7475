using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;
using Microsoft.ML.Transforms;

namespace RoundTrip;

/// <summary>
/// An ML.NET application that uses R2DN as a user would.
/// <list type="bullet">
/// <item><c>train DIR</c>: writes DIR/load.csv from the package's sample system (with a few blank drive values), then
/// LoadFromTextFile → ReplaceMissingValues → R2DN → Fit → mlContext.Model.Save(DIR/model.zip); scores in memory, then
/// starts itself in a new process (<c>score</c>) and checks that the loaded model gives the same outputs, certificate
/// and engine forecasts, bit for bit. Exit code 0 when identical, 1 otherwise.</item>
/// <item><c>score MODEL DATA OUT</c>: mlContext.Model.Load → Transform DATA (written to OUT as hex bits) → prints the
/// schema, the model and its re-verified certificate, then runs CreateTimeSeriesEngine, Predict and CheckPoint (to
/// OUT.checkpoint.zip) on the loaded ITransformer.</item>
/// </list>
/// </summary>
public static class Program
{
    /// <summary>Entry point; see the class remarks for the arguments.</summary>
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["train", var dir] => Train(dir),
                ["score", var model, var data, var output] => Score(model, data, output),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return 2;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Microsoft.ML.R2DN.RoundTrip train DIR | score MODEL.zip DATA.csv OUT.csv");
        return 64;
    }

    /// <summary>The second process: everything it knows comes from the model file and the data file.</summary>
    private static int Score(string modelPath, string dataPath, string outputPath)
    {
        var ml = new MLContext(seed: 0);
        ITransformer loaded = ml.Model.Load(modelPath, out var inputSchema);
        Console.WriteLine("SCHEMA " + Report.Schema(inputSchema));
        IDataView data = ml.Data.LoadFromTextFile<Observation>(dataPath, separatorChar: ',', hasHeader: true);
        var (rows, header) = Report.WriteOutputs(loaded.Transform(data), outputPath);
        Console.WriteLine($"OUTPUT rows={rows} columns={header}");
        foreach (var line in Report.DescribeModel(loaded)) Console.WriteLine(line);
        foreach (var line in Report.RunEngine(ml, loaded, data, outputPath + ".checkpoint.zip"))
            Console.WriteLine(line);
        return 0;
    }

    /// <summary>The whole user flow, the reload in a new process included.</summary>
    private static int Train(string dir)
    {
        Directory.CreateDirectory(dir);
        string csv = Path.Combine(dir, "load.csv"), modelPath = Path.Combine(dir, "model.zip");
        WriteSampleCsv(csv);

        var ml = new MLContext(seed: 1);
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("epoch ", StringComparison.Ordinal)) Console.WriteLine("LOG " + e.Message);
        };
        IDataView data = ml.Data.LoadFromTextFile<Observation>(csv, separatorChar: ',', hasHeader: true);
        var mean = MissingValueReplacingEstimator.ReplacementMode.Mean;
        var pipeline = ml.Transforms.ReplaceMissingValues(nameof(Observation.Drive), replacementMode: mean)
            .Append(ml.Forecasting.R2DN(new R2dnForecastingOptions
            {
                OutputColumnName = nameof(Prediction.Forecast), InputColumnName = nameof(Observation.Output),
                Horizon = 6, FeatureColumnNames = [nameof(Observation.Drive)],
                SeriesIdColumnName = nameof(Observation.Series),
                ConfidenceLowerBoundColumn = nameof(Prediction.Lower),
                ConfidenceUpperBoundColumn = nameof(Prediction.Upper), Epochs = 3,
            }));
        var model = pipeline.Fit(Report.TrainingRows(ml, data));
        Console.WriteLine("TRAINED " + model.LastTransformer.Certificate);
        ml.Model.Save(model, data.Schema, modelPath);
        Console.WriteLine($"SAVED {modelPath} ({new FileInfo(modelPath).Length} bytes)");

        // What this process sees, in the form the second process writes.
        string expectedPath = Path.Combine(dir, "expected.csv"), scoredPath = Path.Combine(dir, "scored.csv");
        Report.WriteOutputs(model.Transform(data), expectedPath);
        var expected = Report.DescribeModel(model).Where(l => !l.StartsWith("MODEL", StringComparison.Ordinal))
                                                   .ToList();
        expected.AddRange(Report.RunEngine(ml, model, data, Path.Combine(dir, "expected.checkpoint.zip")));

        var (exit, stdout, stderr) = RunSelf("score", modelPath, csv, scoredPath);
        Console.Write(stdout);
        if (exit != 0)
        {
            Console.Error.Write(stderr);
            Console.WriteLine($"ROUNDTRIP failed: the scoring process exited with {exit}");
            return 1;
        }
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var differences = expected.Where(l => !lines.Contains(l)).Select(l => "missing in the new process: " + l)
                                  .ToList();
        if (!File.ReadAllBytes(expectedPath).AsSpan().SequenceEqual(File.ReadAllBytes(scoredPath)))
            differences.Add($"{expectedPath} and {scoredPath} differ");
        foreach (var d in differences) Console.WriteLine("DIFFERENCE " + d);
        int rows = File.ReadLines(scoredPath).Count() - 1;
        int forecasts = expected.Count(l => l.StartsWith("ENGINE", StringComparison.Ordinal)
                                            || l.StartsWith("CHECKPOINT", StringComparison.Ordinal));
        Console.WriteLine(differences.Count == 0
            ? $"ROUNDTRIP identical: {rows} rows, certificate, training loss and {forecasts} engine forecasts"
            : $"ROUNDTRIP failed: {differences.Count} differences");
        return differences.Count == 0 ? 0 : 1;
    }

    /// <summary>The sample system (two units, 500 steps) as the CSV a user would have, every 37th drive value
    /// blank.</summary>
    private static void WriteSampleCsv(string path)
    {
        var text = new StringBuilder("Series,Step,Drive,Output\n");
        int row = 0;
        foreach (var s in SampleData.NonlinearSystem(length: 500, series: 2, seed: 3))
        {
            string drive = row++ % 37 == 5 ? "" : s.Drive.ToString("R", CultureInfo.InvariantCulture);
            string output = s.Output.ToString("R", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{s.Series},{s.Step},{drive},{output}\n");
        }
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Starts this program again in a new process (through the dotnet host when it runs as a dll).</summary>
    private static (int Exit, string Stdout, string Stderr) RunSelf(params string[] args)
    {
        string dll = Assembly.GetEntryAssembly()!.Location;
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
