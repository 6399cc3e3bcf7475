using System.Numerics;
using Microsoft.ML.R2DN.Engine.Kernels;

namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>The weights of the runnable program a direct-to-explicit map produces (see
/// <see cref="FusedRecurrentNetwork{T}"/>).</summary>
internal sealed record FusedSpec(Matrix[] G, double[][] C, Matrix Wo, double[] Bo, Matrix? D11 = null);

/// <summary>A model's direct-to-explicit map at one parameter value, with its adjoint.</summary>
internal interface IExplicitMap
{
    /// <summary>The runnable program's weights.</summary>
    FusedSpec Fuse();

    /// <summary>Maps gradients of the program's weights to the gradient of every direct parameter (overwrites
    /// it).</summary>
    void Backward(FusedGradients gradients, Span<double> parameterGradient);
}

/// <summary>
/// What the recurrent models (R2DN, REN) share: a flat float64 parameter vector, a direct-to-explicit map run once per
/// call, float32 SIMD time loops, and exact gradients (backpropagation through time, then the map's adjoint).
/// </summary>
/// <remarks>Not thread-safe: one call at a time per instance (each call may use <see cref="Threads"/> cores).</remarks>
public abstract class RecurrentModel : ISequenceModel
{
    private readonly RolloutWorkspace<float> _workspace = new();
    private double[]? _compiledFrom;
    private FusedRecurrentNetwork<float>? _compiled;
    private IExplicitMap? _compiledMap;
    private int _threads = Math.Max(1, Environment.ProcessorCount);

    private protected RecurrentModel(ParameterLayout layout, int inputSize, int stateSize, int outputSize,
                                     Activation activation)
    {
        Layout = layout;
        Parameters = new double[layout.Count];
        InputSize = inputSize; StateSize = stateSize; OutputSize = outputSize; Activation = activation;
    }

    /// <inheritdoc/>
    public int InputSize { get; }
    /// <inheritdoc/>
    public int StateSize { get; }
    /// <inheritdoc/>
    public int OutputSize { get; }
    /// <summary>The activation of the model's neurons.</summary>
    public Activation Activation { get; }
    /// <inheritdoc/>
    public int ParameterCount => Layout.Count;
    /// <inheritdoc/>
    public double[] Parameters { get; }
    /// <inheritdoc/>
    public ParameterLayout Layout { get; }

    /// <inheritdoc/>
    public int Threads
    {
        get => _threads;
        set => _threads = value >= 1
            ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "Threads must be at least 1.");
    }

    /// <summary>Multiply-adds per time step per sequence of the explicit (unfused) model, the count used for FLOP
    /// rates.</summary>
    public abstract long MultiplyAddsPerStep { get; }

    /// <summary>
    /// States the model's robustness property and verifies it, without sampling, on the explicit matrices of the
    /// current parameters (MODELS.md section 5).
    /// </summary>
    /// <param name="relativeTolerance">Allowed largest eigenvalue of the dissipation form, relative to the size of its
    /// terms (default 1e-9; float64 rounding is about 1e-15).</param>
    public abstract Certificates.Certificate Certify(double relativeTolerance = 1e-9);

    /// <summary>The direct-to-explicit map at the current parameters.</summary>
    internal abstract IExplicitMap CreateMap();

    // Finite parameters can still overflow the map (a p of 1e300 squares to infinity); say so in the caller's terms.
    private IExplicitMap CreateMapChecked()
    {
        try { return CreateMap(); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new ArgumentException($"The parameters are too large or degenerate for the direct-to-explicit map " +
                                        $"({e.Message})",
                                        nameof(Parameters), e);
        }
    }

    internal FusedRecurrentNetwork<T> Compile<T>(IExplicitMap map) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var f = map.Fuse();
        return new FusedRecurrentNetwork<T>(StateSize, InputSize, OutputSize, Activation, f.G, f.C, f.Wo, f.Bo, f.D11);
    }

    private (FusedRecurrentNetwork<float> Net, IExplicitMap Map) CompiledFloat()
    {
        // The map runs once per call; an unchanged parameter vector reuses the last compilation.
        if (_compiled is null || _compiledFrom is null || !_compiledFrom.AsSpan().SequenceEqual(Parameters))
        {
            Validation.ThrowIfNotFinite(Parameters, nameof(Parameters));
            _compiledMap = CreateMapChecked();
            _compiled = Compile<float>(_compiledMap);
            _compiledFrom = (double[])Parameters.Clone();
        }
        return (_compiled, _compiledMap!);
    }

    /// <inheritdoc/>
    public void Simulate(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch,
                         Span<float> outputs, Span<float> finalState)
    {
        Validation.CheckSequenceArguments(this, initialState, inputs, timeSteps, batch);
        Validation.CheckLength(outputs, (long)timeSteps * batch * OutputSize, nameof(outputs));
        Validation.CheckLength(finalState, (long)batch * StateSize, nameof(finalState));
        var (net, _) = CompiledFloat();
        _workspace.Forward(net, initialState, inputs, timeSteps, batch, Threads);
        _workspace.Outputs.CopyTo(outputs);
        _workspace.CopyFinalState(finalState);
    }

    /// <inheritdoc/>
    public double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs,
                                  ReadOnlySpan<float> targets,
                                  int timeSteps, int batch, ISequenceLoss loss, Span<double> gradient,
                                      Span<float> finalState)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Validation.CheckSequenceArguments(this, initialState, inputs, timeSteps, batch);
        Validation.CheckLength(targets, (long)timeSteps * batch * OutputSize, nameof(targets));
        Validation.CheckLength(gradient, ParameterCount, nameof(gradient));
        Validation.CheckLength(finalState, (long)batch * StateSize, nameof(finalState));
        var (net, map) = CompiledFloat();
        _workspace.Forward(net, initialState, inputs, timeSteps, batch, Threads);
        double value =
            loss.Evaluate(_workspace.Outputs, targets, timeSteps, batch, OutputSize, _workspace.OutputGradient);
        map.Backward(_workspace.Backward(net, Threads), gradient);
        _workspace.CopyFinalState(finalState);
        return value;
    }

    /// <summary>
    /// <see cref="ISequenceModel.LossAndGradient"/> that also writes dLoss/dx_0 into
    /// <paramref name="initialStateGradient"/>
    /// ([batch, nx], overwritten): for training an estimator of the initial state (an encoder) together with the
    /// model.
    /// </summary>
    /// <returns>The loss value.</returns>
    public double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs,
                                  ReadOnlySpan<float> targets,
                                  int timeSteps, int batch, ISequenceLoss loss, Span<double> gradient,
                                  Span<float> finalState, Span<float> initialStateGradient)
    {
        Validation.CheckLength(initialStateGradient, (long)batch * StateSize, nameof(initialStateGradient));
        double value = LossAndGradient(initialState, inputs, targets, timeSteps, batch, loss, gradient, finalState);
        _workspace.CopyInitialStateGradient(initialStateGradient);
        return value;
    }
}
