using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>A model built for a command, with the numbers the reports need.</summary>
/// <param name="Model">The model, freshly initialised.</param>
/// <param name="MultiplyAddsPerStep">Multiply-adds per time step per sequence of the unfused explicit model (for GFLOP/s).</param>
internal sealed record BuiltModel(RecurrentModel Model, long MultiplyAddsPerStep);

/// <summary>
/// Builds the model named by <c>--model</c>. Every model kind the command line knows is one case of <see cref="Create"/>.
/// </summary>
internal static class ModelCatalog
{
    /// <summary>Every value <c>--model</c> accepts.</summary>
    public static readonly string[] Names = ["r2dn", "ren", "lipschitz-r2dn", "lipschitz-ren"];

    /// <summary>Builds the model <paramref name="spec"/> describes.</summary>
    /// <exception cref="UsageException">The kind is unknown, or a size or option is invalid for it.</exception>
    public static BuiltModel Create(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string kind = spec.NormalizedKind;
        if (spec.IsLipschitz && (!(spec.Gamma > 0) || !double.IsFinite(spec.Gamma)))
            throw new UsageException($"--gamma must be finite and greater than 0 (got {spec.Gamma}).");
        if (!(spec.ContractionRate > 0 && spec.ContractionRate <= 1))
            throw new UsageException($"--abar must be in (0, 1] (got {spec.ContractionRate}).");
        if (spec.IsRen && spec.HiddenSizes.Length > 0)
            throw new UsageException($"model '{kind}' has no hidden network; its size is --nv (the number of neurons).");
        if (spec.IdentityOutput && spec.IsLipschitz)
            throw new UsageException($"an identity output is available for contracting models only, not '{kind}'.");
        if (spec.IdentityOutput && spec.OutputSize != spec.StateSize)
            throw new UsageException($"an identity output needs ny = nx (got ny {spec.OutputSize}, nx {spec.StateSize}).");
        if (!spec.IsRen && spec.OutputLayer == LbdnOutputLayer.Linear && spec.HiddenSizes.Length == 0)
            throw new UsageException("--output-layer linear needs at least one hidden layer (--hidden).");

        RecurrentModel model;
        try
        {
            model = kind switch
            {
                "r2dn" => new ContractingR2dn(R2dnOptions(spec), spec.Seed),
                "lipschitz-r2dn" => new LipschitzR2dn(R2dnOptions(spec), spec.Gamma, spec.Seed),
                "ren" => new ContractingRen(RenOptions(spec), spec.Seed),
                "lipschitz-ren" => new LipschitzRen(RenOptions(spec), spec.Gamma, spec.Seed),
                _ => throw new UsageException($"unknown model '{spec.Kind}'; expected one of {string.Join(", ", Names)}"),
            };
        }
        catch (ArgumentException e)
        {
            // Sizes the engine rejects (for example a parameter vector too large to address) are usage errors.
            throw new UsageException($"cannot build model '{kind}': {e.Message.ReplaceLineEndings(" ")}");
        }
        return new BuiltModel(model, model.MultiplyAddsPerStep);
    }

    private static R2dnOptions R2dnOptions(ModelSpec spec) => new()
    {
        InputSize = spec.InputSize,
        StateSize = spec.StateSize,
        Features = spec.Features,
        OutputSize = spec.OutputSize,
        HiddenSizes = spec.HiddenSizes,
        Activation = spec.Activation,
        Initialization = spec.Initialization,
        NetworkOutputLayer = spec.OutputLayer,
        ContractionRate = spec.ContractionRate,
        IdentityOutput = spec.IdentityOutput,
    };

    private static RenOptions RenOptions(ModelSpec spec) => new()
    {
        InputSize = spec.InputSize,
        StateSize = spec.StateSize,
        Features = spec.Features,
        OutputSize = spec.OutputSize,
        Activation = spec.Activation,
        Initialization = spec.Initialization,
        ContractionRate = spec.ContractionRate,
        IdentityOutput = spec.IdentityOutput,
    };
}
