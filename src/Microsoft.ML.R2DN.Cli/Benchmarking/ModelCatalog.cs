using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>A model built for a command, with the numbers the reports need that <see cref="ISequenceModel"/> does not carry.</summary>
/// <param name="Model">The model, freshly initialised.</param>
/// <param name="MultiplyAddsPerStep">Multiply-adds per time step per sequence of the unfused explicit model (for GFLOP/s).</param>
internal sealed record BuiltModel(ISequenceModel Model, long MultiplyAddsPerStep);

/// <summary>
/// Builds the model named by <c>--model</c>. Every model kind the command line knows is one case of
/// <see cref="Create"/>; adding a model means replacing its "not available yet" case with a constructor call.
/// </summary>
internal static class ModelCatalog
{
    /// <summary>Every value <c>--model</c> accepts, available or not.</summary>
    public static readonly string[] Names = ["r2dn", "ren", "lipschitz-r2dn", "lipschitz-ren"];

    /// <summary>Builds the model <paramref name="spec"/> describes.</summary>
    /// <exception cref="UsageException">The kind is unknown or not available yet, or a size is invalid.</exception>
    public static BuiltModel Create(ModelSpec spec)
    {
        string kind = spec.Kind.Trim().ToLowerInvariant();
        switch (kind)
        {
            case "r2dn":
            {
                var model = new ContractingR2dn(new R2dnOptions
                {
                    InputSize = spec.InputSize,
                    StateSize = spec.StateSize,
                    Features = spec.Features,
                    OutputSize = spec.OutputSize,
                    HiddenSizes = spec.HiddenSizes,
                    Activation = spec.Activation,
                    Initialization = spec.Initialization,
                    NetworkOutputLayer = spec.OutputLayer,
                }, spec.Seed);
                return new BuiltModel(model, model.MultiplyAddsPerStep);
            }
            case "ren":
            case "lipschitz-r2dn":
            case "lipschitz-ren":
                throw new UsageException($"model '{kind}' is not available yet");
            default:
                throw new UsageException($"unknown model '{spec.Kind}'; expected one of {string.Join(", ", Names)}");
        }
    }
}
