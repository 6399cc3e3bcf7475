using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Training;

public class AdamOptimizerTests
{
    [Fact]
    public void ThreeStepsOnQuadraticMatchHandComputedValues()
    {
        // f(p) = ½(1·p₀² + 3·p₁²), ∇f = (p₀, 3p₁), p = (1, −2), lr = 0.1, optax defaults.
        // Step 1 by hand: m̂ = g, v̂ = g², so p ← p − 0.1·g/(|g| + 1e-8):
        //   p₀ = 1 − 0.1·1/(1 + 1e-8) = 0.900000001, p₁ = −2 + 0.1·6/(6 + 1e-8) = −1.90000000016667.
        // Steps 2 and 3 evaluate the same formulas (m = 0.9m + 0.1g, v = 0.999v + 0.001g², bias corrections 1 − βᵗ).
        double[] p = [1.0, -2.0];
        double[] a = [1.0, 3.0];
        var adam = new AdamOptimizer(2);
        double[] g = new double[2];
        double[][] expected =
        [
            [0.900000001, -1.9000000001666666],
            [0.8004122297123382, -1.800166485947237],
            [0.701586274504415, -1.7006233917912488],
        ];
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 2; i++) g[i] = a[i] * p[i];
            adam.Step(p, g, 0.1);
            Assert.Equal(step + 1, adam.StepCount);
            Assert.Equal(expected[step][0], p[0], 1e-13);
            Assert.Equal(expected[step][1], p[1], 1e-13);
        }
        Assert.Equal(0.24204122306123377, adam.FirstMoment[0], 1e-13);
        Assert.Equal(0.097550940399843, adam.SecondMoment[1], 1e-13);
    }

    [Fact]
    public void SimdPathIsBitIdenticalToScalarReference()
    {
        const int n = 37; // not a multiple of any SIMD width: exercises the vector body and the tail
        var rng = new Random(5);
        double[] p = new double[n], pRef = new double[n], m = new double[n], v = new double[n];
        for (int i = 0; i < n; i++) p[i] = pRef[i] = rng.NextDouble() * 2 - 1;
        var adam = new AdamOptimizer(n, 0.8, 0.99, 1e-6);
        double[] g = new double[n];
        for (int t = 1; t <= 5; t++)
        {
            for (int i = 0; i < n; i++) g[i] = rng.NextDouble() * 4 - 2;
            double lr = 0.01 * t;
            adam.Step(p, g, lr);
            double bc1 = 1 - Math.Pow(0.8, t), bc2 = 1 - Math.Pow(0.99, t);
            for (int i = 0; i < n; i++)
            {
                m[i] = 0.8 * m[i] + (1 - 0.8) * g[i];
                v[i] = 0.99 * v[i] + (1 - 0.99) * (g[i] * g[i]);
                pRef[i] = pRef[i] - lr * ((m[i] / bc1) / (Math.Sqrt(v[i] / bc2) + 1e-6));
            }
        }
        Assert.Equal(pRef, p);
        Assert.Equal(m, adam.FirstMoment.ToArray());
        Assert.Equal(v, adam.SecondMoment.ToArray());
    }

    [Fact]
    public void StateRoundTripsAndResetClears()
    {
        const int n = 9;
        var a = new AdamOptimizer(n);
        double[] p = Enumerable.Range(0, n).Select(i => 0.1 * i).ToArray();
        double[] g = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
        a.Step(p, g, 0.01);
        a.Step(p, g, 0.01);

        double[] m = new double[n], v = new double[n];
        long count = a.GetState(m, v);
        var b = new AdamOptimizer(n);
        b.SetState(count, m, v);
        double[] p2 = (double[])p.Clone();
        a.Step(p, g, 0.01);
        b.Step(p2, g, 0.01);
        Assert.Equal(p, p2);
        Assert.Equal(3, b.StepCount);

        a.Reset();
        Assert.Equal(0, a.StepCount);
        Assert.All(a.FirstMoment.ToArray(), x => Assert.Equal(0.0, x));
        Assert.All(a.SecondMoment.ToArray(), x => Assert.Equal(0.0, x));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>("beta1", () => new AdamOptimizer(3, beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>("beta2", () => new AdamOptimizer(3, beta2: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>("epsilon", () => new AdamOptimizer(3, epsilon: 0));
        var a = new AdamOptimizer(3);
        Assert.Throws<ArgumentException>("parameters", () => a.Step(new double[2], new double[3], 0.1));
        Assert.Throws<ArgumentException>("gradient", () => a.Step(new double[3], new double[4], 0.1));
        Assert.Throws<ArgumentOutOfRangeException>("learningRate",
                                                   () => a.Step(new double[3], new double[3], double.NaN));
        Assert.Throws<ArgumentException>("secondMoment", () => a.SetState(1, new double[3], new double[] { 0, -1, 0 }));
    }
}

public class LearningRateScheduleTests
{
    [Fact]
    public void F16ProtocolGivesOneRatePerTwentyEpochBlock()
    {
        const int stepsPerEpoch = 420;
        var s = ExponentialDecaySchedule.ForF16Protocol(stepsPerEpoch);
        Assert.Equal(8400, s.TransitionSteps);
        for (int epoch = 0; epoch < 70; epoch++)
        {
            double expected = epoch switch { < 20 => 1e-3, < 40 => 1e-4, < 60 => 1e-5, _ => 1e-6 };
            long first = (long)epoch * stepsPerEpoch;
            foreach (long step in new[] { first, first + stepsPerEpoch - 1 })
            {
                double rate = s.GetLearningRate(step);
                Assert.True(Math.Abs(rate - expected) <= 1e-12 * expected,
                            $"epoch {epoch}, step {step}: {rate} vs {expected}");
            }
        }
        // Past the protocol the end value holds the rate at 1e-6.
        Assert.Equal(1e-6, s.GetLearningRate(100L * stepsPerEpoch));
    }

    [Fact]
    public void ExponentialDecayMatchesOptaxFormula()
    {
        var smooth = new ExponentialDecaySchedule(1.0, 10, 0.5);
        Assert.Equal(1.0, smooth.GetLearningRate(0));
        Assert.Equal(Math.Pow(0.5, 0.5), smooth.GetLearningRate(5), 1e-15);
        Assert.Equal(0.25, smooth.GetLearningRate(20), 1e-15);

        var stairs = new ExponentialDecaySchedule(1.0, 10, 0.5, staircase: true);
        Assert.Equal(1.0, stairs.GetLearningRate(9));
        Assert.Equal(0.5, stairs.GetLearningRate(10));
        Assert.Equal(0.5, stairs.GetLearningRate(19));

        var floored = new ExponentialDecaySchedule(1.0, 1, 0.1, endValue: 0.05);
        Assert.Equal(0.1, floored.GetLearningRate(1), 1e-15);
        Assert.Equal(0.05, floored.GetLearningRate(2));

        var growing = new ExponentialDecaySchedule(1.0, 1, 2.0, endValue: 5.0);
        Assert.Equal(4.0, growing.GetLearningRate(2));
        Assert.Equal(5.0, growing.GetLearningRate(3));

        var delayed = new ExponentialDecaySchedule(1.0, 10, 0.5, transitionBegin: 100);
        Assert.Equal(1.0, delayed.GetLearningRate(100));
        Assert.Equal(0.5, delayed.GetLearningRate(110), 1e-15);

        Assert.Equal(3e-4, new ConstantSchedule(3e-4).GetLearningRate(123456));
        Assert.Throws<ArgumentOutOfRangeException>("transitionSteps", () => new ExponentialDecaySchedule(1, 0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>("decayRate", () => new ExponentialDecaySchedule(1, 1, 0));
    }
}

public class ReduceOnPlateauTests
{
    private static double[] Run(ReduceOnPlateau r, params double[] values) => values.Select(r.Update).ToArray();

    [Fact]
    public void ZeroPatienceReducesOnlyAfterNonImprovement()
    {
        // Cases from optax's zero-patience tests (factor 0.5).
        Assert.Equal([1.0, 1.0, 1.0], Run(new ReduceOnPlateau(0.5, 0), 5, 4, 3));
        Assert.Equal([1.0, 0.5, 0.25], Run(new ReduceOnPlateau(0.5, 0), 3, 3, 3));
        Assert.Equal([1.0, 0.5, 0.25], Run(new ReduceOnPlateau(0.5, 0), 3, 4, 5));
        Assert.Equal([1.0, 0.5, 0.5, 0.25, 0.25], Run(new ReduceOnPlateau(0.5, 0), 5, 6, 4, 5, 3));
        Assert.Equal([1.0, 0.5, 0.25, 0.2, 0.2], Run(new ReduceOnPlateau(0.5, 0, minScale: 0.2), 3, 3, 3, 3, 3));
    }

    [Fact]
    public void CooldownAndPatienceFollowOptax()
    {
        var r = new ReduceOnPlateau(0.5, 0, cooldown: 2);
        var seen = new List<(double, int)>();
        for (int i = 0; i < 5; i++)
        {
            r.Update(3.0);
            seen.Add((r.Scale, r.CooldownCount));
        }
        Assert.Equal([(1.0, 0), (0.5, 2), (0.5, 1), (0.5, 0), (0.25, 2)], seen);

        // patience 2: the second non-improving value after the best one triggers a cut; an improvement resets the
        // count; 8.9995 is not below (1 − 1e-4)·9 = 8.9991, so it does not count as an improvement.
        var p = new ReduceOnPlateau(0.1, 2);
        double[] scales = Run(p, 10, 10, 10, 9, 9.5, 8.9995);
        double[] expected = [1.0, 1.0, 0.1, 0.1, 0.1, 0.01];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], scales[i], 1e-15);
        Assert.Equal(9.0, p.BestValue);
        Assert.Equal(1e-4, new ReduceOnPlateau().RelativeTolerance);

        // rtol: a value within the relative tolerance of the best is not an improvement.
        var t = new ReduceOnPlateau(0.5, 1, rtol: 0.1);
        Assert.Equal([1.0, 0.5, 0.5], Run(t, 10, 9.5, 8.0));
        t.Reset();
        Assert.Equal(1.0, t.Scale);
        Assert.Equal(double.PositiveInfinity, t.BestValue);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>("factor", () => new ReduceOnPlateau(1.0));
        Assert.Throws<ArgumentException>("rtol", () => new ReduceOnPlateau(rtol: 0, atol: 0));
        Assert.Throws<ArgumentOutOfRangeException>("patience", () => new ReduceOnPlateau(patience: -1));
        Assert.Throws<ArgumentOutOfRangeException>("minScale", () => new ReduceOnPlateau(minScale: 2));
    }
}

public class GradientClippingTests
{
    [Fact]
    public void ElementWiseClipsEachEntry()
    {
        double[] g = [-30, -10, -9.5, 0, 3, 10, 10.5, 1e9, -1e-3, 7, 11];
        GradientClipping.Apply(ClipMode.ElementWise, g, 10);
        Assert.Equal([-10, -10, -9.5, 0, 3, 10, 10, 10, -1e-3, 7, 10], g);
    }

    [Fact]
    public void GlobalNormRescalesOnlyAboveTheBound()
    {
        double[] g = [3, 4];
        double norm = GradientClipping.ClipByGlobalNorm(g, 1);
        Assert.Equal(5, norm);
        Assert.Equal(0.6, g[0], 1e-15);
        Assert.Equal(0.8, g[1], 1e-15);

        double[] small = [0.3, -0.4, 0.0];
        GradientClipping.Apply(ClipMode.GlobalNorm, small, 1);
        Assert.Equal([0.3, -0.4, 0.0], small);

        double[] big = Enumerable.Range(1, 13).Select(i => (double)i).ToArray();
        GradientClipping.Apply(ClipMode.GlobalNorm, big, 2);
        Assert.Equal(2, GradientClipping.GlobalNorm(big), 1e-12);

        double[] none = [100, -100];
        GradientClipping.Apply(ClipMode.None, none, 1);
        Assert.Equal([100, -100], none);
    }

    [Fact]
    public void AllFiniteDetectsNaNAndInfinity()
    {
        double[] g = new double[19];
        Assert.True(GradientClipping.AllFinite(g));
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = i % 2 == 0 ? double.NaN : double.NegativeInfinity;
            Assert.False(GradientClipping.AllFinite(g));
            g[i] = 1;
        }
        Assert.Throws<ArgumentOutOfRangeException>("maxAbs", () => GradientClipping.ClipElementWise(g, 0));
    }
}
