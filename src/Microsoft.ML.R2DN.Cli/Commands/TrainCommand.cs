using Microsoft.ML.R2DN.Engine;

using F = Microsoft.ML.R2DN.Engine.Defaults.Forecasting;
using S = Microsoft.ML.R2DN.Engine.Defaults.Simulation;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn train</c>: its options, and how they are read and checked into <see cref="TrainSettings"/>; the training
/// itself, for both tasks, is <see cref="TrainFlow"/>. <c>--example</c> trains on built-in data.
/// </summary>
internal static class TrainCommand
{
    // Hidden widths as the command line writes them.
    private static string Widths(int[] widths) => string.Join(",", widths);

    private static readonly Option<string> Task = CliOptions.WithDefault("--task",
        "forecasting (predict the next --horizon values of the --label columns) or simulation (predict " +
        "the --outputs from the --inputs alone, from a zero state)", "forecasting");
    private static readonly Option<string[]> Data = new("--data", "-d")
    {
        Description = "CSV file(s) with a header line; several files are one data set (with the file name as the " +
                      "series id when --series-id is not given)",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.ZeroOrMore,
    };
    private static readonly Option<string[]> Label = new("--label")
    {
        Description = "Forecasting: the target column(s) to forecast; repeat or separate with commas for several",
        AllowMultipleArgumentsPerToken = false,
    };
    private static readonly Option<string[]> Features = new("--features")
    {
        Description = "Forecasting: exogenous feature columns observed with the targets, comma-separated",
    };
    private static readonly Option<string?> SeriesId = new("--series-id")
    {
        Description = "Column naming each row's series (rows of several series may be interleaved); default: one " +
                      "series per file",
    };
    private static readonly Option<int?> Horizon =
        new("--horizon") { Description = "Forecasting: the number of steps ahead to forecast [default: 24]" };
    private static readonly Option<string[]> Inputs =
        new("--inputs") { Description = "Simulation: the input columns u, comma-separated" };
    private static readonly Option<string[]> Outputs =
        new("--outputs") { Description = "Simulation: the measured output columns y, comma-separated" };
    private static readonly Option<string> Model = new("--model", "-m")
    {
        Description = "r2dn (robust recurrent deep network) or ren (recurrent equilibrium network)",
        DefaultValueFactory = _ => "r2dn",
    };
    private static readonly Option<string?> Robustness = new("--robustness")
    {
        Description = "contracting (stable: forgets its initial state) or lipschitz (gamma-Lipschitz from input to " +
                      "output, and contracting) [default: chosen on the validation data among contracting and " +
                      $"gamma = {string.Join(" and ", F.LipschitzGammas)} for forecasting, contracting and gamma = " +
                      $"{S.LipschitzGamma} for simulation]",
    };
    private static readonly Option<string> Backend = CliOptions.WithDefault("--backend",
        "Where training runs: managed (this package's SIMD engine) or torchsharp (libtorch; see " +
        "--device)", "managed");
    private static readonly Option<string> Device = CliOptions.WithDefault("--device",
        "With --backend torchsharp: cpu, cuda or cuda:N (CUDA needs TorchSharp-cuda-linux or " +
        "TorchSharp-cuda-windows)", "cpu");
    private static readonly Option<double?> Gamma = new("--gamma")
    {
        Description = "With --robustness lipschitz: the Lipschitz bound gamma (> 0, standardised units) " +
                      $"[default: {Defaults.Model.Gamma}]",
    };
    private static readonly Option<int?> Nx = new("--nx")
    {
        Description =
            $"Number of states nx [default: forecasting {F.Size} ({F.LargerSize} also tried on validation); " +
                      $"simulation {Defaults.Model.SmallSize} below {Defaults.Model.SmallDataRows:N0} training rows, " +
                      $"else {Defaults.Model.Size}]",
    };
    private static readonly Option<int?> Nv = new("--nv")
    {
        Description = "The nonlinear width nv (the R2DN network's input and output width, or the REN's number of " +
                      "neurons) [default: as --nx]",
    };
    private static readonly Option<string?> Hidden = new("--hidden")
    {
        Description = "R2DN only: hidden widths of the 1-Lipschitz network, comma-separated, or 'none' " +
                      $"[default: forecasting {Widths(F.HiddenSizes)} ({Widths(F.LargerHiddenSizes)} with the larger " +
                      $"nx); simulation {Widths(Defaults.Model.SmallHiddenSizes)} below " +
                      $"{Defaults.Model.SmallDataRows:N0} training rows, else {Widths(Defaults.Model.HiddenSizes)}]",
    };
    private static readonly Option<string> Activation = CliOptions.WithDefault("--activation", "relu or tanh", "relu");
    private static readonly Option<int?> Epochs = new("--epochs")
    {
        Description = $"Training epochs [default: {F.Epochs} forecasting; simulation is sized in optimiser steps " +
                      $"instead ({S.ScreeningSteps:N0} per setting tried, then a refit on all the data)]",
    };
    private static readonly Option<double?> LearningRate = new("--learning-rate")
    {
        Description =
            $"Initial Adam learning rate [default: {F.LearningRate} forecasting ({F.AlternativeLearningRate} " +
                      $"also tried on validation), {S.LearningRate} simulation ({S.HighLearningRate} also tried)]",
    };
    private static readonly Option<int?> SegmentLength = new("--segment-length")
    {
        Description = $"Truncated-BPTT segment length in steps [default: {F.SegmentLength} forecasting, " +
                      $"{S.SegmentLength} simulation]",
    };
    private static readonly Option<int> Seed = CliOptions.WithDefault("--seed",
        "Seed of the initialisation (runs with the same seed give the same model)", 0);
    private static readonly Option<int?> Threads =
        new("--threads") { Description = "Threads for training and scoring [default: all cores]" };
    private static readonly Option<double> TestFraction = CliOptions.WithDefault("--test-fraction",
        "Fraction at the end of every series held out for testing, in (0, 1)", 0.2);
    private static readonly Option<int?> Seasonality = new("--seasonality")
    {
        Description = "Forecasting: season length m of the seasonal naive baseline and of MASE (24 for hourly data " +
                      "with a daily cycle; 1 for the last value) [default: 1]",
    };
    private static readonly Option<double?> Confidence = new("--confidence")
    {
        Description = "Forecasting: confidence level of the prediction intervals, in (0, 1) " +
                      $"[default: {F.ConfidenceLevel}]",
    };
    private static readonly Option<int?> Washout = new("--washout")
    {
        Description = "Simulation: leading rows of each series left out of the NRMSE while the model forgets its " +
                      $"zero initial state [default: {S.Washout}]",
    };
    private static readonly Option<string> Missing = CliOptions.WithDefault("--missing-values",
        "What to do with missing (empty, NA) values in the model's columns: error, or forward-fill", "error");
    private static readonly Option<string?> Output = new("--output", "-o")
    {
        Description = "The model file to write: an ML.NET model zip, which an application loads with " +
                      "mlContext.Model.Load [default: r2dn-model.zip; with --example, r2dn-example.zip]",
    };
    private static readonly Option<string?> OutputDir = new("--output-dir")
    {
        Description = "Folder for the files written (created if missing); relative --output, --plot and --loss-plot " +
                      "paths are inside it [default: the current folder]",
    };
    private static readonly Option<string?> Plot = new("--plot")
    {
        Description = "Write a chart of the test part, SVG or PNG (a .png path): forecasts and intervals against the " +
                      "actual values (simulation: simulated against measured)",
    };
    private static readonly Option<string?> LossPlot =
        new("--loss-plot") { Description = "Write a chart of the training loss per epoch, SVG or PNG (a .png path)" };
    private static readonly Option<bool> Example = new("--example")
    {
        Description = $"Train on built-in data (a simulated nonlinear system: {ExampleData.Series} series x " +
                      $"{ExampleData.Length} steps, feature {ExampleData.Feature}, label {ExampleData.Label}, " +
                      $"horizon {ExampleData.Horizon}); writes {ExampleData.DataFile}, {ExampleData.ModelFile}, " +
                      $"{ExampleData.ForecastPlotFile} and {ExampleData.LossPlotFile}",
    };
    private static readonly Option<bool> Quiet = CliOptions.Quiet(shortAlias: true);
    private static readonly Option<bool> Json =
        new("--json") { Description = "Print one JSON object with the results instead of tables" };

