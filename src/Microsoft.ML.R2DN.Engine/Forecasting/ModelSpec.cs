using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>Which recurrent model a task trains.</summary>
public enum ModelKind
{
    /// <summary>The robust recurrent deep network (the default): an LTI system in feedback with a 1-Lipschitz deep network.</summary>
    R2dn,

    /// <summary>The recurrent equilibrium network, the alternative trainer.</summary>
    Ren,
}

/// <summary>Which robustness property a model is built to have.</summary>
public enum Robustness
{
    /// <summary>Contracting (stable): it forgets its initial state. The default.</summary>
    Contracting,

    /// <summary>γ-Lipschitz from input to output (and contracting).</summary>
    Lipschitz,
}

/// <summary>
/// The choice of model and its sizes, independent of the data's input and output widths, which the task supplies.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>R2DN (default) or REN.</summary>
    public ModelKind Kind { get; init; } = ModelKind.R2dn;

    /// <summary>Contracting (default) or Lipschitz.</summary>
    public Robustness Robustness { get; init; } = Robustness.Contracting;

    /// <summary>The Lipschitz bound γ (finite, &gt; 0), used when <see cref="Robustness"/> is Lipschitz. Default 1.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>States nx (&gt; 0). Default 32.</summary>
    public int StateSize { get; init; } = 32;

    /// <summary>Neurons nv (&gt; 0): the R2DN network's width, or the REN's equilibrium neurons. Default 32.</summary>
    public int Features { get; init; } = 32;

    /// <summary>Hidden widths of the R2DN's 1-Lipschitz network (each &gt; 0; ignored by the REN). Default [64, 64].</summary>
    public int[] HiddenSizes { get; init; } = [64, 64];

    /// <summary>Activation (monotone, slope in [0, 1]). Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Initialisation. Default long memory.</summary>
    public Initialization Initialization { get; init; } = Initialization.LongMemory;

    /// <summary>Contraction-rate bound ᾱ in (0, 1]. Default 1.</summary>
    public double ContractionRate { get; init; } = 1.0;

    /// <summary>Creates the model for <paramref name="inputs"/> inputs and <paramref name="outputs"/> outputs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RecurrentModel Create(int inputs, int outputs, int seed)
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(nameof(Kind));
        if (!Enum.IsDefined(Robustness)) throw new ArgumentOutOfRangeException(nameof(Robustness));
        if (Robustness == Robustness.Lipschitz && (!(Gamma > 0) || !double.IsFinite(Gamma)))
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must be finite and greater than 0.");
        if (Kind == ModelKind.R2dn)
        {
            var o = new R2dnOptions
            {
                InputSize = inputs, StateSize = StateSize, Features = Features, OutputSize = outputs, HiddenSizes = HiddenSizes,
                Activation = Activation, Initialization = Initialization, ContractionRate = ContractionRate,
            };
            return Robustness == Robustness.Lipschitz ? new LipschitzR2dn(o, Gamma, seed) : new ContractingR2dn(o, seed);
        }
        var r = new RenOptions
        {
            InputSize = inputs, StateSize = StateSize, Features = Features, OutputSize = outputs,
            Activation = Activation, Initialization = Initialization, ContractionRate = ContractionRate,
        };
        return Robustness == Robustness.Lipschitz ? new LipschitzRen(r, Gamma, seed) : new ContractingRen(r, seed);
    }
}
