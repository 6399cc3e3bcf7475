using System.Diagnostics;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>Timings of the TorchSharp backend for one model shape (see
/// <see cref="TorchSharpBench.TrainStep(RecurrentModel, int, int, int, int, string, int, int)"/>).</summary>
/// <param name="Model">A readable model name.</param>
/// <param name="Device">The device the timings were taken on.</param>
/// <param name="Batch">Sequences per step.</param>
/// <param name="TimeSteps">Time steps per sequence.</param>
/// <param name="Threads">libtorch intra-op threads.</param>
/// <param name="Steps">Timed repetitions (after warm-up).</param>
/// <param name="ParameterCount">Number of direct parameters.</param>
/// <param name="MultiplyAddsPerStep">Multiply-adds per time step per sequence of the explicit model (the engine's
/// count).</param>
/// <param name="TrainStepSeconds">Median seconds of one training step: parameters to the device, map, forward, loss,
/// backward, gradient to the host, element-wise clip, Adam (what the engine's Trainer does per segment).</param>
/// <param name="ForwardSeconds">Median seconds of one inference pass (map and rollout, no autograd).</param>
/// <param name="TrainStepSamples">Every timed training step, in seconds.</param>
/// <param name="ForwardSamples">Every timed inference pass, in seconds.</param>
public sealed record TorchSharpBenchResult(string Model, string Device, int Batch, int TimeSteps, int Threads,
                                           int Steps, int ParameterCount,
                                           long MultiplyAddsPerStep, double TrainStepSeconds, double ForwardSeconds,
                                           double[] TrainStepSamples, double[] ForwardSamples)
{
    /// <summary>Training GFLOP/s counting forward and backward as 3× the forward multiply-adds, 2 FLOP each (the
    /// engine's convention).</summary>
    public double TrainGflops => 3.0 * 2.0 * MultiplyAddsPerStep * TimeSteps * Batch / TrainStepSeconds / 1e9;

    /// <summary>Inference GFLOP/s (2 FLOP per multiply-add).</summary>
    public double ForwardGflops => 2.0 * MultiplyAddsPerStep * TimeSteps * Batch / ForwardSeconds / 1e9;
}

/// <summary>
/// Timing entry point of the TorchSharp backend, for <c>r2dn bench --backend torchsharp</c>.
/// </summary>
public static class TorchSharpBench
{
    /// <summary>Times training steps and inference passes of <paramref name="engine"/> (its type, sizes and current
    /// parameters) on TorchSharp, on random data: what <c>r2dn bench --backend both</c> compares with the managed
    /// engine.</summary>
    /// <param name="engine">The managed model to mirror; not null. Not modified.</param>
    /// <param name="batch">Sequences per step (&gt; 0).</param>
    /// <param name="timeSteps">Time steps per sequence (&gt; 0).</param>
    /// <param name="threads">libtorch intra-op threads (≥ 1; process-wide).</param>
    /// <param name="steps">Timed repetitions (≥ 1).</param>
    /// <param name="device">"cpu", "cuda" or "cuda:N".</param>
    /// <param name="seed">Seed of the random data.</param>
    /// <param name="warmup">Untimed repetitions first (≥ 0).</param>
    /// <returns>Median step and forward times with every sample.</returns>
    public static TorchSharpBenchResult TrainStep(RecurrentModel engine, int batch, int timeSteps, int threads,
                                                  int steps,
                                                  string device = "cpu", int seed = 0, int warmup = 3)
    {
        ArgumentNullException.ThrowIfNull(engine);
        int inputs = engine.InputSize, outputs = engine.OutputSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        using var model = new TorchSharpSequenceModel(engine, device) { Threads = threads };
        var rng = new Random(seed + 1);
        var u = new float[timeSteps * batch * inputs];
        var y = new float[timeSteps * batch * outputs];
        for (int i = 0; i < u.Length; i++) u[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < y.Length; i++) y[i] = (float)(rng.NextDouble() * 2 - 1);
        var x0 = new float[batch * engine.StateSize];
        var xT = new float[batch * engine.StateSize];
        var yHat = new float[y.Length];
        var gradient = new double[model.ParameterCount];
        var loss = new SumSquaredErrorMeanOverTime();
        var adam = new AdamOptimizer(model.ParameterCount);
        var defaults = new TrainerOptions();

        void Train()
        {
            model.LossAndGradient(x0, u, y, timeSteps, batch, loss, gradient, xT);
            GradientClipping.Apply(defaults.ClipMode, gradient, defaults.ClipValue);
            adam.Step(model.Parameters, gradient, 1e-3);
        }
        void Forward() => model.Simulate(x0, u, timeSteps, batch, yHat, xT);

        var train = Time(Train, warmup, steps);
        var forward = Time(Forward, warmup, steps);
        return new TorchSharpBenchResult(model.Network.ModelName, device, batch, timeSteps, threads, steps,
                                         model.ParameterCount,
                                         engine.MultiplyAddsPerStep, Median(train), Median(forward), train, forward);
    }

    private static double[] Time(Action action, int warmup, int steps)
    {
        for (int i = 0; i < warmup; i++) action();
        var samples = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return samples;
    }

    private static double Median(double[] values)
    {
        var s = (double[])values.Clone();
        Array.Sort(s);
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
