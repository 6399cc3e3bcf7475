using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Where a model trains. Either way the trained model is the same kind of object: it scores on the managed
/// engine, saves to the same model file and carries the same certificate.</summary>
public enum R2dnBackend
{
    /// <summary>The managed SIMD engine of this package (the default; no native library).</summary>
    Managed = 0,

    /// <summary>libtorch through TorchSharp, on the CPU or a CUDA GPU (<c>Device</c>). Needs the
    /// Microsoft.ML.R2DN.TorchSharp package and a libtorch runtime (libtorch-cpu-linux-x64, or TorchSharp-cuda-linux /
    /// TorchSharp-cuda-windows for a GPU) in the application.</summary>
    TorchSharp = 1,
}

/// <summary>Finds the training backend of an <see cref="R2dnBackend"/>: the TorchSharp one lives in its own package and
/// is found by name when the application references it, so this package carries no TorchSharp dependency.</summary>
internal static class BackendResolver
{
    private const string TorchSharpType =
        "Microsoft.ML.R2DN.TorchSharp.TorchSharpTrainingBackend, Microsoft.ML.R2DN.TorchSharp";

    /// <summary>The engine backend for the options (null for the managed engine).</summary>
    /// <exception cref="InvalidOperationException">TorchSharp was asked for but its package is not referenced, or its
    /// device is not available (the message says what to add).</exception>
    public static ITrainingBackend? Resolve(R2dnBackend backend, string device)
    {
        if (backend == R2dnBackend.Managed)
        {
            if (!string.Equals(device, "cpu", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentOutOfRangeException("Device", device, "The managed backend runs on the CPU only: " +
                                                      "set Backend = R2dnBackend.TorchSharp to train on a GPU.");
            return null;
        }
        Type? type;
        try { type = Type.GetType(TorchSharpType, throwOnError: false); }
        catch (Exception e) when (e is FileLoadException or BadImageFormatException) { type = null; }
        if (type is null)
            throw new InvalidOperationException(
                "Backend = R2dnBackend.TorchSharp needs the Microsoft.ML.R2DN.TorchSharp package: add it to the " +
                "application, with a libtorch runtime (libtorch-cpu-linux-x64 for the CPU; TorchSharp-cuda-linux or " +
                "TorchSharp-cuda-windows for a GPU).");
        try
        {
            return (ITrainingBackend)Activator.CreateInstance(type, device)!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }
}
