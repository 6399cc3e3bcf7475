using Microsoft.ML.R2DN.Cli.Benchmarking;

namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn bench</c>: times training steps and forward passes of a model on random data, verifies the model's
/// robustness certificate, and prints the figures (one JSON object with <c>--json</c>). Its options and defaults
/// mirror <c>test/reference/time_reference.py</c>.
/// </summary>
internal static class BenchCommand
{
    private static readonly Option<string> Model = CliOptions.WithDefault("--model",
        "Model to time: r2dn (contracting R2DN), ren (contracting REN), lipschitz-r2dn, lipschitz-ren", "r2dn");
    private static readonly Option<int> Nu = CliOptions.WithDefault("--nu", "Number of inputs nu", 2);
    private static readonly Option<int> Nx = CliOptions.WithDefault("--nx", "Number of states nx", 75);
    private static readonly Option<int> Nv = CliOptions.WithDefault("--nv",
        "R2DNs: number of features nv (the network's input and output width); RENs: number of neurons nv", 75);
    private static readonly Option<int> Ny = CliOptions.WithDefault("--ny", "Number of outputs ny", 3);
    private static readonly Option<string> Hidden = CliOptions.WithDefault("--hidden",
        "R2DNs only: hidden widths of the 1-Lipschitz network, comma-separated ('none' for no hidden layer)",
        "87,87,87");
    private static readonly Option<string> Activation = CliOptions.WithDefault("--activation",
        "Activation: relu or tanh", "relu");
    private static readonly Option<string> Init = CliOptions.WithDefault("--init",
        "Initialisation: long_memory or random", "long_memory");
    private static readonly Option<string> OutputLayer = CliOptions.WithDefault("--output-layer",
        "R2DNs only: last layer of the network: nonlinear (paper code) or linear", "nonlinear");
    private static readonly Option<double> Gamma = CliOptions.WithDefault("--gamma",
        "Lipschitz models only: the Lipschitz bound gamma (> 0)", 1.0);
    private static readonly Option<double> Abar = CliOptions.WithDefault("--abar",
        "Contraction-rate bound abar in (0, 1]", 1.0);
    private static readonly Option<int> Batch = CliOptions.WithDefault("--batch", "Sequences per batch", 4);
    private static readonly Option<int> Seq = CliOptions.WithDefault("--seq", "Time steps per sequence", 256);
    private static readonly Option<int> Steps = CliOptions.WithDefault("--steps",
        "Timed repeats (the median is reported)", 20);
    private static readonly Option<int?> Warmup = new("--warmup")
    {
        Description = "Untimed repeats before each timed loop (default: automatic, "
                      + $"{WarmupPolicy.AutoCalls} calls or {WarmupPolicy.AutoSeconds:0.#} s, whichever comes first, "
                      + "so that the tiered JIT has reached its steady state)",
    };
    private static readonly Option<int> Threads = CliOptions.WithDefault("--threads", "Threads used by the model", 2);
    private static readonly Option<int> Seed = CliOptions.WithDefault("--seed",
        "Seed of the initialisation and of the random data", 0);
    private static readonly Option<bool> Json = CliOptions.Json("a table");
    private static readonly Option<string> Backend = CliOptions.WithDefault("--backend",
        "managed (this package's engine), torchsharp (libtorch), or both side by side from one run", "managed");
    private static readonly Option<string> Device = CliOptions.WithDefault("--device",
        "TorchSharp's device: cpu, cuda or cuda:N", "cpu");

    public static System.CommandLine.Command Create() => CliOptions.Command("bench",
        "Time training steps (map + forward + loss + backward + Adam) and forward passes on random data, and " +
        "verify the "
        + "model's certificate. For the paper's expressivity timing study use 'r2dn bench-expressivity'.",
        Run,
        Model, Nu, Nx, Nv, Ny, Hidden, Activation, Init, OutputLayer, Gamma, Abar, Batch, Seq, Steps, Warmup,
        Threads, Seed, Json,
        Backend, Device);

