namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The choice of model and its sizes, in the paper's symbols (nx states, nv nonlinear width, hidden widths of the
/// 1-Lipschitz network), independent of the input and output widths nu and ny, which the task supplies.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>R2DN (default) or REN.</summary>
    public ModelKind Kind { get; init; } = ModelKind.R2dn;

    /// <summary>Contracting (default) or Lipschitz.</summary>
    public Robustness Robustness { get; init; } = Robustness.Contracting;

    /// <summary>The Lipschitz bound γ (finite, &gt; 0), used when <see cref="Robustness"/> is Lipschitz. Default
    /// 1.</summary>
    public double Gamma { get; init; } = Defaults.Model.Gamma;

    /// <summary>States nx (&gt; 0). Default 32.</summary>
    public int StateSize { get; init; } = Defaults.Model.Size;

    /// <summary>The paper's nv (&gt; 0): the width of the R2DN network's input and output, or the number of the
    /// REN's equilibrium neurons. Default 32.</summary>
    public int NonlinearWidth { get; init; } = Defaults.Model.Size;

    /// <summary>Hidden widths of the R2DN's 1-Lipschitz network (each &gt; 0; ignored by the REN). Default [64, 64].
    /// </summary>
    public int[] HiddenSizes { get; init; } = Defaults.Model.HiddenSizes;

    /// <summary>Activation (monotone, slope in [0, 1]). Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Initialisation. Default long memory.</summary>
    public Initialization Initialization { get; init; } = Initialization.LongMemory;

    /// <summary>Contraction-rate bound ᾱ in (0, 1]. Default 1.</summary>
    public double ContractionRate { get; init; } = Defaults.Model.ContractionRate;

    /// <summary>The form of the R2DN network's last layer (ignored by the REN). Default
    /// <see cref="LbdnOutputLayer.Nonlinear"/>, the paper's code.</summary>
    public LbdnOutputLayer NetworkOutputLayer { get; init; } = LbdnOutputLayer.Nonlinear;

    /// <summary>Fix the output map to y = x (contracting models only; needs ny = nx). Default false.</summary>
    public bool IdentityOutput { get; init; }

    /// <summary>Creates the model for <paramref name="inputs"/> inputs and <paramref name="outputs"/>
    /// outputs.</summary>
    /// <param name="inputs">nu, at least 1.</param>
    /// <param name="outputs">ny, at least 1.</param>
    /// <param name="seed">The seed of the initialisation.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or option is out of range.</exception>
    /// <exception cref="ArgumentException">The options do not go together (an identity output on a Lipschitz model, a
    /// linear output layer without a hidden layer).</exception>
    public RecurrentModel Create(int inputs, int outputs, int seed)
    {
        if (!Enum.IsDefined(Kind)) throw new ArgumentOutOfRangeException(nameof(Kind));
        if (!Enum.IsDefined(Robustness)) throw new ArgumentOutOfRangeException(nameof(Robustness));
        if (Robustness == Robustness.Lipschitz && (!(Gamma > 0) || !double.IsFinite(Gamma)))
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must be finite and greater than 0.");
        bool lipschitz = Robustness == Robustness.Lipschitz;
        if (Kind == ModelKind.R2dn)
        {
            var o = R2dnOptions(inputs, outputs);
            return lipschitz ? new LipschitzR2dn(o, Gamma, seed) : new ContractingR2dn(o, seed);
        }
        var r = RenOptions(inputs, outputs);
        return lipschitz ? new LipschitzRen(r, Gamma, seed) : new ContractingRen(r, seed);
    }

    private R2dnOptions R2dnOptions(int inputs, int outputs) => new()
    {
        InputSize = inputs, StateSize = StateSize, NonlinearWidth = NonlinearWidth, OutputSize = outputs,
        HiddenSizes = HiddenSizes, Activation = Activation, Initialization = Initialization,
        NetworkOutputLayer = NetworkOutputLayer, ContractionRate = ContractionRate, IdentityOutput = IdentityOutput,
    };

    private RenOptions RenOptions(int inputs, int outputs) => new()
    {
        InputSize = inputs, StateSize = StateSize, NonlinearWidth = NonlinearWidth, OutputSize = outputs,
        Activation = Activation, Initialization = Initialization, ContractionRate = ContractionRate,
        IdentityOutput = IdentityOutput,
    };
}
