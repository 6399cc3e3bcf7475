namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// The model a bench command times: the engine's <see cref="ModelSpec"/> with the widths nu and ny of the random data,
/// the seed, and the command-line spellings the reports use (<c>--model r2dn</c>, <c>relu</c>, <c>long_memory</c>).
/// </summary>
internal sealed record BenchModel(ModelSpec Spec, int InputSize, int OutputSize, int Seed)
{
    /// <summary>Every value <c>--model</c> accepts.</summary>
    public static readonly string[] Names = ["r2dn", "ren", "lipschitz-r2dn", "lipschitz-ren"];

    /// <summary>The command-line name of the kind: r2dn, ren, lipschitz-r2dn or lipschitz-ren.</summary>
    public string Kind => (IsLipschitz ? "lipschitz-" : "") + (IsRen ? "ren" : "r2dn");

    /// <summary>Whether the model is a REN (no hidden network; nv neurons solved in sequence).</summary>
    public bool IsRen => Spec.Kind == ModelKind.Ren;

    /// <summary>Whether the model is γ-Lipschitz (<see cref="Gamma"/> applies).</summary>
    public bool IsLipschitz => Spec.Robustness == Robustness.Lipschitz;

    /// <summary>nx.</summary>
    public int StateSize => Spec.StateSize;

    /// <summary>nv.</summary>
    public int NonlinearWidth => Spec.NonlinearWidth;

    /// <summary>The hidden widths (empty for a REN).</summary>
    public int[] HiddenSizes => IsRen ? [] : Spec.HiddenSizes;

    /// <summary>γ.</summary>
    public double Gamma => Spec.Gamma;

    /// <summary>ᾱ.</summary>
    public double ContractionRate => Spec.ContractionRate;

    /// <summary>Command-line spelling of the activation.</summary>
    public string ActivationName => Spec.Activation == Activation.Tanh ? "tanh" : "relu";

    /// <summary>Command-line spelling of the initialisation.</summary>
    public string InitializationName => Spec.Initialization == Initialization.Random ? "random" : "long_memory";

    /// <summary>Command-line spelling of the network's output layer, or null for a REN (which has no network).
    /// </summary>
    public string? OutputLayerNameOrNull =>
        IsRen ? null : Spec.NetworkOutputLayer == LbdnOutputLayer.Linear ? "linear" : "nonlinear";

    /// <summary>Builds the model, freshly initialised.</summary>
    /// <exception cref="UsageException">A size or option is invalid for the model (the message says which).
    /// </exception>
    public RecurrentModel Build()
    {
        if (IsLipschitz && (!(Gamma > 0) || !double.IsFinite(Gamma)))
            throw new UsageException($"--gamma must be finite and greater than 0 (got {Gamma}).");
        if (!(ContractionRate > 0 && ContractionRate <= 1))
            throw new UsageException($"--abar must be in (0, 1] (got {ContractionRate}).");
        if (Spec.IdentityOutput && IsLipschitz)
            throw new UsageException($"an identity output is available for contracting models only, not '{Kind}'.");
        if (!IsRen && Spec.NetworkOutputLayer == LbdnOutputLayer.Linear && Spec.HiddenSizes.Length == 0)
            throw new UsageException("--output-layer linear needs at least one hidden layer (--hidden).");
        try
        {
            return (Spec with { HiddenSizes = HiddenSizes }).Create(InputSize, OutputSize, Seed);
        }
        catch (ArgumentException e)
        {
            // Sizes the engine rejects (for example a parameter vector too large to address) are usage errors.
            throw new UsageException($"cannot build model '{Kind}': {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Parses <c>--model</c>: r2dn, ren, lipschitz-r2dn or lipschitz-ren (any case).</summary>
    /// <exception cref="UsageException">Another value.</exception>
    public static (ModelKind Kind, Robustness Robustness) ParseKind(string? text) =>
        (text ?? "").Trim().ToLowerInvariant() switch
        {
            "r2dn" => (ModelKind.R2dn, Robustness.Contracting),
            "ren" => (ModelKind.Ren, Robustness.Contracting),
            "lipschitz-r2dn" => (ModelKind.R2dn, Robustness.Lipschitz),
            "lipschitz-ren" => (ModelKind.Ren, Robustness.Lipschitz),
            _ => throw new UsageException($"unknown model '{text}'; expected one of {string.Join(", ", Names)}."),
        };

    /// <summary>Parses <c>--activation</c> (relu or tanh).</summary>
    /// <exception cref="UsageException">Another value.</exception>
    public static Activation ParseActivation(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "relu" => Activation.ReLU,
        "tanh" => Activation.Tanh,
        _ => throw new UsageException($"--activation '{text}' is not supported; use relu or tanh."),
    };

    /// <summary>Parses <c>--init</c> (long_memory or random).</summary>
    /// <exception cref="UsageException">Another value.</exception>
    public static Initialization ParseInitialization(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "long_memory" or "long-memory" => Initialization.LongMemory,
        "random" => Initialization.Random,
        _ => throw new UsageException($"--init '{text}' is not supported; use long_memory or random."),
    };

    /// <summary>Parses <c>--output-layer</c> (nonlinear or linear).</summary>
    /// <exception cref="UsageException">Another value.</exception>
    public static LbdnOutputLayer ParseOutputLayer(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "nonlinear" => LbdnOutputLayer.Nonlinear,
        "linear" => LbdnOutputLayer.Linear,
        _ => throw new UsageException($"--output-layer '{text}' is not supported; use nonlinear or linear."),
    };
}
