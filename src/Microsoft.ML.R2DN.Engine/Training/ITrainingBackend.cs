namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>
/// Where the trainer's forward and backward passes run. The managed engine is the default (the model trains itself);
/// another backend (the TorchSharp package: libtorch on CPU or CUDA) wraps the model in an <see cref="ISequenceModel"/>
/// over the same parameter vector, in the same <see cref="ParameterLayout"/> order, so the same <see cref="Trainer"/>,
/// Adam, schedule and clipping drive it, and the trained parameters come back into the engine's model.
/// </summary>
public interface ITrainingBackend
{
    /// <summary>A short name for messages ("torchsharp (cpu)").</summary>
    string Name { get; }

    /// <summary>The model the trainer steps, holding <paramref name="model"/>'s current parameters.</summary>
    ISequenceModel Attach(RecurrentModel model);

    /// <summary>Copies the parameters of <paramref name="trained"/> back into <paramref name="model"/> and releases
    /// what <see cref="Attach"/> allocated. Called once, also when training failed or was cancelled.</summary>
    void Detach(ISequenceModel trained, RecurrentModel model);
}

/// <summary>Runs a fit on a backend, or on the model itself when there is none.</summary>
public static class TrainingBackends
{
    /// <summary>Fits <paramref name="model"/> with <paramref name="fit"/> on <paramref name="backend"/> (null: the
    /// managed engine), copying the parameters back when the backend is another.</summary>
    public static TrainingResult Fit(RecurrentModel model, ITrainingBackend? backend,
                                     Func<ISequenceModel, TrainingResult> fit)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fit);
        if (backend is null) return fit(model);
        var attached = backend.Attach(model);
        try
        {
            return fit(attached);
        }
        finally
        {
            backend.Detach(attached, model);
        }
    }
}
