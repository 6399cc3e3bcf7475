using System.Globalization;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// The model a command asks for, as typed on the command line: its kind and sizes, in the paper's symbols
/// (nu inputs, nx states, nv features, ny outputs, hidden widths of the 1-Lipschitz network). For a REN,
/// <see cref="Features"/> is its number of neurons nv and <see cref="HiddenSizes"/> is empty.
/// </summary>
internal sealed record ModelSpec(
    string Kind, int InputSize, int StateSize, int Features, int OutputSize, int[] HiddenSizes,
    Activation Activation, Initialization Initialization, LbdnOutputLayer OutputLayer, int Seed)
{
    /// <summary>The Lipschitz bound γ of the <c>lipschitz-*</c> models (finite, &gt; 0). Default 1.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>The contraction-rate bound ᾱ in (0, 1]. Default 1 (the paper's models).</summary>
    public double ContractionRate { get; init; } = 1.0;

    /// <summary>Fix the output map to y = x (contracting models only; needs ny = nx). Default false.</summary>
    public bool IdentityOutput { get; init; }

    /// <summary>The kind, trimmed and in lower case (the spelling reports use).</summary>
    public string NormalizedKind => NormalizeKind(Kind);

    /// <summary>Whether the kind is a REN (<c>ren</c>, <c>lipschitz-ren</c>): no hidden network, nv neurons solved in sequence.</summary>
    public bool IsRen => IsRenKind(Kind);

    /// <summary>Whether the kind is a γ-Lipschitz model (<c>lipschitz-r2dn</c>, <c>lipschitz-ren</c>), which <see cref="Gamma"/> applies to.</summary>
    public bool IsLipschitz => IsLipschitzKind(Kind);

    /// <summary>Command-line spelling of <see cref="OutputLayer"/>, or null for a REN (which has no network).</summary>
    public string? OutputLayerNameOrNull => IsRen ? null : OutputLayerName;

    /// <summary>Trims and lower-cases a <c>--model</c> value.</summary>
    public static string NormalizeKind(string? kind) => (kind ?? "").Trim().ToLowerInvariant();

    /// <summary>Whether <paramref name="kind"/> names a REN.</summary>
    public static bool IsRenKind(string? kind) => NormalizeKind(kind) is "ren" or "lipschitz-ren";

    /// <summary>Whether <paramref name="kind"/> names a γ-Lipschitz model.</summary>
    public static bool IsLipschitzKind(string? kind) => NormalizeKind(kind) is "lipschitz-r2dn" or "lipschitz-ren";

    /// <summary>Command-line spelling of <see cref="Activation"/>.</summary>
    public string ActivationName => Activation switch
    {
        Activation.ReLU => "relu",
        Activation.Tanh => "tanh",
        _ => Activation.ToString().ToLowerInvariant(),
    };

    /// <summary>Command-line spelling of <see cref="Initialization"/>.</summary>
    public string InitializationName => Initialization switch
    {
        Initialization.LongMemory => "long_memory",
        Initialization.Random => "random",
        _ => Initialization.ToString().ToLowerInvariant(),
    };

    /// <summary>Command-line spelling of <see cref="OutputLayer"/>.</summary>
    public string OutputLayerName => OutputLayer switch
    {
        LbdnOutputLayer.Nonlinear => "nonlinear",
        LbdnOutputLayer.Linear => "linear",
        _ => OutputLayer.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses <c>--hidden</c>: a comma-separated list of positive widths; empty, "none" or "[]" mean no hidden layer.</summary>
    public static int[] ParseHidden(string? text)
    {
        string s = (text ?? "").Trim();
        if (s.Length == 0 || s is "none" or "[]") return [];
        string[] parts = s.Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
                throw new UsageException(
                    $"--hidden '{text}' is not a comma-separated list of positive integers (for example 87,87,87, or 'none').");
        }
        return widths;
    }

    /// <summary>Parses <c>--activation</c> (relu or tanh).</summary>
    public static Activation ParseActivation(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "relu" => Activation.ReLU,
        "tanh" => Activation.Tanh,
        _ => throw new UsageException($"--activation '{text}' is not supported; use relu or tanh."),
    };

    /// <summary>Parses <c>--init</c> (long_memory or random).</summary>
    public static Initialization ParseInitialization(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "long_memory" or "long-memory" => Initialization.LongMemory,
        "random" => Initialization.Random,
        _ => throw new UsageException($"--init '{text}' is not supported; use long_memory or random."),
    };

    /// <summary>Parses <c>--output-layer</c> (nonlinear or linear).</summary>
    public static LbdnOutputLayer ParseOutputLayer(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "nonlinear" => LbdnOutputLayer.Nonlinear,
        "linear" => LbdnOutputLayer.Linear,
        _ => throw new UsageException($"--output-layer '{text}' is not supported; use nonlinear or linear."),
    };
}
