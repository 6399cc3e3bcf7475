using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// The machine's measured float32 FMA peak: every thread runs independent fused multiply-adds on the widest vectors the
/// JIT accelerates (512, 256 or 128 bits), enough of them in flight to hide the FMA latency, with no memory traffic.
/// It is the ceiling a GEMM-bound kernel can approach on these cores ("share of FMA peak" in the bench report).
/// </summary>
internal static class FmaPeak
{
    /// <summary>GFLOP/s (two flops per lane per FMA) of <paramref name="threads"/> threads running for about
    /// <paramref name="seconds"/> each, at the same time.</summary>
    public static double Measure(int threads, double seconds = 0.3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var rates = new double[threads];
        var workers = Enumerable.Range(0, threads)
                                .Select(i => new Thread(() => rates[i] = OneThread(seconds)) { IsBackground = true })
                                .ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        return rates.Sum();
    }

    /// <summary>The vector width used, in bits.</summary>
    public static int VectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector.IsHardwareAccelerated ? Vector<float>.Count * 32 : 32;

    private static double OneThread(double seconds)
    {
        OneThreadCore(0.02);   // warm-up: tier the loop up before timing it
        return OneThreadCore(seconds);
    }

    private static double OneThreadCore(double seconds)
    {
        int bits = VectorBits;
        int lanes = bits / 32;
        const int Chunk = 100_000;
        long iterations = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            Keep(bits == 512 ? Chunk512(Chunk) : ChunkVector(Chunk));
            iterations += Chunk;
        }
        return iterations * 12.0 * lanes * 2 / sw.Elapsed.TotalSeconds / 1e9;
    }

    // Each chunk is its own fully optimised method: a loop left inside the timing method runs as on-stack-replacement
    // code, which keeps the accumulators in memory and measured about a third of the true peak. Twelve independent
    // accumulators cover FMA latency (4 cycles) times two FMA ports.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chunk512(int n)
    {
        var a = Vector512.Create(0.999f); var b = Vector512.Create(1e-7f);
        Vector512<float> x0 = a, x1 = a, x2 = a, x3 = a, x4 = a, x5 = a;
        Vector512<float> x6 = a, x7 = a, x8 = a, x9 = a, x10 = a, x11 = a;
        for (int i = 0; i < n; i++)
        {
            x0 = Vector512.FusedMultiplyAdd(x0, a, b); x1 = Vector512.FusedMultiplyAdd(x1, a, b);
            x2 = Vector512.FusedMultiplyAdd(x2, a, b); x3 = Vector512.FusedMultiplyAdd(x3, a, b);
            x4 = Vector512.FusedMultiplyAdd(x4, a, b); x5 = Vector512.FusedMultiplyAdd(x5, a, b);
            x6 = Vector512.FusedMultiplyAdd(x6, a, b); x7 = Vector512.FusedMultiplyAdd(x7, a, b);
            x8 = Vector512.FusedMultiplyAdd(x8, a, b); x9 = Vector512.FusedMultiplyAdd(x9, a, b);
            x10 = Vector512.FusedMultiplyAdd(x10, a, b); x11 = Vector512.FusedMultiplyAdd(x11, a, b);
        }
        return (x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11).GetElement(0);
    }

    // Vector<float> is the widest vector below 512 bits the JIT accelerates (256 with AVX2, 128 with SSE or NEON).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float ChunkVector(int n)
    {
        var a = new Vector<float>(0.999f); var b = new Vector<float>(1e-7f);
        Vector<float> x0 = a, x1 = a, x2 = a, x3 = a, x4 = a, x5 = a, x6 = a, x7 = a, x8 = a, x9 = a, x10 = a, x11 = a;
        for (int i = 0; i < n; i++)
        {
            x0 = Vector.FusedMultiplyAdd(x0, a, b); x1 = Vector.FusedMultiplyAdd(x1, a, b);
            x2 = Vector.FusedMultiplyAdd(x2, a, b); x3 = Vector.FusedMultiplyAdd(x3, a, b);
            x4 = Vector.FusedMultiplyAdd(x4, a, b); x5 = Vector.FusedMultiplyAdd(x5, a, b);
            x6 = Vector.FusedMultiplyAdd(x6, a, b); x7 = Vector.FusedMultiplyAdd(x7, a, b);
            x8 = Vector.FusedMultiplyAdd(x8, a, b); x9 = Vector.FusedMultiplyAdd(x9, a, b);
            x10 = Vector.FusedMultiplyAdd(x10, a, b); x11 = Vector.FusedMultiplyAdd(x11, a, b);
        }
        return (x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11)[0];
    }

    private static volatile float Sink;

    private static void Keep(float value) => Sink = value;
}
