using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Forecasting;

/// <summary>The linear path (ridge on the look-back) and the forecaster that nests it: channel independence,
/// validation, early stopping and the dropped correction.</summary>
public class LinearPathTests
{
    // y_t = 1.2 y_{t-1} − 0.5 y_{t-2} + small noise: an AR(2) process the ridge regression must recover.
    private static SeriesData Ar2(int length, int seed, int targets = 1)
    {
        var rnd = new Random(seed);
        var y = new float[length * targets];
        for (int j = 0; j < targets; j++)
        {
            double a = 0, b = 0;
            for (int t = 0; t < length; t++)
            {
                double next = 1.2 * a - 0.5 * b + 0.3 * (rnd.NextDouble() - 0.5)
                    + (j == 1 ? 0.01 * Math.Sin(t / 7.0) : 0);
                b = a; a = next;
                y[t * targets + j] = (float)(5 + (j + 1) * a);
            }
        }
        return new SeriesData(y, targets);
    }

    private static readonly Standardizer Unit = new([0.0], [1.0]);

    [Fact]
    public void Fit_RecoversTheOneStepMapOfAnAr2Process()
    {
        var s = Ar2(3000, 1);
        var (path, mse) = LinearForecastPath.Fit([s], Unit, 8, 1, [0], 0, 2400, 2990, [1e-6, 1e-3, 1e-1]);
        // change_{t+1} = y_{t+1} − y_t = −0.3 (y_t − mean) − 0.5 (y_{t−1} − y_t) + noise. In the window form
        // Σ_i W_i (y_{t−i} − y_t) + b the level term can only be approximated through the longer lags, so W_1 is near
        // −0.5 and the error is near the noise variance 0.3²/12 = 0.0075.
        Assert.InRange(path.Weights[0], -0.7, -0.3);
        Assert.True(mse < 0.0095, $"validation MSE {mse}");
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(12, 5)]
    public void Fit_ValidationMseFromTheNormalEquations_EqualsTheMseOfTheForecasts(int lookback, int horizon)
    {
        // The penalties are scored from the validation windows' XᵀX, XᵀZ and Σz² (no pass per penalty); the figure must
        // be the plain mean of the squared forecast errors over the same windows.
        var s = Ar2(700, 5, targets: 2);
        var scaling = new Standardizer([0.0, 0.0], [1.5, 2.5]);
        var (path, mse) =
            LinearForecastPath.Fit([s], scaling, lookback, horizon, [0], 0, 500, 690, [1e-4, 1e-2, 1, 100]);
        double direct = path.Mse([s], scaling, [0], 500, 690);
        Assert.Equal(direct, mse, 1e-4 * direct);
        Assert.True(mse > 0);
    }

    [Theory]
    [InlineData(6, 3, 0, 100)]    // the first rows' windows reach before the series' start
    [InlineData(40, 17, 55, 90)]   // more rows than one block, a stride wider than h
    public void AddPredictions_GivesTheBitsOfAddPredictionOnEveryWindow(int lookback, int horizon, int from, int to)
    {
        var s = Ar2(120, 7, targets: 2);
        var rnd = new Random(3);
        var path = new LinearForecastPath(lookback, horizon,
                                          Enumerable.Range(0,
                                                           (lookback - 1) * horizon).Select(_ =>
                                                               rnd.NextDouble() - 0.5).ToArray(),
                                          Enumerable.Range(0, horizon).Select(_ => rnd.NextDouble()).ToArray(), 0.1);
        int stride = horizon + 2;
        var block = Enumerable.Repeat(0.25f, (to - from) * stride).ToArray();   // added to, not overwritten
        path.AddPredictions(s, 1, 2.5, from, to, block, stride);
        var window = new float[lookback];
        for (int t = from; t < to; t++)
        {
            var one = Enumerable.Repeat(0.25f, horizon).ToArray();
            FillWindow(s, 1, t, window);
            path.AddPrediction(window, 2.5, one);
            Assert.Equal(one, block.AsSpan((t - from) * stride, horizon).ToArray());
            Assert.Equal([0.25f, 0.25f], block.AsSpan((t - from) * stride + horizon, 2).ToArray());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => path.AddPredictions(s, 2, 1, 0, 10, block, stride));
        Assert.Throws<ArgumentOutOfRangeException>(() => path.AddPredictions(s, 0, 1, 0, 121, block, stride));
        Assert.Throws<ArgumentException>(() => path.AddPredictions(s, 0, 1, 0, to - from + 1, block, stride));
    }