    public static System.CommandLine.Command Create() => CliOptions.Command("train",
        "Train a forecasting or simulation model (R2DN or REN) on CSV files: split every series by time, train, " +
        "evaluate on the held-out end (forecasting: against the seasonal naive forecast; simulation: NRMSE), " +
        "print the robustness certificate, save the model and write plots. Try 'r2dn train --example'.\n" +
        Cli.ExitCodeHelp,
        Run,
        Task, Data, Label, Features, SeriesId, Horizon, Inputs, Outputs, Model, Robustness, Backend, Device, Gamma,
        Nx, Nv, Hidden, Activation, Epochs, LearningRate, SegmentLength, Seed, Threads, TestFraction, Seasonality,
        Confidence, Washout, Missing, Output, OutputDir, Plot, LossPlot, Example, Quiet, Json);

    private static int Run(ParseResult parse) =>
        CommandSupport.Run(cancel => Train(new MLContext(seed: parse.GetValue(Seed)), parse, cancel));

    private static int Train(MLContext ml, ParseResult parse, CancellationToken cancel)
    {
        var settings = ReadSettings(parse);
        var (json, text) = TrainFlow.Run(ml, settings, CommandSupport.Error(parse), cancel);
        CommandSupport.Out(parse).Write(settings.Json ? Report.ToJson(json) + Environment.NewLine : text);
        return ExitCodes.Success;
    }

