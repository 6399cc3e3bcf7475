using System.Diagnostics;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>How long to time and on what: B sequences of T steps, <see cref="Steps"/> timed repeats after <see cref="Warmup"/>.</summary>
internal sealed record BenchSettings(int Batch, int SequenceLength, int Steps, int Warmup, int Threads, int Seed);

/// <summary>What <see cref="BenchRunner.Run"/> measured. Times are wall-clock seconds per call.</summary>
internal sealed record BenchMeasurement(
    double[] TrainStepSeconds,
    double[] ForwardSeconds,
    double[] ForwardCachedSeconds,
    long ThreadAllocatedBytes,
    long TotalAllocatedBytes,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double LastLoss);

/// <summary>
/// Times a model the way <c>test/reference/time_reference.py</c> times its PyTorch twin, so the two can be compared:
/// float32 data, x0 = 0, inputs and targets ~ N(0, 1) from a seeded generator, the paper's F16 loss.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Train step</b> = <see cref="ISequenceModel.LossAndGradient"/> (direct→explicit map, forward over T steps,
/// loss, backward) + one <see cref="AdamOptimizer.Step"/> at rate 1e-3. No clipping, as in the Python script.</item>
/// <item><b>Forward</b> = map + <see cref="ISequenceModel.Simulate"/>. The R2DN caches its map while the parameters do
/// not change, so the forward loop alternates between two parameter vectors that differ in the last bit of one entry,
/// forcing the map on every call as PyTorch does. <b>Forward (cached map)</b> repeats one vector: the rollout alone.</item>
/// <item>Allocations are counted over the timed train steps only: the calling thread's bytes and, separately, the
/// whole process's (which includes the worker threads of a multi-threaded rollout). GC counts cover every timed loop.</item>
/// </list>
/// </remarks>
internal static class BenchRunner
{
    /// <summary>Adam's learning rate in the timed steps (the value used by the Python script).</summary>
    public const double LearningRate = 1e-3;

    public static BenchMeasurement Run(ISequenceModel model, BenchSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        model.Threads = settings.Threads;

        int batch = settings.Batch, seq = settings.SequenceLength;
        int nx = model.StateSize, nu = model.InputSize, ny = model.OutputSize;
        var random = new Random(settings.Seed);
        var x0 = new float[batch * nx];                 // (B, nx), zero
        var u = new float[seq * batch * nu];            // (T, B, nu)
        var target = new float[seq * batch * ny];       // (T, B, ny)
        FillStandardNormal(random, u);
        FillStandardNormal(random, target);
        var outputs = new float[seq * batch * ny];      // (T, B, ny)
        var finalState = new float[batch * nx];         // (B, nx)
        var gradient = new double[model.ParameterCount];
        var optimizer = new AdamOptimizer(model.ParameterCount);
        ISequenceLoss loss = new SumSquaredErrorMeanOverTime();
        double lastLoss = double.NaN;

        void TrainStep()
        {
            lastLoss = model.LossAndGradient(x0, u, target, seq, batch, loss, gradient, finalState);
            optimizer.Step(model.Parameters, gradient, LearningRate);
        }

        void Forward() => model.Simulate(x0, u, seq, batch, outputs, finalState);

        for (int i = 0; i < settings.Warmup; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TrainStep();
        }

        Settle();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long threadBytes = GC.GetAllocatedBytesForCurrentThread();
        long totalBytes = GC.GetTotalAllocatedBytes(precise: true);
        var train = new double[settings.Steps];
        for (int i = 0; i < train.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            TrainStep();
            train[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBytes;
        totalBytes = GC.GetTotalAllocatedBytes(precise: true) - totalBytes;

        // Two parameter vectors one ulp apart, so that every forward call runs the direct→explicit map.
        double[] parametersA = (double[])model.Parameters.Clone();
        double[] parametersB = (double[])model.Parameters.Clone();
        int last = parametersB.Length - 1;
        if (last >= 0) parametersB[last] = Math.BitIncrement(parametersB[last]);

        var forward = new double[settings.Steps];
        for (int i = -settings.Warmup; i < forward.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ((i & 1) == 0 ? parametersA : parametersB).CopyTo(model.Parameters, 0);
            long start = Stopwatch.GetTimestamp();
            Forward();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (i >= 0) forward[i] = seconds;
        }

        parametersA.CopyTo(model.Parameters, 0);
        var cached = new double[settings.Steps];
        for (int i = -settings.Warmup; i < cached.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            Forward();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (i >= 0) cached[i] = seconds;
        }

        return new BenchMeasurement(train, forward, cached, threadBytes, totalBytes,
                                    GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2,
                                    lastLoss);
    }

    /// <summary>The median, as Python's <c>statistics.median</c> defines it (mean of the two middle values for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    // Box–Muller; the exact stream differs from torch.randn, which does not matter for timing.
    private static void FillStandardNormal(Random random, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            destination[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < destination.Length) destination[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
    }
}