    [Fact]
    public void Forecaster_WhoseLinearPathWinsAlone_RefitsItOnEveryRow()
    {
        // A learning rate too small to move the correction from its (non-zero) start: it cannot beat the path alone,
        // is dropped, and the path is refitted with its chosen penalty on every window of the series, the validation
        // and calibration tails included.
        var s = Ar2(600, 6);
        var f = Forecaster.Train([s], Options(channelIndependent: false, epochs: 1) with { LearningRate = 1e-12 });
        Assert.False(f.RecurrentCorrection);
        var linear = Assert.IsType<LinearForecastPath>(f.Linear);
        var expected =
            LinearForecastPath.Fit([s], f.TargetScaling, 12, 4, [0], 0, 600 - 4, 600 - 4, [linear.Ridge]).Path;
        Assert.Equal(expected.Weights, linear.Weights);
        Assert.Equal(expected.Bias, linear.Bias);
        // The intervals were calibrated before the refit, one residual per origin of the 60-row calibration tail.
        Assert.All(f.CalibrationResiduals, r => Assert.Equal(60, r.Length));
    }

    [Fact]
    public void Forecaster_OnARandomWalk_FallsBackToRepeatingTheLastValue()
    {
        // The best forecast of a random walk is its last value; a path of 12 lags and a correction fit only the noise
        // of the training rows, and the held-out test (gain over 2 standard errors) must see that and keep neither. (It
        // is a test at about 2.5 %: of 8 seeds tried, one walk drifted enough for a path of almost zero weights and a
        // bias.)
        var rnd = new Random(1);
        var y = new float[1500];
        double level = 0;
        for (int t = 0; t < y.Length; t++) y[t] = (float)(level += rnd.NextDouble() - 0.5);
        var s = new SeriesData(y, 1);
        var f = Forecaster.Train([s], Options(channelIndependent: false, epochs: 3));
        Assert.Null(f.Linear);
        Assert.False(f.RecurrentCorrection);
        var rollout = f.Rollout(s);
        for (int t = 0; t < y.Length; t += 97)
            Assert.All(rollout.AsSpan(t * 4, 4).ToArray(), v => Assert.Equal(y[t], v));
        Assert.All(f.CalibrationResiduals, r => Assert.NotEmpty(r));
    }

    [Fact]
    public void Forecaster_WithLookbackAlternatives_KeepsTheOneWithTheLowerValidationError()
    {
        // A season of 30 steps: 12 lags cannot see it, 40 can; 1000 (over a third of the training windows) is skipped.
        var rnd = new Random(3);
        var y = new float[1500];
        for (int t = 0; t < y.Length; t++)
            y[t] = (float)(Math.Sin(2 * Math.PI * t / 30) + 0.1 * (rnd.NextDouble() - 0.5));
        var s = new SeriesData(y, 1);
        var f = Forecaster.Train([s],
                                 Options(channelIndependent: false,
                                         epochs: 1) with
                                 { LinearLookbackAlternatives = [40, 1000] });
        Assert.Equal(40, f.Linear!.Lookback);
        Assert.Throws<ArgumentOutOfRangeException>(() => Forecaster.Train([s],
                                                                          Options(false,
                                                                                  1) with
                                                                          { LinearLookbackAlternatives = [1] }));
    }

