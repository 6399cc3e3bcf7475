using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Training;

public class TrainerAllocationTests
{
    /// <summary>y = D·u with one parameter and no state, allocating nothing per call (buffers sized once).</summary>
    private sealed class StaticGainModel(int maxElements) : ISequenceModel
    {
        private readonly float[] _y = new float[maxElements];
        private readonly float[] _gy = new float[maxElements];

        public int InputSize => 1;
        public int StateSize => 0;
        public int OutputSize => 1;
        public int ParameterCount => 1;
        public double[] Parameters { get; } = new double[1];
        public ParameterLayout Layout { get; } = MakeLayout();
        public int Threads { get; set; } = 1;

        private static ParameterLayout MakeLayout()
        {
            var l = new ParameterLayout();
            l.Add("D", 1, 1);
            return l;
        }

        public void Simulate(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch,
                             Span<float> outputs, Span<float> finalState)
        {
            for (int k = 0; k < inputs.Length; k++) outputs[k] = (float)(Parameters[0] * inputs[k]);
        }

        public double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs,
                                      ReadOnlySpan<float> targets, int timeSteps, int batch, ISequenceLoss loss,
                                      Span<double> gradient, Span<float> finalState)
        {
            int n = inputs.Length;
            Simulate(initialState, inputs, timeSteps, batch, _y, finalState);
            double value = loss.Evaluate(_y.AsSpan(0, n), targets, timeSteps, batch, 1, _gy.AsSpan(0, n));
            double g = 0;
            for (int k = 0; k < n; k++) g += _gy[k] * inputs[k];
            gradient[0] = g;
            return value;
        }
    }

    [Fact]
    public void SegmentStepsDoNotAllocate()
    {
        const int t = 2000;
        var u = Enumerable.Range(0, t).Select(i => (float)Math.Cos(0.1 * i)).ToArray();
        var data = new SequenceDataset(u, u.Select(x => 0.5f * x).ToArray(), t, 1, 1, 1);
        var options = new TrainerOptions
        {
            SegmentLength = 20, Loss = new MeanSquaredError(), Plateau = new ReduceOnPlateau(),
        };
        var model = new StaticGainModel(t);
        var trainer = new Trainer();

        long Measure(int epochs)
        {
            var o = options with { Epochs = epochs };
            long before = GC.GetAllocatedBytesForCurrentThread();
            trainer.Fit(model, data, o);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Measure(2); // warm up
        long few = Measure(2);
        long many = Measure(22);
        // 20 more epochs × 100 steps: per-epoch bookkeeping (result lists) is a few dozen bytes; any per-step
        // allocation would add at least 2000 × 24 bytes.
        Assert.True(many - few < 20 * 200, $"2 epochs: {few} B, 22 epochs: {many} B");
    }
}
