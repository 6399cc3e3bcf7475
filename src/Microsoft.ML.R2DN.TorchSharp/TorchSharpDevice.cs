using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>Chooses the libtorch device and thread count of the TorchSharp backend.</summary>
public static class TorchSharpDevice
{
    /// <summary>
    /// The TorchSharp device for <paramref name="name"/>: <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>
    /// (case-insensitive).
    /// </summary>
    /// <param name="name">The device name.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException">The name is not cpu, cuda or cuda:N.</exception>
    /// <exception cref="InvalidOperationException">CUDA was asked for but libtorch reports no CUDA device (the CPU-only
    /// native package is referenced, or there is no GPU).</exception>
    public static Device Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (n.Length > 4 && !int.TryParse(n.AsSpan(5), out index))
                throw new ArgumentException($"Unknown device '{name}': use cpu, cuda or cuda:N.", nameof(name));
            if (!IsCudaAvailable)
                throw new InvalidOperationException(
                    $"Device '{name}' was requested, but libtorch reports no CUDA device. The application " +
                    "references a CPU-only libtorch runtime (such as libtorch-cpu-linux-x64), or there is no GPU. To " +
                    "train on a GPU, add the package TorchSharp-cuda-linux (Linux) or TorchSharp-cuda-windows " +
                    "(Windows) to your application in place of libtorch-cpu-linux-x64, and check that an NVIDIA " +
                    "driver and GPU are present; or use device \"cpu\".");
            if (index < 0 || index >= (int)cuda.device_count())
                throw new ArgumentException($"Device '{name}': there are {cuda.device_count()} CUDA devices.",
                                            nameof(name));
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"Unknown device '{name}': use cpu, cuda or cuda:N.", nameof(name));
    }

    /// <summary>Whether libtorch can use a CUDA device (loads libtorch on first use).</summary>
    public static bool IsCudaAvailable => cuda.is_available();

    /// <summary>Sets libtorch's intra-op thread count (process-wide), at least 1.</summary>
    /// <param name="threads">Number of threads.</param>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (torch.get_num_threads() != threads) torch.set_num_threads(threads);
    }
}
