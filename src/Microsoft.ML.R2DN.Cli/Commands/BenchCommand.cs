using System.CommandLine;
using Microsoft.ML.R2DN.Cli.Benchmarking;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn bench</c>: times training steps and forward passes of a model on random data and prints the figures
/// (one JSON object with <c>--json</c>). Its options and defaults mirror <c>test/reference/time_reference.py</c>.
/// </summary>
internal static class BenchCommand
{
    private static readonly Option<string> Model = new("--model")
    {
        Description = $"Model to time: {string.Join(", ", ModelCatalog.Names)} (only r2dn is available now)",
        DefaultValueFactory = _ => "r2dn",
    };
    private static readonly Option<int> Nu = new("--nu") { Description = "Number of inputs nu", DefaultValueFactory = _ => 2 };
    private static readonly Option<int> Nx = new("--nx") { Description = "Number of states nx", DefaultValueFactory = _ => 75 };
    private static readonly Option<int> Nv = new("--nv") { Description = "Number of features nv", DefaultValueFactory = _ => 75 };
    private static readonly Option<int> Ny = new("--ny") { Description = "Number of outputs ny", DefaultValueFactory = _ => 3 };
    private static readonly Option<string> Hidden = new("--hidden")
    {
        Description = "Hidden widths of the 1-Lipschitz network, comma-separated ('none' for no hidden layer)",
        DefaultValueFactory = _ => "87,87,87",
    };
    private static readonly Option<string> Activation = new("--activation")
    {
        Description = "Activation: relu or tanh",
        DefaultValueFactory = _ => "relu",
    };
    private static readonly Option<string> Init = new("--init")
    {
        Description = "Initialisation: long_memory or random",
        DefaultValueFactory = _ => "long_memory",
    };
    private static readonly Option<string> OutputLayer = new("--output-layer")
    {
        Description = "Last layer of the network: nonlinear (paper code) or linear",
        DefaultValueFactory = _ => "nonlinear",
    };
    private static readonly Option<int> Batch = new("--batch") { Description = "Sequences per batch", DefaultValueFactory = _ => 4 };
    private static readonly Option<int> Seq = new("--seq") { Description = "Time steps per sequence", DefaultValueFactory = _ => 256 };
    private static readonly Option<int> Steps = new("--steps") { Description = "Timed repeats (the median is reported)", DefaultValueFactory = _ => 20 };
    private static readonly Option<int> Warmup = new("--warmup") { Description = "Untimed repeats before timing", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> Threads = new("--threads") { Description = "Threads used by the model", DefaultValueFactory = _ => 2 };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the initialisation and of the random data", DefaultValueFactory = _ => 0 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object instead of a table" };

    public static Command Create()
    {
        var command = new Command("bench", "Time training steps (map + forward + loss + backward + Adam) and forward passes on random data.")
        {
            Model, Nu, Nx, Nv, Ny, Hidden, Activation, Init, OutputLayer, Batch, Seq, Steps, Warmup, Threads, Seed, Json,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var spec = new ModelSpec(
            Kind: parse.GetValue(Model) ?? "r2dn",
            InputSize: Positive(parse, Nu),
            StateSize: Positive(parse, Nx),
            Features: Positive(parse, Nv),
            OutputSize: Positive(parse, Ny),
            HiddenSizes: ModelSpec.ParseHidden(parse.GetValue(Hidden)),
            Activation: ModelSpec.ParseActivation(parse.GetValue(Activation)),
            Initialization: ModelSpec.ParseInitialization(parse.GetValue(Init)),
            OutputLayer: ModelSpec.ParseOutputLayer(parse.GetValue(OutputLayer)),
            Seed: parse.GetValue(Seed));
        var settings = new BenchSettings(
            Batch: Positive(parse, Batch),
            SequenceLength: Positive(parse, Seq),
            Steps: Positive(parse, Steps),
            Warmup: AtLeast(parse, Warmup, 0),
            Threads: Positive(parse, Threads),
            Seed: spec.Seed);
        bool json = parse.GetValue(Json);

        BuiltModel built = ModelCatalog.Create(spec);
        spec = spec with { Kind = spec.Kind.Trim().ToLowerInvariant() };

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (!json)
                Console.Error.WriteLine($"Timing {spec.Kind} ({built.Model.ParameterCount:N0} parameters): {settings.Warmup} warm-up + {settings.Steps} timed steps...");
            BenchMeasurement measurement = BenchRunner.Run(built.Model, settings, cancel.Token);
            var report = new BenchReport(spec, built, settings, measurement);
            Console.Out.WriteLine(json ? report.ToJson() : report.ToText());
            return ExitCodes.Success;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int Positive(ParseResult parse, Option<int> option) => AtLeast(parse, option, 1);

    private static int AtLeast(ParseResult parse, Option<int> option, int minimum)
    {
        int value = parse.GetValue(option);
        if (value < minimum)
            throw new UsageException(minimum == 1
                ? $"{option.Name} must be a positive integer (got {value})."
                : $"{option.Name} must be at least {minimum} (got {value}).");
        return value;
    }
}