    /// <summary>The command line, checked, with the defaults (and the example's) applied.</summary>
    /// <exception cref="UsageException">An option is invalid, missing, or does not apply.</exception>
    private static TrainSettings ReadSettings(ParseResult p)
    {
        var s = ReadChoices(p);
        CheckApplicable(p, s);
        s = ReadColumns(p, s);
        return ReadPaths(p, ReadSizes(p, s));
    }

    // The options that name one of a few choices.
    private static TrainSettings ReadChoices(ParseResult p)
    {
        string task = CommandSupport.Choice(p.GetValue(Task), "--task", ("forecasting", "forecasting"),
                                            ("simulation", "simulation"));
        var kind = CommandSupport.Choice(p.GetValue(Model), "--model", ("r2dn", ModelKind.R2dn),
                                         ("ren", ModelKind.Ren));
        Robustness? robustness = p.GetValue(TrainCommand.Robustness) is { } r
            ? CommandSupport.Choice(r, "--robustness", ("contracting", Engine.Models.Robustness.Contracting),
                                    ("lipschitz", Engine.Models.Robustness.Lipschitz))
            : null;
        var backend = CommandSupport.Choice(p.GetValue(Backend), "--backend", ("managed", R2dnBackend.Managed),
                                            ("torchsharp", R2dnBackend.TorchSharp));
        string device = p.GetValue(Device) ?? "cpu";
        if (backend == R2dnBackend.Managed && CommandSupport.IsExplicit(p, Device) && device != "cpu")
            throw new UsageException($"--device {device} needs --backend torchsharp: the managed engine runs on the " +
                                     "CPU.");
        var activation = CommandSupport.Choice(p.GetValue(TrainCommand.Activation), "--activation",
                                               ("relu", Engine.Models.Activation.ReLU),
                                               ("tanh", Engine.Models.Activation.Tanh));
        var missing = CommandSupport.Choice(p.GetValue(Missing), "--missing-values",
                                            ("error", MissingValuePolicy.Error),
                                            ("forward-fill", MissingValuePolicy.ForwardFill));
        return new TrainSettings
        {
            Task = task, IsExample = p.GetValue(Example), Kind = kind, Robustness = robustness, Backend = backend,
            Device = device, Activation = activation, MissingValues = missing,
        };
    }

    // Options that do not apply are errors when given, not silently ignored.
    private static void CheckApplicable(ParseResult p, TrainSettings s)
    {
        bool example = s.IsExample, forecasting = s.Task == "forecasting";
        void NotWith(Option option, bool condition, string why)
        {
            if (condition && CommandSupport.IsExplicit(p, option)) throw new UsageException($"{option.Name} {why}.");
        }
        NotWith(Data, example, "cannot be used with --example, which trains on built-in data");
        NotWith(Label, example, "cannot be used with --example (its label is Output)");
        NotWith(Features, example, "cannot be used with --example (its feature is Drive)");
        NotWith(SeriesId, example, "cannot be used with --example (its series id is Series)");
        NotWith(Task, example && !forecasting,
                "simulation cannot be used with --example, which is a forecasting example");
        NotWith(Inputs, forecasting,
                "applies to --task simulation only; for forecasting, name exogenous columns with --features");
        NotWith(Outputs, forecasting,
                "applies to --task simulation only; for forecasting, name the targets with --label");
        NotWith(Features, !forecasting,
                "applies to --task forecasting only; for simulation, name the inputs with --inputs");
        NotWith(Horizon, !forecasting, "applies to --task forecasting only");
        NotWith(Seasonality, !forecasting, "applies to --task forecasting only");
        NotWith(Confidence, !forecasting, "applies to --task forecasting only");
        NotWith(Washout, forecasting, "applies to --task simulation only");
        NotWith(Hidden, s.Kind == ModelKind.Ren,
                "does not apply to --model ren: a REN has no hidden network; its size is --nv");
        NotWith(Gamma, s.Robustness != Engine.Models.Robustness.Lipschitz,
                "applies to --robustness lipschitz only");
    }

