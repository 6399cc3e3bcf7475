using System.Numerics;
using Microsoft.ML.R2DN.Engine.Kernels;

namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>Sizes and choices of a Lipschitz-bounded deep network (MODELS.md 1.3, 2.6).</summary>
public sealed record LbdnOptions
{
    /// <summary>Input width (&gt; 0).</summary>
    public required int InputSize { get; init; }

    /// <summary>Output width (&gt; 0).</summary>
    public required int OutputSize { get; init; }

    /// <summary>Hidden widths (each &gt; 0). The network has <c>HiddenSizes.Length + 1</c> Sandwich layers.</summary>
    public int[] HiddenSizes { get; init; } = [];

    /// <summary>The Lipschitz bound γ (finite, &gt; 0). Default 1.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>Activation. Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Form of the last layer. Default <see cref="LbdnOutputLayer.Nonlinear"/> (the paper's code).</summary>
    public LbdnOutputLayer OutputLayer { get; init; } = LbdnOutputLayer.Nonlinear;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InputSize, nameof(InputSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(OutputSize, nameof(OutputSize));
        RecurrentOptionChecks.HiddenSizes(HiddenSizes);
        if (!(Gamma > 0) || !double.IsFinite(Gamma))
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must be finite and greater than 0.");
        if (!Enum.IsDefined(Activation)) throw new ArgumentOutOfRangeException(nameof(Activation));
        if (!Enum.IsDefined(OutputLayer)) throw new ArgumentOutOfRangeException(nameof(OutputLayer));
        if (OutputLayer == LbdnOutputLayer.Linear && HiddenSizes.Length == 0)
            throw new ArgumentOutOfRangeException(nameof(HiddenSizes),
                                                  "A linear output layer needs at least one hidden layer.");
    }
}

/// <summary>
/// A γ-Lipschitz deep network built from Sandwich layers (MODELS.md 1.3, 2.6): ‖f(a) − f(b)‖ ≤ γ‖a − b‖ for every
/// value of its direct parameters. Parameter groups: <c>layers_k/XY</c>, <c>layers_k/a</c>, <c>layers_k/d</c>,
/// <c>layers_k/b</c>.
/// </summary>
/// <remarks>Not thread-safe: one call at a time per instance.</remarks>
public sealed class Lbdn
{
    /// <summary>Creates a network with JAX's initialisation (lecun-normal XY, a = ‖XY‖, d = b = 0).</summary>
    public Lbdn(LbdnOptions options, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options with { HiddenSizes = (int[])options.HiddenSizes.Clone() };
        Layout = new ParameterLayout();
        LbdnMap.AddParameters(Layout, "", Widths);
        Parameters = new double[Layout.Count];
        LbdnMap.Initialize(Parameters, Layout, "", Widths.Length - 1, new Initializers(seed));
    }

    /// <summary>The options.</summary>
    public LbdnOptions Options { get; }

    /// <summary>The direct parameters (writable).</summary>
    public double[] Parameters { get; }

    /// <summary>Names and shapes of the parameter groups.</summary>
    public ParameterLayout Layout { get; }

    /// <summary>Number of trainable parameters.</summary>
    public int ParameterCount => Layout.Count;

    private int[] Widths => [Options.InputSize, .. Options.HiddenSizes, Options.OutputSize];

    internal LbdnMap Map() => new(Parameters, Layout, "", Widths.Length - 1, Options.Gamma, Options.OutputLayer);

    // A static network is the fused program with no state, run for one step.
    internal FusedRecurrentNetwork<T> Compile<T>(LbdnMap map) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = new Matrix[map.Stages];
        var c = new double[map.Stages][];
        g[0] = map.W1In; c[0] = map.Biases[0];
        for (int k = 1; k < map.Stages; k++) { g[k] = map.Joints[k]; c[k] = map.Biases[k]; }
        var wo = new Matrix(Options.OutputSize, Options.InputSize + map.Out.Columns);
        wo.SetBlock(0, Options.InputSize, map.Out);
        return new FusedRecurrentNetwork<T>(0, Options.InputSize, Options.OutputSize, Options.Activation, g, c, wo,
                                            map.OutBias);
    }

    /// <summary>Evaluates f on <paramref name="batch"/> rows of <paramref name="inputs"/> ([batch, InputSize]) into
    /// <paramref name="outputs"/> ([batch, OutputSize]).</summary>
    public void Evaluate(ReadOnlySpan<double> inputs, int batch, Span<double> outputs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        Validation.CheckLength(inputs, (long)batch * Options.InputSize, nameof(inputs));
        Validation.CheckLength(outputs, (long)batch * Options.OutputSize, nameof(outputs));
        Validation.ThrowIfNotFinite(inputs, nameof(inputs));
        Validation.ThrowIfNotFinite(Parameters, nameof(Parameters));
        var ws = new RolloutWorkspace<double>();
        ws.Forward(Compile<double>(Map()), [], inputs, 1, batch, 1);
        ws.Outputs.CopyTo(outputs);
    }
}
