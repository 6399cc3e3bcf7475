using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Training;

public class SequenceDatasetTests
{
    private static SequenceDataset Ramp(int t, int b, int nu, int ny) =>
        new(Enumerable.Range(0, t * b * nu).Select(i => (float)i).ToArray(),
            Enumerable.Range(0, t * b * ny).Select(i => -(float)i).ToArray(), t, b, nu, ny);

    [Theory]
    [InlineData(1000, 256, new[] { 334, 333, 333 })]
    [InlineData(10, 3, new[] { 4, 3, 3 })]
    [InlineData(100, 256, new[] { 100 })]
    [InlineData(512, 256, new[] { 256, 256 })]
    [InlineData(767, 256, new[] { 384, 383 })]
    public void SplitFollowsNumpyArraySplit(int timeSteps, int segmentLength, int[] lengths)
    {
        var segments = Ramp(timeSteps, 1, 1, 1).Split(segmentLength);
        Assert.Equal(lengths, segments.Select(s => s.Length).ToArray());
        int start = 0;
        foreach (var s in segments)
        {
            Assert.Equal(start, s.Start);
            start = s.End;
        }
        Assert.Equal(timeSteps, start);
        Assert.Equal(lengths.Length, SequenceDataset.GetSegmentCount(timeSteps, segmentLength));
    }

    [Fact]
    public void SegmentSlicesAreTimeMajor()
    {
        var d = Ramp(10, 2, 3, 1);
        var seg = new TimeSegment(4, 3);
        var u = d.GetInputs(seg);
        Assert.Equal(3 * 2 * 3, u.Length);
        Assert.Equal(4 * 2 * 3, u[0]); // u[t=4, b=0, i=0]
        var y = d.GetTargets(seg);
        Assert.Equal(-(4 * 2), y[0]);
        Assert.Throws<ArgumentOutOfRangeException>("segment", () => d.GetInputs(new TimeSegment(8, 3)));
    }

    [Fact]
    public void ConstructorNamesTheBadArgument()
    {
        var u = new float[5 * 2 * 3];
        var y = new float[5 * 2 * 1];
        u[(3 * 2 + 1) * 3 + 2] = float.NaN;
        var e = Assert.Throws<ArgumentException>("inputs", () => new SequenceDataset(u, y, 5, 2, 3, 1));
        Assert.Contains("time step 3", e.Message);
        Assert.Contains("sequence 1", e.Message);
        Assert.Contains("channel 2", e.Message);
        Assert.Contains("NaN", e.Message);

        u[(3 * 2 + 1) * 3 + 2] = 0;
        y[4] = float.PositiveInfinity;
        e = Assert.Throws<ArgumentException>("targets", () => new SequenceDataset(u, y, 5, 2, 3, 1));
        Assert.Contains("time step 2", e.Message);

        Assert.Throws<ArgumentException>("inputs", () => new SequenceDataset(new float[7], new float[10], 5, 2, 3, 1));
        Assert.Throws<ArgumentException>("targets",
                                         () => new SequenceDataset(new float[30], new float[11], 5, 2, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>("timeSteps", () => new SequenceDataset([], [], 0, 2, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>("batch", () => new SequenceDataset([], [], 5, 0, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>("inputSize", () => new SequenceDataset([], [], 5, 2, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>("outputSize", () => new SequenceDataset([], [], 5, 2, 3, 0));
    }

    [Fact]
    public void ConstructorCopiesTheArrays()
    {
        var u = new float[4];
        var d = new SequenceDataset(u, new float[4], 4, 1, 1, 1);
        u[0] = float.NaN;
        Assert.Equal(0f, d.Inputs.Span[0]);
    }
}

public class LossAndMetricTests
{
    [Fact]
    public void SumSquaredErrorMeanOverTimeMatchesDefinition()
    {
        // T = 2, B = 2, ny = 1: (1/2)·[((1−0)² + (2−0)² + ε) + ((0−1)² + (3−1)² + ε)] = (5 + 5 + 2ε)/2.
        float[] yhat = [1, 2, 0, 3];
        float[] y = [0, 0, 1, 1];
        var g = new float[4];
        var loss = new SumSquaredErrorMeanOverTime();
        Assert.Equal(Math.Pow(2, -23), loss.Epsilon);
        double value = loss.Evaluate(yhat, y, 2, 2, 1, g);
        Assert.Equal(5 + Math.Pow(2, -23), value, 1e-15);
        Assert.Equal([1f, 2f, -1f, 2f], g); // 2(ŷ − y)/T
    }

    [Fact]
    public void MeanSquaredErrorMatchesDefinition()
    {
        float[] yhat = [1, 2, 0, 3];
        float[] y = [0, 0, 1, 1];
        var g = new float[4];
        double value = new MeanSquaredError().Evaluate(yhat, y, 2, 1, 2, g);
        Assert.Equal(10.0 / 4, value, 1e-15);
        Assert.Equal([0.5f, 1f, -0.5f, 1f], g); // 2(ŷ − y)/N
        Assert.Throws<ArgumentException>("gradient",
                                         () => new MeanSquaredError().Evaluate(yhat, y, 2, 1, 2, new float[3]));
    }

    [Fact]
    public void NrmseUsesTheWashout()
    {
        // T = 3, B = 1, ny = 2; the first step is discarded.
        float[] yhat = [100, -100, 1, 2, 3, 3];
        float[] y = [0, 0, 1, 1, 2, 2];
        double expected = Math.Sqrt((0 + 1 + 1 + 1) / 4.0 / ((1 + 1 + 4 + 4) / 4.0));
        Assert.Equal(expected, Metrics.Nrmse(yhat, y, 3, 1, 2, washout: 1), 1e-15);
        Assert.Equal(0.0, Metrics.Nrmse(y, y, 3, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>("washout", () => Metrics.Nrmse(yhat, y, 3, 1, 2, washout: 3));
    }
}
