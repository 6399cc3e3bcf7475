using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Forecasting;

public class ForecasterTests
{
    // A noisy nonlinear oscillator with a seasonal input, observed as one target and one feature.
    internal static SeriesData Series(int length, int seed, string name = "s")
    {
        var rnd = new Random(seed);
        var y = new float[length]; var f = new float[length];
        double a = 0.5, b = 0;
        for (int t = 0; t < length; t++)
        {
            double input = Math.Sin(2 * Math.PI * t / 24.0);
            double na = 0.9 * a - 0.3 * b + 0.5 * Math.Tanh(2 * input) + 0.05 * (rnd.NextDouble() - 0.5);
            b = a; a = na;
            y[t] = (float)(10 + 3 * a); f[t] = (float)input;
        }
        return new SeriesData(y, 1, f, 1, name);
    }

    private static readonly ForecasterOptions Small = new()
    {
        Horizon = 6, Epochs = 25, SegmentLength = 64, LearningRate = 5e-3, Seed = 1, Threads = 1,
        Model = new ModelSpec { StateSize = 8, NonlinearWidth = 8, HiddenSizes = [16] },
    };

    [Fact]
    public void Train_BeatsTheNaiveForecast_AndStateUpdatesAgreeWithTheRollout()
    {
        var train = new[] { Series(600, 1, "a"), Series(500, 2, "b") };
        var f = Forecaster.Train(train, Small);
        Assert.True(f.Model.Certify().IsVerified);
        Assert.Equal(6, f.HalfWidths.Length);

        var test = Series(300, 3);
        var roll = f.Rollout(test);
        double mae = 0, naive = 0; int n = 0;
        for (int t = 50; t < test.Length - 6; t++)
            for (int k = 0; k < 6; k++)
            {
                double truth = test.Targets[t + 1 + k];
                mae += Math.Abs(roll[t * 6 + k] - truth); naive += Math.Abs(test.Targets[t] - truth); n++;
            }
        Assert.True(mae < 0.6 * naive, $"MAE {mae / n:F4} vs naive {naive / n:F4}");

        // Warmup over a prefix and Observe step by step give the rollout's forecasts.
        var state = f.Warmup(new SeriesData(test.Targets[..100], 1, test.Features[..100], 1));
        var p = f.Predict(state);
        for (int k = 0; k < 6; k++) Assert.Equal(roll[99 * 6 + k], p.Values[k], 1e-3f);
        f.Observe(state, test.Targets.AsSpan(100, 1), test.Features.AsSpan(100, 1));
        p = f.Predict(state);
        for (int k = 0; k < 6; k++)
        {
            Assert.Equal(roll[100 * 6 + k], p.Values[k], 1e-3f);
            Assert.True(p.Lower[k] < p.Values[k] && p.Values[k] < p.Upper[k]);
        }
    }

    [Fact]
    public void Train_TooShortSeries_SaysHowLongItMustBe()
    {
        var ex = Assert.Throws<ArgumentException>(() => Forecaster.Train([Series(20, 1, "short")], Small));
        Assert.Contains("'short' has 20 rows", ex.Message);
        Assert.Contains($"at least {Forecaster.MinimumLength(Small)} rows", ex.Message);
    }

    [Theory]
    [InlineData(0, 0.95)]
    [InlineData(6, 1.0)]
    [InlineData(6, 0.0)]
    public void Options_OutOfRange_Throw(int horizon, double level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Forecaster.Train([Series(300, 1)],
                                                                          Small with
                                                                          {
                                                                              Horizon = horizon,
                                                                              ConfidenceLevel = level
                                                                          }));
    }

    [Fact]
    public void Predict_BeforeAnyObservation_Throws()
    {
        var f = Forecaster.Train([Series(200, 1)], Small with { Epochs = 1 });
        Assert.Throws<InvalidOperationException>(() => f.Predict(f.Start()));
    }
}
