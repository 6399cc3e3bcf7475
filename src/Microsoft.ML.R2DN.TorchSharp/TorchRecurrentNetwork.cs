using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>
/// An engine recurrent model (contracting or γ-Lipschitz R2DN, contracting, γ-Lipschitz or (Q, S, R) REN) as a
/// TorchSharp module. Its one parameter, <see cref="Theta"/>, is the engine's flat float64 direct-parameter vector in
/// <see cref="ParameterLayout"/> order; each forward pass builds the explicit matrices from it inside the autograd
/// graph (float64, the managed engine's formulas) and runs the time loop in float32, as the managed engine does.
/// </summary>
/// <remarks>
/// Inputs are time-major: u is [T, B, nu] and x₀ is [B, nx]; outputs are y [T, B, ny] and x_T [B, nx], float32 on the
/// module's device. The initial state is treated as a constant input. Not thread-safe.
/// </remarks>
public sealed class TorchRecurrentNetwork : nn.Module<Tensor, Tensor, (Tensor Outputs, Tensor FinalState)>
{
    private readonly ModelDescription _model;
    // TorchSharp's RegisterComponents names a module's parameters after its fields: this one is "theta" in the
    // module's state dictionary, so it keeps that name rather than the house _camelCase.
#pragma warning disable IDE1006
    private readonly Parameter theta;
#pragma warning restore IDE1006

    /// <summary>Wraps <paramref name="model"/> (its type and options) and copies its current parameters
    /// to <paramref name="device"/>.</summary>
    /// <param name="model">A ContractingR2dn, LipschitzR2dn, ContractingRen, LipschitzRen or GeneralRen.</param>
    /// <param name="device">"cpu", "cuda" or "cuda:N".</param>
    /// <exception cref="NotSupportedException">The model type is not one of those.</exception>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available (the message names the
    /// package to add).</exception>
    public TorchRecurrentNetwork(RecurrentModel model, string device = "cpu") : base(nameof(TorchRecurrentNetwork))
    {
        _model = ModelDescription.From(model);
        Device = TorchSharpDevice.Resolve(device);
        theta = new Parameter(tensor(model.Parameters, ScalarType.Float64, Device), requires_grad: true);
        RegisterComponents();
    }

    /// <summary>The device the parameters and computations live on.</summary>
    public Device Device { get; }

    /// <summary>The flat float64 direct parameters (length <see cref="ParameterCount"/>, <see cref="Layout"/>
    /// order).</summary>
    public Parameter Theta => theta;

    /// <summary>The parameter layout (shared with the engine model).</summary>
    public ParameterLayout Layout => _model.Layout;

    /// <summary>Number of direct parameters.</summary>
    public int ParameterCount => _model.ParameterCount;

    /// <summary>Inputs nu.</summary>
    public int InputSize => _model.InputSize;

    /// <summary>States nx.</summary>
    public int StateSize => _model.StateSize;

    /// <summary>Outputs ny.</summary>
    public int OutputSize => _model.OutputSize;

    /// <summary>A readable name of the model ("contracting R2DN", …).</summary>
    public string ModelName => _model.Name;

    /// <summary>Runs the model with autograd (when enabled) from <paramref name="initialState"/> ([B, nx])
    /// over <paramref name="inputs"/> ([T, B, nu]).</summary>
    /// <returns>y ([T, B, ny]) and x_T ([B, nx]), float32.</returns>
    public override (Tensor Outputs, Tensor FinalState) forward(Tensor initialState, Tensor inputs)
    {
        CheckShapes(initialState, inputs);
        using var scope = NewDisposeScope();
        var w = ExplicitMaps.Build(_model, theta);
        var (y, xT) = Rollout.Run(w, initialState.to(ScalarType.Float32, Device), inputs.to(ScalarType.Float32, Device),
                                  StateSize, InputSize, OutputSize, _model.Activation);
        return (y.MoveToOuterDisposeScope(), xT.MoveToOuterDisposeScope());
    }

    /// <summary>Inference without autograd (torch.no_grad, in-place accumulation): same results
    /// as <see cref="forward"/>.</summary>
    /// <returns>y ([T, B, ny]) and x_T ([B, nx]), float32.</returns>
    public (Tensor Outputs, Tensor FinalState) Simulate(Tensor initialState, Tensor inputs)
    {
        CheckShapes(initialState, inputs);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var w = ExplicitMaps.Build(_model, theta);
        var (y, xT) = Rollout.Run(w, initialState.to(ScalarType.Float32, Device), inputs.to(ScalarType.Float32, Device),
                                  StateSize, InputSize, OutputSize, _model.Activation);
        return (y.contiguous().MoveToOuterDisposeScope(), xT.contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>Overwrites the parameters with <paramref name="parameters"/> (length <see cref="ParameterCount"/>,
    /// every value finite).</summary>
    /// <exception cref="ArgumentException">Wrong length or a value that is not finite.</exception>
    public void LoadParameters(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"Expected {ParameterCount} parameters, got {parameters.Length}.",
                                        nameof(parameters));
        for (int i = 0; i < parameters.Length; i++)
            if (!double.IsFinite(parameters[i]))
                throw new ArgumentException($"Parameter {i} is {parameters[i]}; every value must be finite.",
                                            nameof(parameters));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        theta.copy_(tensor(parameters.ToArray(), ScalarType.Float64));
    }

    /// <summary>Copies the parameters of an engine model of the same type and layout into this module.</summary>
    public void LoadFrom(RecurrentModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckCompatible(model);
        LoadParameters(model.Parameters);
    }

    /// <summary>The parameters as a host array in <see cref="Layout"/> order.</summary>
    public double[] GetParameters()
    {
        using var scope = NewDisposeScope();
        return theta.detach().cpu().data<double>().ToArray();
    }

    /// <summary>Writes the parameters into <paramref name="model"/> (same type and layout), so that it certifies and
    /// scores on the managed engine.</summary>
    public void CopyTo(RecurrentModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckCompatible(model);
        GetParameters().CopyTo(model.Parameters, 0);
    }

    /// <summary>A new managed-engine model of the same type and options holding this module's parameters.</summary>
    public RecurrentModel ToEngineModel() => _model.CreateEngineModel(GetParameters());

    internal ModelDescription Description => _model;

    private void CheckCompatible(RecurrentModel model)
    {
        static IEnumerable<(string, int, int)> Groups(ParameterLayout layout) =>
            layout.Groups.Select(g => (g.Name, g.Offset, g.Length));
        if (model.GetType() != _model.Template.GetType() || model.ParameterCount != ParameterCount ||
            !Groups(model.Layout).SequenceEqual(Groups(Layout)))
            throw new ArgumentException(
                $"The model ({model.GetType().Name}, {model.ParameterCount} parameters) does not have this module's " +
                $"type and layout ({_model.Template.GetType().Name}, {ParameterCount} parameters).", nameof(model));
    }

    private void CheckShapes(Tensor initialState, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(initialState);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.dim() != 3 || inputs.shape[2] != InputSize || inputs.shape[0] < 1 || inputs.shape[1] < 1)
            throw new ArgumentException($"inputs must be [T, B, {InputSize}] with T, B ≥ 1.", nameof(inputs));
        if (initialState.dim() != 2 || initialState.shape[0] != inputs.shape[1] || initialState.shape[1] != StateSize)
            throw new ArgumentException($"initialState must be [{inputs.shape[1]}, {StateSize}].",
                                        nameof(initialState));
    }
}
