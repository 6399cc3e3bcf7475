namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>How the direct parameters of a REN or R2DN are initialised (MODELS.md section 3).</summary>
public enum Initialization
{
    /// <summary>Explicit A close to the identity (eigenvalues in [0.95, 1]), B1 = 0, C1 = 0: long memory at start. The
    /// paper's choice.</summary>
    LongMemory,

    /// <summary>Every free matrix drawn from a LeCun-normal distribution.</summary>
    Random,
}

/// <summary>Which form the last layer of an LBDN takes (MODELS.md 1.3).</summary>
public enum LbdnOutputLayer
{
    /// <summary>Every layer, the last included, is a full nonlinear Sandwich layer: the paper's reference code. The
    /// default.</summary>
    Nonlinear,

    /// <summary>The last layer is linear (h+ = B h + b), as in the ICML 2023 paper and the Julia package.</summary>
    Linear,
}

/// <summary>Sizes and choices of a contracting R2DN (MODELS.md 1.2, 2.7).</summary>
public sealed record R2dnOptions : IRecurrentModelOptions
{
    /// <summary>Number of inputs nu (&gt; 0).</summary>
    public required int InputSize { get; init; }

    /// <summary>Number of states nx (&gt; 0).</summary>
    public required int StateSize { get; init; }

    /// <summary>Number of features nv, the width of the 1-Lipschitz network's input and output (&gt; 0).</summary>
    public required int NonlinearWidth { get; init; }

    /// <summary>Number of outputs ny (&gt; 0).</summary>
    public required int OutputSize { get; init; }

    /// <summary>Hidden widths of the 1-Lipschitz network (each &gt; 0); it has <c>HiddenSizes.Length + 1</c> Sandwich
    /// layers. May be empty.</summary>
    public int[] HiddenSizes { get; init; } = [];

    /// <summary>Activation of the network. Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Initialisation. Default <see cref="Initialization.LongMemory"/>.</summary>
    public Initialization Initialization { get; init; } = Initialization.LongMemory;

    /// <summary>Form of the network's last layer. Default <see cref="LbdnOutputLayer.Nonlinear"/> (reproduces the
    /// paper).</summary>
    public LbdnOutputLayer NetworkOutputLayer { get; init; } = LbdnOutputLayer.Nonlinear;

    /// <summary>
    /// Contraction-rate bound ᾱ in (0, 1]: state differences shrink at least as fast as ᾱᵗ in the model's metric.
    /// Default 1 (the paper's model: contracting with no rate margin). Smaller values forget faster (about 1/(1 − ᾱ)
    /// steps) and exclude pure integrators.
    /// </summary>
    public double ContractionRate { get; init; } = 1.0;

    /// <summary>
    /// Fix the output map to y = x (C2 = I, D21 = 0, D22 = 0, by = 0; those groups are then not parameters), as for an
    /// observer whose output is its state. Requires OutputSize = StateSize. Contracting models only. Default false.
    /// </summary>
    public bool IdentityOutput { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        RecurrentOptionChecks.Sizes(this);
        RecurrentOptionChecks.HiddenSizes(HiddenSizes);
        RecurrentOptionChecks.Choices(this);
        if (!Enum.IsDefined(NetworkOutputLayer)) throw new ArgumentOutOfRangeException(nameof(NetworkOutputLayer));
    }
}
