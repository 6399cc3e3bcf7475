using System.Collections.Concurrent;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Simulation;

namespace Microsoft.ML.R2DN.MlNet.Tests;

/// <summary>Issue 9, item 6: training progress reaches the user's <c>mlContext.Log</c> through the catalog (which pins
/// the one reflection read of the catalog's environment: with the fallback, the lines would go to another context's
/// log), <c>new MLContext(seed: s)</c> makes runs repeatable, and a cancelled token stops training.</summary>
public sealed class ProgressSeedCancellationTests
{
    [Fact]
    public void Epoch_lines_of_catalog_made_estimators_reach_the_users_MLContext_Log()
    {
        var ml = new MLContext(seed: 1);
        var lines = new ConcurrentQueue<string>();
        ml.Log += (_, e) => lines.Enqueue(e.Message);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());

        ml.Forecasting.R2DN(TestData.R2dn(epochs: 2)).Fit(data);
        var forecaster = lines.Where(l => l.Contains("epoch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, forecaster.Count);
        Assert.StartsWith("[Source=ForecastingEstimator; Training, Kind=Info] epoch 1/2: loss ", forecaster[0]);
        Assert.StartsWith("[Source=ForecastingEstimator; Training, Kind=Info] epoch 2/2: loss ", forecaster[1]);

        lines.Clear();
        ml.Forecasting.SimulateREN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"],
                                   seriesIdColumnName: "Series", epochs: 2, washout: 10).Fit(data);
        var simulator = lines.Where(l => l.Contains("epoch ", StringComparison.Ordinal)).ToList();
        // The defaults try a few settings on the validation tail: two epoch lines for each.
        Assert.True(simulator.Count >= 2 && simulator.Count % 2 == 0, $"{simulator.Count} epoch lines");
        Assert.All(simulator, l => Assert.StartsWith("[Source=SimulationEstimator; Training, Kind=Info] epoch ", l));
    }

    [Fact]
    public void Estimators_made_with_the_public_constructor_log_to_the_context_given()
    {
        var ml = new MLContext(seed: 1);
        var lines = new ConcurrentQueue<string>();
        ml.Log += (_, e) => lines.Enqueue(e.Message);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        new ForecastingEstimator(ml, TestData.Ren(epochs: 1)).Fit(data);
        Assert.Contains(lines,
                        l => l.StartsWith("[Source=ForecastingEstimator; Training, Kind=Info] epoch 1/1: loss ",
                                          StringComparison.Ordinal));
    }

    [Fact]
    public void Two_contexts_with_one_seed_give_identical_forecasts_and_another_seed_does_not()
    {
        uint[] Run(int seed)
        {
            var ml = new MLContext(seed: seed);
            var data = ml.Data.LoadFromEnumerable(TestData.Rows());
            return TestData.Bits(TestData.Forecasts(ml,
                                                    ml.Forecasting.R2DN(TestData.R2dn()).Fit(data).Transform(data)));
        }

        var first = Run(1);
        Assert.Equal(first, Run(1));
        Assert.NotEqual(first, Run(2));
    }

    [Fact]
    public void Seeded_simulators_are_repeatable()
    {
        float[] Run()
        {
            var ml = new MLContext(seed: 3);
            var data = ml.Data.LoadFromEnumerable(TestData.Rows());
            var model = ml.Forecasting.SimulateR2DN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"],
                                                    seriesIdColumnName: "Series", epochs: 1, washout: 10).Fit(data);
            return [.. ml.Data.CreateEnumerable<SimulatedRow>(model.Transform(data),
                                                              reuseRowObject: false).Select(r => r.OutputPredicted)];
        }

        Assert.Equal(Run().Select(BitConverter.SingleToUInt32Bits), Run().Select(BitConverter.SingleToUInt32Bits));
    }

    private sealed class SimulatedRow
    {
        public float OutputPredicted { get; set; }
    }

    [Fact]
    public void A_cancelled_token_stops_training_with_OperationCanceledException()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var options = TestData.R2dn();
        options.CancellationToken = cancelled.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.R2DN(options).Fit(data));

        var simulation = new R2dnSimulationOptions
        {
            OutputColumnNames = ["Output"], InputColumnNames = ["Drive"],
            Epochs = 1, CancellationToken = cancelled.Token
        };
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.SimulateR2DN(simulation).Fit(data));
    }

    // Cancelled from the log handler after the first epoch of a run that would take many: training stops there.
    [Fact]
    public void Cancelling_during_training_stops_it_after_the_current_epoch()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        using var cancel = new CancellationTokenSource();
        int epochs = 0;
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("] epoch ", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref epochs);
                cancel.Cancel();
            }
        };
        var options = TestData.R2dn(epochs: 500);
        options.CancellationToken = cancel.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.R2DN(options).Fit(data));
        Assert.InRange(Volatile.Read(ref epochs), 1, 2);
    }
}