    [Fact]
    public void Constructor_RejectsMismatchedSizes()
    {
        Assert.Throws<ArgumentException>(() => new LinearForecastPath(4, 2, new double[5], new double[2], 0));
        Assert.Throws<ArgumentException>(() => new LinearForecastPath(4, 2, new double[6], new double[3], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearForecastPath(1, 2, [], new double[2], 0));
        Assert.Throws<ArgumentException>(() => new LinearForecastPath(2, 1, [double.NaN], [0], 0));
    }

    private static ForecasterOptions Options(bool channelIndependent, int epochs = 6) => new()
    {
        Horizon = 4, Epochs = epochs, SegmentLength = 64, LearningRate = 3e-3, Seed = 2, Threads = 1,
        LinearLookback = 12,
        ValidationFraction = 0.2, CalibrationFraction = 0.1, EarlyStoppingPatience = 3,
        ChannelIndependent = channelIndependent,
        Model = new ModelSpec { StateSize = 6, NonlinearWidth = 6, HiddenSizes = [8] },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forecaster_WithALinearPath_ObserveAgreesWithTheRollout_AndValidationIsNoWorseThanTheLinearPathAlone(
        bool channelIndependent)
    {
        var train = Ar2(900, 3, targets: 2);
        var f = Forecaster.Train([train], Options(channelIndependent));
        Assert.NotNull(f.Linear);
        Assert.Equal(channelIndependent, f.ChannelIndependent);
        Assert.True(f.Model.Certify().IsVerified);
        Assert.Equal(Forecaster.ModelInputs(2, 0, channelIndependent), f.Model.InputSize);
        Assert.Equal(Forecaster.ModelOutputs(4, 2, channelIndependent), f.Model.OutputSize);
        // The correction is kept only when it lowers the validation error.
        var (linear, whole) = f.ValidationMse;
        Assert.True(whole <= linear * (1 + 1e-9), $"forecaster {whole} vs linear path {linear}");

        var test = Ar2(200, 4, targets: 2);
        var roll = f.Rollout(test);
        var state = f.Start();
        for (int t = 0; t < 60; t++) f.Observe(state, test.Targets.AsSpan(t * 2, 2), []);
        var p = f.Predict(state);
        for (int i = 0; i < 8; i++) Assert.Equal(roll[59 * 8 + i], p.Values[i], 1e-4f);
        // Warmup is the same as observing one row at a time.
        var warm = f.Predict(f.Warmup(new SeriesData(test.Targets[..240], 2)));
        for (int i = 0; i < 8; i++) Assert.Equal(roll[119 * 8 + i], warm.Values[i], 1e-4f);
    }

    [Fact]
    public void Forecaster_OnALinearProcess_IsAsGoodAsTheLinearPathAndMuchBetterThanNaive()
    {
        var train = Ar2(1500, 5);
        var f = Forecaster.Train([train], Options(false, epochs: 4));
        var linearOnly = Forecaster.FromParts(f.Model, f.Horizon, 1, 0, f.TargetScaling, f.FeatureScaling,
                                              [.. Enumerable.Range(0, 4).Select(_ => Array.Empty<float>())], 0.9,
                                                  f.Linear, recurrentCorrection: false);
        var test = Ar2(400, 6);
        var roll = f.Rollout(test);
        var lin = linearOnly.Rollout(test);
        double err = 0, linear = 0, naive = 0;
        for (int t = 20; t < 400 - 4; t++)
            for (int k = 0; k < 4; k++)
            {
                double truth = test.Targets[t + 1 + k];
                err += Math.Pow(roll[t * 4 + k] - truth, 2);
                linear += Math.Pow(lin[t * 4 + k] - truth, 2);
                naive += Math.Pow(test.Targets[t] - truth, 2);
            }
        Assert.True(err < 0.75 * naive, $"MSE {err} vs naive {naive}");
        Assert.True(err < 1.05 * linear, $"MSE {err} vs the linear path alone {linear}");
    }

    [Fact]
    public void FromParts_WithoutTheRecurrentCorrection_IsTheLinearPathAlone()
    {
        var train = Ar2(600, 7);
        var f = Forecaster.Train([train], Options(false, epochs: 2));
        var linearOnly = Forecaster.FromParts(f.Model, f.Horizon, 1, 0, f.TargetScaling, f.FeatureScaling,
                                              [.. Enumerable.Range(0, 4).Select(_ => Array.Empty<float>())], 0.9,
                                                  f.Linear, recurrentCorrection: false);
        var test = Ar2(100, 8);
        var roll = linearOnly.Rollout(test);
        var window = new float[12];
        var expected = new float[4];
        FillWindow(test, 0, 50, window);
        f.Linear!.AddPrediction(window, f.TargetScaling.Std[0], expected);
        for (int k = 0; k < 4; k++)
            Assert.Equal(test.Targets[50] + f.TargetScaling.Std[0] * expected[k], roll[50 * 4 + k], 1e-4f);
    }

    [Fact]
    public void Options_RejectOutOfRangeLinearSettings()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (Options(false) with { LinearLookback = 1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Options(false) with { LinearLookback = -3 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Options(false) with { ValidationFraction = 0.6 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() =>
                                                   (Options(false) with { EarlyStoppingPatience = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() =>
                                                   (Options(false) with { TimeBudget = TimeSpan.Zero }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Options(false) with { LinearRidges = [] }).Validate());
    }

    [Fact]
    public void TimeBudget_StopsTrainingEarly()
    {
        var train = Ar2(900, 9);
        var f = Forecaster.Train([train],
                                 Options(false, epochs: 500) with
                                 {
                                     TimeBudget = TimeSpan.FromMilliseconds(300),
                                     EarlyStoppingPatience = 1000
                                 });
        Assert.True(f.Training!.TrainLoss.Count < 500, $"{f.Training.TrainLoss.Count} epochs ran");
    }

    // The last L values of target j up to row t of s, oldest first; rows before the series' start take its first
    // value (as the path's training windows do).
    private static void FillWindow(SeriesData s, int j, int t, Span<float> window)
    {
        int L = window.Length, nt = s.TargetCount;
        for (int i = 0; i < L; i++) window[i] = s.Targets[Math.Max(0, t - (L - 1) + i) * nt + j];
    }
}
