using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>What <c>r2dn bench-expressivity</c> runs: which models and sizes, and how long to time them.</summary>
internal sealed record ExpressivitySettings(
    string[] Models, int[] RenSizes, int[] R2dnWidths, int Batch, int Horizon, int Repeats, WarmupPolicy Warmup,
        int Threads, int Seed);

/// <summary>One configuration of the study, timed.</summary>
internal sealed record ExpressivityRow(
    string Model, int Size, int NonlinearWidth, int[] Hidden, string Activation, int Parameters,
    long MultiplyAddsPerStep,
    double[] ForwardSeconds, double[] BackwardSeconds, WarmupResult ForwardWarmup, WarmupResult BackwardWarmup,
    bool CertificateVerified, double CertificateResidual)
{
    /// <summary>"nv" for the REN, "nh" (hidden width) for the R2DN.</summary>
    public string SizeName => Model == "ren" ? "nv" : "nh";
    public double ForwardMedian => BenchRunner.Median(ForwardSeconds);
    public double ForwardMean => BenchRunner.Mean(ForwardSeconds);
    public double BackwardMedian => BenchRunner.Median(BackwardSeconds);
    public double BackwardMean => BenchRunner.Mean(BackwardSeconds);
    public double Seconds(string pass) => pass == "forward" ? ForwardMedian : BackwardMedian;
}

/// <summary>
/// The paper's timing study (MODELS.md 4.4), timed with this library: nx = nu = ny = 1, identity output, "random"
/// initialisation, random x0 and u ~ N(0, 1) of batch 64 and horizon 128; a tanh REN over nv and a relu R2DN
/// (nv = 16, 6 hidden layers) over the hidden width.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Forward</b> = direct→explicit map + <see cref="ISequenceModel.Simulate"/> (the paper's jitted
/// <c>simulate_sequence</c> also maps the parameters on every call). The model caches its map while the parameters do
/// not change, so the calls alternate, untimed, between two parameter vectors one ulp apart.</item>
/// <item><b>Backward</b> = <see cref="ISequenceModel.LossAndGradient"/> with loss mean(y²) (map, forward, loss,
/// backward through time and through the map; like <c>jax.grad</c> it includes the forward pass), alternating the
/// parameters the same way. The paper's loss also adds mean(x_T²); this library's losses act on the outputs only, and
/// the extra term would change the cost by one B×nx vector.</item>
/// <item>Each configuration gets fresh parameters (seed + index), its own inputs, and its own warm-up before each
/// pass.</item>
/// </list>
/// </remarks>
internal static class ExpressivityStudy
{
    /// <summary>The passes timed for each configuration.</summary>
    public static readonly string[] Passes = ["forward", "backward"];

    /// <summary>The model of one configuration of the study: the paper's sizes, an identity output (y = x).</summary>
    public static BenchModel Spec(string model, int size, int seed)
    {
        const int nx = PaperTimingStudy.StateSize;
        var spec = model switch
        {
            "ren" => new ModelSpec
            {
                Kind = ModelKind.Ren, StateSize = nx, NonlinearWidth = size, HiddenSizes = [],
                Activation = Activation.Tanh, Initialization = Initialization.Random, IdentityOutput = true,
            },
            "r2dn" => new ModelSpec
            {
                Kind = ModelKind.R2dn, StateSize = nx, NonlinearWidth = PaperTimingStudy.R2dnNonlinearWidth,
                HiddenSizes = Enumerable.Repeat(size, PaperTimingStudy.R2dnDepth).ToArray(),
                Activation = Activation.ReLU, Initialization = Initialization.Random, IdentityOutput = true,
            },
            _ => throw new UsageException($"unknown study model '{model}'; expected ren or r2dn."),
        };
        return new BenchModel(spec, nx, nx, seed);
    }

    /// <summary>Times every configuration; <paramref name="progress"/> receives one line per configuration.</summary>
    public static IReadOnlyList<ExpressivityRow> Run(ExpressivitySettings settings, Action<string> progress,
                                                     CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        var configurations = settings.Models
            .SelectMany(m => (m == "ren" ? settings.RenSizes : settings.R2dnWidths).Select(s => (Model: m, Size: s)))
            .ToArray();
        var rows = new List<ExpressivityRow>();
        for (int k = 0; k < configurations.Length; k++)
        {
            var (model, size) = configurations[k];
            var spec = Spec(model, size, settings.Seed + k);
            RecurrentModel built = spec.Build();
            progress($"[{k + 1}/{configurations.Length}] {model} {(model == "ren" ? "nv" : "nh")} {size} " +
                     $"({built.ParameterCount:N0} parameters)...");
            var row = TimeOne(spec, built, settings, cancellationToken);
            rows.Add(row);
            progress(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"    forward {row.ForwardMedian:F5} s, backward {row.BackwardMedian:F5} s (median of " +
                $"{settings.Repeats}; warm-up {row.ForwardWarmup.Calls} + {row.BackwardWarmup.Calls} calls)"));
        }
        return rows;
    }

    private static ExpressivityRow TimeOne(BenchModel spec, RecurrentModel model, ExpressivitySettings settings,
                                           CancellationToken cancellationToken)
    {
        model.Threads = settings.Threads;
        int batch = settings.Batch, horizon = settings.Horizon;
        int nx = model.StateSize, nu = model.InputSize, ny = model.OutputSize;
        var random = new Random(spec.Seed);
        var x0 = new float[batch * nx];
        var u = new float[horizon * batch * nu];
        BenchRunner.FillStandardNormal(random, x0);
        BenchRunner.FillStandardNormal(random, u);
        var zeros = new float[horizon * batch * ny];     // loss mean((y − 0)²) = mean(y²)
        var outputs = new float[horizon * batch * ny];
        var finalState = new float[batch * nx];
        var gradient = new double[model.ParameterCount];
        ISequenceLoss loss = new MeanSquaredError();

        double[] parametersA = (double[])model.Parameters.Clone();
        double[] parametersB = (double[])model.Parameters.Clone();
        int last = parametersB.Length - 1;
        parametersB[last] = Math.BitIncrement(parametersB[last]);
        int flip = 0;
        void Alternate() => (((flip++) & 1) == 0 ? parametersA : parametersB).CopyTo(model.Parameters, 0);
        void Forward() => model.Simulate(x0, u, horizon, batch, outputs, finalState);
        void Backward() => model.LossAndGradient(x0, u, zeros, horizon, batch, loss, gradient, finalState);

        WarmupResult forwardWarmup = settings.Warmup.Run(() => { Alternate(); Forward(); }, cancellationToken);
        BenchRunner.Settle();
        double[] forward = BenchRunner.Time(Forward, settings.Repeats, cancellationToken, before: Alternate);

        WarmupResult backwardWarmup = settings.Warmup.Run(() => { Alternate(); Backward(); }, cancellationToken);
        BenchRunner.Settle();
        double[] backward = BenchRunner.Time(Backward, settings.Repeats, cancellationToken, before: Alternate);

        parametersA.CopyTo(model.Parameters, 0);
        var certificate = model.Certify();
        return new ExpressivityRow(spec.Kind, spec.IsRen ? spec.NonlinearWidth : spec.HiddenSizes[0],
                                   spec.NonlinearWidth,
                                   spec.HiddenSizes, spec.ActivationName, model.ParameterCount,
                                   model.MultiplyAddsPerStep, forward, backward,
                                   forwardWarmup, backwardWarmup, certificate.IsVerified, certificate.RelativeResidual);
    }
}
