using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>
/// The TorchSharp training backend: the engine's trainer steps a <see cref="TorchSharpSequenceModel"/> (forward and
/// backward passes in libtorch, on the CPU or a CUDA device) and the trained parameters come back into the engine's
/// model, which scores and certifies as any other. The ML.NET plugin finds this class by name when this package is
/// referenced (<c>Backend = R2dnBackend.TorchSharp</c>).
/// </summary>
public sealed class TorchSharpTrainingBackend : ITrainingBackend
{
    /// <summary>Creates the backend for <paramref name="device"/>.</summary>
    /// <param name="device">"cpu", "cuda" or "cuda:N".</param>
    /// <exception cref="ArgumentException">The device name is not one of those.</exception>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available (the message names the
    /// package to add).</exception>
    public TorchSharpTrainingBackend(string device)
    {
        TorchSharpDevice.Resolve(device);   // fails now, with the package to add, rather than at the first epoch
        Device = device;
    }

    /// <summary>The device name.</summary>
    public string Device { get; }

    /// <inheritdoc/>
    public string Name => $"torchsharp ({Device})";

    /// <inheritdoc/>
    public ISequenceModel Attach(RecurrentModel model) => new TorchSharpSequenceModel(model, Device);

    /// <inheritdoc/>
    public void Detach(ISequenceModel trained, RecurrentModel model)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(model);
        trained.Parameters.AsSpan().CopyTo(model.Parameters);
        (trained as IDisposable)?.Dispose();
    }
}
