using System.Diagnostics;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>How long to time and on what: B sequences of T steps, <see cref="Steps"/> timed repeats
/// after <see cref="Warmup"/>.</summary>
internal sealed record BenchSettings(int Batch, int SequenceLength, int Steps, WarmupPolicy Warmup, int Threads,
                                     int Seed);

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
    double LastLoss,
    WarmupResult TrainWarmup,
    WarmupResult ForwardWarmup,
    WarmupResult ForwardCachedWarmup);

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
/// forcing the map on every call as PyTorch does. <b>Forward (cached map)</b> repeats one vector: the rollout
/// alone.</item>
/// <item>Each timed loop is preceded by its own untimed warm-up (<see cref="BenchSettings.Warmup"/>; by default long
/// enough for the tiered JIT to reach its steady state).</item>
/// <item>Allocations are counted over the timed train steps only: the calling thread's bytes and, separately, the
/// whole process's (which includes the worker threads of a multi-threaded rollout). GC counts cover every timed
/// loop.</item>
/// </list>
/// </remarks>
internal static class BenchRunner
{
    /// <summary>Adam's learning rate in the timed steps (the value used by the Python script).</summary>
    public const double LearningRate = 1e-3;

    public static BenchMeasurement Run(ISequenceModel model, BenchSettings settings,
                                       CancellationToken cancellationToken)
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

        WarmupResult trainWarmup = settings.Warmup.Run(TrainStep, cancellationToken);

        Settle();
        var collections = new CollectionCounter();
        long threadBytes = GC.GetAllocatedBytesForCurrentThread();
        long totalBytes = GC.GetTotalAllocatedBytes(precise: true);
        collections.Start();
        double[] train = Time(TrainStep, settings.Steps, cancellationToken);
        collections.Stop();
        threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBytes;
        totalBytes = GC.GetTotalAllocatedBytes(precise: true) - totalBytes;

        // Two parameter vectors one ulp apart, so that every forward call runs the direct→explicit map. The copy
        // between them is not timed.
        double[] parametersA = (double[])model.Parameters.Clone();
        double[] parametersB = (double[])model.Parameters.Clone();
        int last = parametersB.Length - 1;
        if (last >= 0) parametersB[last] = Math.BitIncrement(parametersB[last]);
        int flip = 0;
        void Alternate() => (((flip++) & 1) == 0 ? parametersA : parametersB).CopyTo(model.Parameters, 0);

        WarmupResult forwardWarmup = settings.Warmup.Run(() => { Alternate(); Forward(); }, cancellationToken);
        Settle();
        collections.Start();
        double[] forward = Time(Forward, settings.Steps, cancellationToken, before: Alternate);
        collections.Stop();

        parametersA.CopyTo(model.Parameters, 0);
        WarmupResult cachedWarmup = settings.Warmup.Run(Forward, cancellationToken);
        Settle();
        collections.Start();
        double[] cached = Time(Forward, settings.Steps, cancellationToken);
        collections.Stop();

        return new BenchMeasurement(train, forward, cached, threadBytes, totalBytes,
                                    collections.Gen0, collections.Gen1, collections.Gen2,
                                    lastLoss, trainWarmup, forwardWarmup, cachedWarmup);
    }

    /// <summary>
    /// Times <paramref name="count"/> calls of <paramref name="call"/>, one wall-clock figure per call;
    /// <paramref name="before"/>, if given, runs untimed before each call.
    /// </summary>
    public static double[] Time(Action call, int count, CancellationToken cancellationToken, Action? before = null)
    {
        var seconds = new double[count];
        for (int i = 0; i < seconds.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            before?.Invoke();
            long start = Stopwatch.GetTimestamp();
            call();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return seconds;
    }

    /// <summary>Counts the garbage collections inside the timed loops only (not the ones <see cref="Settle"/> forces
    /// between them).</summary>
    private sealed class CollectionCounter
    {
        private int _gen0, _gen1, _gen2;

        public int Gen0 { get; private set; }
        public int Gen1 { get; private set; }
        public int Gen2 { get; private set; }

        public void Start()
        {
            _gen0 = GC.CollectionCount(0); _gen1 = GC.CollectionCount(1); _gen2 = GC.CollectionCount(2);
        }

        public void Stop()
        {
            Gen0 += GC.CollectionCount(0) - _gen0;
            Gen1 += GC.CollectionCount(1) - _gen1;
            Gen2 += GC.CollectionCount(2) - _gen2;
        }
    }

    /// <summary>The arithmetic mean (NaN when empty).</summary>
    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();

    /// <summary>The median, as Python's <c>statistics.median</c> defines it (mean of the two middle values for an even
    /// count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }

    /// <summary>Collects garbage left by setup and warm-up, so a collection of it does not land in a timed
    /// loop.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    // Box–Muller; the exact stream differs from torch.randn, which does not matter for timing.
    public static void FillStandardNormal(Random random, Span<float> destination)
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
