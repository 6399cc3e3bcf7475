using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>
/// The TorchSharp backend behind the engine's <see cref="ISequenceModel"/> contract, so that the engine's
/// <c>Trainer</c> (Adam, learning-rate schedule, clipping, TBPTT, validation, early stopping: the very same code as for
/// the managed engine) trains a model whose forward and backward passes run in libtorch.
/// </summary>
/// <remarks>
/// <see cref="Parameters"/> is a host array in the engine's layout and is the source of truth, as the contract says (a
/// trainer updates it in place): every call copies it to the device first. Losses are the engine's
/// <see cref="ISequenceLoss"/> objects, evaluated on the host on the float32 outputs; their output gradient is
/// back-propagated through the libtorch graph. Not thread-safe.
/// </remarks>
public sealed class TorchSharpSequenceModel : ISequenceModel, IDisposable
{
    private int _threads;

    /// <summary>Creates the backend model for <paramref name="model"/>'s type and options, starting from its current
    /// parameters.</summary>
    /// <param name="model">A ContractingR2dn, LipschitzR2dn, ContractingRen, LipschitzRen or GeneralRen.</param>
    /// <param name="device">"cpu", "cuda" or "cuda:N".</param>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available (the message names the
    /// package to add).</exception>
    public TorchSharpSequenceModel(RecurrentModel model, string device = "cpu")
    {
        ArgumentNullException.ThrowIfNull(model);
        Network = new TorchRecurrentNetwork(model, device);
        Parameters = (double[])model.Parameters.Clone();
        _threads = Math.Max(1, torch.get_num_threads());
    }

    /// <summary>The TorchSharp module.</summary>
    public TorchRecurrentNetwork Network { get; }

    /// <inheritdoc/>
    public int InputSize => Network.InputSize;
    /// <inheritdoc/>
    public int StateSize => Network.StateSize;
    /// <inheritdoc/>
    public int OutputSize => Network.OutputSize;
    /// <inheritdoc/>
    public int ParameterCount => Network.ParameterCount;
    /// <inheritdoc/>
    public double[] Parameters { get; }
    /// <inheritdoc/>
    public ParameterLayout Layout => Network.Layout;

    /// <summary>libtorch's intra-op thread count; setting it changes it for the whole process
    /// (torch.set_num_threads).</summary>
    public int Threads
    {
        get => _threads;
        set { TorchSharpDevice.SetThreads(value); _threads = value; }
    }

    /// <summary>A new managed-engine model of the same type and options holding <see cref="Parameters"/>.</summary>
    public RecurrentModel ToEngineModel() => Network.Description.CreateEngineModel(Parameters);

    /// <inheritdoc/>
    public void Simulate(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch,
                         Span<float> outputs, Span<float> finalState)
    {
        CheckArguments(initialState, inputs, timeSteps, batch);
        CheckLength(outputs.Length, (long)timeSteps * batch * OutputSize, nameof(outputs));
        CheckLength(finalState.Length, (long)batch * StateSize, nameof(finalState));
        Network.LoadParameters(Parameters);
        using var scope = NewDisposeScope();
        var (x0, u) = Upload(initialState, inputs, timeSteps, batch);
        var (y, xT) = Network.Simulate(x0, u);
        Download(y, outputs);
        Download(xT, finalState);
    }

    /// <inheritdoc/>
    public double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs,
                                  ReadOnlySpan<float> targets, int timeSteps, int batch, ISequenceLoss loss,
                                  Span<double> gradient, Span<float> finalState)
    {
        ArgumentNullException.ThrowIfNull(loss);
        CheckArguments(initialState, inputs, timeSteps, batch);
        CheckLength(targets.Length, (long)timeSteps * batch * OutputSize, nameof(targets));
        CheckLength(gradient.Length, ParameterCount, nameof(gradient));
        CheckLength(finalState.Length, (long)batch * StateSize, nameof(finalState));
        Network.LoadParameters(Parameters);
        using var scope = NewDisposeScope();
        var (x0, u) = Upload(initialState, inputs, timeSteps, batch);
        var theta = Network.Theta;
        theta.grad?.zero_();
        var (y, xT) = Network.forward(x0, u);
        var yHost = y.detach().cpu().data<float>().ToArray();
        var dy = new float[yHost.Length];
        double value = loss.Evaluate(yHost, targets, timeSteps, batch, OutputSize, dy);
        y.backward([tensor(dy, [timeSteps, batch, OutputSize], ScalarType.Float32, Network.Device)]);
        var g = theta.grad;
        if (g is null) gradient.Clear();
        else g.cpu().data<double>().CopyTo(gradient);
        Download(xT, finalState);
        return value;
    }

    /// <summary>Releases the module's native tensors.</summary>
    public void Dispose() => Network.Dispose();

    private (Tensor X0, Tensor U) Upload(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps,
                                         int batch)
    {
        var x0 = tensor(initialState.ToArray(), [batch, StateSize], ScalarType.Float32, Network.Device);
        var u = tensor(inputs.ToArray(), [timeSteps, batch, InputSize], ScalarType.Float32, Network.Device);
        return (x0, u);
    }

    private static void Download(Tensor t, Span<float> destination) =>
        t.detach().cpu().contiguous().data<float>().CopyTo(destination);

    private void CheckArguments(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        CheckLength(initialState.Length, (long)batch * StateSize, nameof(initialState));
        CheckLength(inputs.Length, (long)timeSteps * batch * InputSize, nameof(inputs));
        foreach (var v in inputs)
            if (!float.IsFinite(v)) throw new ArgumentException("Every input must be finite.", nameof(inputs));
    }

    private static void CheckLength(long actual, long expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"Expected length {expected}, got {actual}.", name);
    }
}