    // The data files and the columns of each role; the example's for --example.
    private static TrainSettings ReadColumns(ParseResult p, TrainSettings s)
    {
        string[] files = p.GetValue(Data) ?? [];
        string[] labels = CommandSupport.List(p, Label), features = CommandSupport.List(p, Features);
        string[] inputs = CommandSupport.List(p, Inputs), outputs = CommandSupport.List(p, Outputs);
        string? seriesId = p.GetValue(SeriesId);
        bool forecasting = s.Task == "forecasting";
        if (!forecasting)
        {
            if (outputs.Length == 0) outputs = labels;
            else if (labels.Length > 0)
                throw new UsageException("give the measured outputs with --outputs or --label, not both.");
            if (inputs.Length == 0)
                throw new UsageException("--task simulation needs --inputs (the input columns u).");
            if (outputs.Length == 0)
                throw new UsageException("--task simulation needs --outputs (the measured output columns y).");
            labels = [];
        }
        if (s.IsExample)
        {
            labels = [ExampleData.Label];
            features = [ExampleData.Feature];
            seriesId = ExampleData.SeriesId;
        }
        else if (files.Length == 0)
            throw new UsageException("--data is required (one or more CSV files), or use --example to train on " +
                                     "built-in data.");
        else if (forecasting && labels.Length == 0)
            throw new UsageException("--label is required: the column(s) to forecast.");
        return s with
        {
            Files = files,
            Labels = labels,
            Features = features,
            Inputs = inputs,
            Outputs = outputs,
            SeriesId = seriesId,
        };
    }

    // The sizes and rates, checked; the example's where it has its own.
    private static TrainSettings ReadSizes(ParseResult p, TrainSettings s)
    {
        bool example = s.IsExample;
        int? horizon = CommandSupport.Positive(p, Horizon), seasonality = CommandSupport.Positive(p, Seasonality);
        double confidence = p.GetValue(Confidence) ?? F.ConfidenceLevel;
        int? washout = p.GetValue(Washout);
        if (washout is < 0) throw new UsageException($"--washout must be at least 0 (got {washout}).");
        int? threads = CommandSupport.Positive(p, Threads);
        return s with
        {
            Horizon = horizon ?? (example ? ExampleData.Horizon : 24),
            Seasonality = seasonality ?? (example ? ExampleData.Seasonality : 1),
            Confidence = CommandSupport.Fraction(confidence, "--confidence"),
            Washout = washout,
            Gamma = CommandSupport.Positive(p, Gamma),
            Nx = CommandSupport.Positive(p, Nx) ?? (example ? ExampleData.StateSize : null),
            Nv = CommandSupport.Positive(p, Nv) ?? (example ? ExampleData.Features : null),
            Hidden = p.GetValue(Hidden) is { } hidden ? CommandSupport.ParseHidden(hidden)
                : example && s.Kind == ModelKind.R2dn ? ExampleData.HiddenSizes : null,
            Epochs = CommandSupport.Positive(p, Epochs) ?? (example ? ExampleData.Epochs : null),
            LearningRate = CommandSupport.Positive(p, LearningRate) ?? (example ? ExampleData.LearningRate : null),
            SegmentLength = CommandSupport.Positive(p, SegmentLength) ?? (example ? ExampleData.SegmentLength : null),
            Seed = p.GetValue(Seed),
            Threads = threads,
            TestFraction = CommandSupport.Fraction(p.GetValue(TestFraction), "--test-fraction"),
        };
    }

    // The files written (relative paths inside --output-dir) and how the results are shown.
    private static TrainSettings ReadPaths(ParseResult p, TrainSettings s)
    {
        bool example = s.IsExample;
        string? outputDir = p.GetValue(OutputDir) is { Length: > 0 } d ? d : null;
        string Resolve(string path) =>
            outputDir is null || Path.IsPathRooted(path) ? path : Path.Combine(outputDir, path);
        string? plot = p.GetValue(Plot), lossPlot = p.GetValue(LossPlot);
        return s with
        {
            Files = example ? [Resolve(ExampleData.DataFile)] : s.Files,
            OutputDir = outputDir,
            ModelPath = Resolve(p.GetValue(Output) ?? (example ? ExampleData.ModelFile : "r2dn-model.zip")),
            PlotPath = plot is not null ? Resolve(plot) : example ? Resolve(ExampleData.ForecastPlotFile) : null,
            LossPlotPath = lossPlot is not null ? Resolve(lossPlot)
                : example ? Resolve(ExampleData.LossPlotFile) : null,
            Quiet = p.GetValue(Quiet),
            Json = p.GetValue(Json),
            Interactive = CommandSupport.Interactive(p),
        };
    }
}