    private static int Run(ParseResult parse)
    {
        var (kind, robustness) = BenchModel.ParseKind(parse.GetValue(Model) ?? "r2dn");
        bool ren = kind == ModelKind.Ren;
        string name = (parse.GetValue(Model) ?? "r2dn").Trim().ToLowerInvariant();
        // Options that do not apply to the chosen model are errors when given explicitly, not silently ignored.
        if (ren && IsExplicit(parse, Hidden))
            throw new UsageException($"--hidden does not apply to --model {name}: a REN has no hidden network; its " +
                                     "size is --nv (its number of neurons).");
        if (ren && IsExplicit(parse, OutputLayer))
            throw new UsageException($"--output-layer does not apply to --model {name}: a REN has no 1-Lipschitz " +
                                     "network.");
        if (robustness != Robustness.Lipschitz && IsExplicit(parse, Gamma))
            throw new UsageException($"--gamma applies to lipschitz-r2dn and lipschitz-ren only, not to --model " +
                                     $"{name}.");

        var model = new ModelSpec
        {
            Kind = kind,
            Robustness = robustness,
            StateSize = Positive(parse, Nx),
            NonlinearWidth = Positive(parse, Nv),
            HiddenSizes = ren ? [] : CommandSupport.ParseHidden(parse.GetValue(Hidden) ?? ""),
            Activation = BenchModel.ParseActivation(parse.GetValue(Activation)),
            Initialization = BenchModel.ParseInitialization(parse.GetValue(Init)),
            NetworkOutputLayer = BenchModel.ParseOutputLayer(parse.GetValue(OutputLayer)),
            Gamma = parse.GetValue(Gamma),
            ContractionRate = parse.GetValue(Abar),
        };
        var spec = new BenchModel(model, Positive(parse, Nu), Positive(parse, Ny), parse.GetValue(Seed));
        var settings = new BenchSettings(
            Batch: Positive(parse, Batch),
            SequenceLength: Positive(parse, Seq),
            Steps: Positive(parse, Steps),
            Warmup: ParseWarmup(parse, Warmup),
            Threads: Positive(parse, Threads),
            Seed: spec.Seed);
        bool json = parse.GetValue(Json);
        string backend = parse.GetValue(Backend) ?? "managed";
        if (backend is not ("managed" or "torchsharp" or "both"))
            throw new UsageException($"--backend must be managed, torchsharp or both (got '{backend}').");
        string device = parse.GetValue(Device) ?? "cpu";
        if (backend == "managed" && IsExplicit(parse, Device) && device != "cpu")
            throw new UsageException($"--device {device} needs --backend torchsharp or both: the managed engine runs " +
                                     $"on the CPU.");

        RecurrentModel built = spec.Build();

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (!json) Console.Error.WriteLine($"Measuring the FMA peak of {settings.Threads} thread(s)...");
            double peak = FmaPeak.Measure(settings.Threads);
            BenchReport? managed = null;
            if (backend is "managed" or "both")
            {
                if (!json)
                    Console.Error.WriteLine($"Timing {spec.Kind} on the managed engine ({built.ParameterCount:N0} " +
                                            $"parameters): {settings.Warmup.Description} + {settings.Steps} timed " +
                                            $"steps...");
                var initial = (double[])built.Parameters.Clone();
                BenchMeasurement measurement = BenchRunner.Run(built, settings, cancel.Token);
                // Verified on the parameters the timed Adam steps produced: the certificate holds for every parameter
                // value.
                var certificate = built.Certify();
                managed = new BenchReport(spec, built, settings, measurement, certificate) { FmaPeakGflops = peak };
                initial.CopyTo(built.Parameters, 0);   // TorchSharp starts from the same parameters
                if (backend == "managed")
                {
                    CommandSupport.Out(parse).WriteLine(json ? managed.ToJson() : managed.ToText());
                    return ExitCodes.Success;
                }
            }
            cancel.Token.ThrowIfCancellationRequested();
            if (!json)
                Console.Error.WriteLine($"Timing {spec.Kind} on TorchSharp ({device}): {settings.Steps} timed " +
                                        $"steps...");
            TorchSharp.TorchSharpBenchResult torch;
            try
            {
                torch = TorchSharp.TorchSharpBench.TrainStep(built, settings.Batch, settings.SequenceLength,
                                                             settings.Threads, settings.Steps, device,
                                                             settings.Seed, warmup: 3);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or DllNotFoundException
                                      or TypeInitializationException)
            {
                throw new UsageException($"the TorchSharp backend cannot run here: {(e.InnerException ?? e).Message}");
            }
            var comparison = new BackendComparison(spec, settings, built.ParameterCount, built.MultiplyAddsPerStep,
                                                   peak, managed, torch);
            CommandSupport.Out(parse).WriteLine(json ? comparison.ToJson() : comparison.ToText());
            return ExitCodes.Success;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Whether the user typed <paramref name="option"/> (rather than it taking its default).</summary>
    internal static bool IsExplicit(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>Reads an optional warm-up count: absent means <see cref="WarmupPolicy.Auto"/>.</summary>
    internal static WarmupPolicy ParseWarmup(ParseResult parse, Option<int?> option)
    {
        int? value = parse.GetValue(option);
        if (value is null) return WarmupPolicy.Auto;
        if (value < 0) throw new UsageException($"{option.Name} must be at least 0 (got {value}).");
        return WarmupPolicy.Fixed(value.Value);
    }

    internal static int Positive(ParseResult parse, Option<int> option)
    {
        int value = parse.GetValue(option);
        if (value < 1) throw new UsageException($"{option.Name} must be a positive integer (got {value}).");
        return value;
    }
}
