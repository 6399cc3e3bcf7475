using System.Globalization;
using Microsoft.ML.R2DN.Engine.Training;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.ModelFiles;
using Microsoft.ML.R2DN.Simulation;
using Microsoft.ML.Runtime;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Training ergonomics: progress, cancellation, divergence, seeds, option snapshots.</summary>
public sealed partial class ForecastingEstimatorTests
{
    [Fact]
    public void Fit_Always_LogsEveryEpoch()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) => messages.Add(e);
        var options = Quick();
        options.Epochs = 4;
        options.ValidationFraction = 0;   // no early stopping: every epoch runs
        var reports = new List<TrainingProgress>();
        options.Progress = new SynchronousProgress<TrainingProgress>(reports.Add);
        ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(Seasonal(60)));
        var epochs = messages.Where(m => m.RawMessage.StartsWith("epoch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, epochs.Count);
        Assert.All(epochs, m => Assert.Equal(ChannelMessageKind.Info, m.Kind));
        // ML.NET names the source "host; channel" and writes it into the message.
        Assert.All(epochs, m => Assert.StartsWith(nameof(ForecastingEstimator), m.Source, StringComparison.Ordinal));
        // The line tells the values the options' progress receives.
        var third = reports[2].Epoch;
        string expected = string.Create(CultureInfo.InvariantCulture,
            $"epoch 3/4: loss {third.TrainLoss:G3}, lr {third.LearningRate:0.0e+00}, {third.Seconds:0.0} s");
        Assert.Equal(expected, epochs[2].RawMessage);
        Assert.StartsWith("[Source=ForecastingEstimator", epochs[2].Message, StringComparison.Ordinal);
        Assert.Contains("Kind=Info] epoch 3/4: loss ", epochs[2].Message, StringComparison.Ordinal);
        Assert.Contains(messages, m => m.RawMessage.StartsWith("Certificate: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Fit_WithProgress_ReportsEveryEpochAsAValue()
    {
        var ml = new MLContext(seed: 1);
        var logged = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("epoch ", StringComparison.Ordinal)) logged.Add(e.RawMessage);
        };
        var reports = new List<TrainingProgress>();
        var options = Quick();
        options.Epochs = 4;
        options.ValidationFraction = 0;
        options.Progress = new SynchronousProgress<TrainingProgress>(reports.Add);
        var model = ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(Seasonal(60)));
        Assert.Equal([0, 1, 2, 3], reports.Select(r => r.Epoch.Epoch));
        Assert.All(reports, r => Assert.Equal(4, r.Epoch.Epochs));
        Assert.All(reports, r => Assert.Equal((1, 1, false), (r.Stage.Setting, r.Stage.Settings, r.Stage.IsRefit)));
        Assert.EndsWith(" forecaster", reports[0].Stage.Model, StringComparison.Ordinal);
        Assert.Equal(model.TrainingLoss, reports.Select(r => r.Epoch.TrainLoss));
        Assert.Equal(logged.Count, reports.Count);   // the log and the values tell the same epochs
    }

    [Fact]
    public void Fit_SimulatorSearchWithProgress_NumbersTheSettings()
    {
        var ml = new MLContext(seed: 1);
        var reports = new List<TrainingProgress>();
        var options = new R2dnSimulationOptions
        {
            OutputColumnNames = ["Y"], InputColumnNames = ["U"], StateSize = 4, NonlinearWidth = 4, Epochs = 2,
            Washout = 5,
            SegmentLength = 40, Seed = 3, Progress = new SynchronousProgress<TrainingProgress>(reports.Add),
        };
        ml.Forecasting.SimulateR2DN(options).Fit(ml.Data.LoadFromEnumerable(NonlinearSystem(80)));
        int settings = reports[0].Stage.Settings;
        Assert.True(settings > 1, $"{settings} settings");
        var twoEachInTurn = Enumerable.Range(1, settings).SelectMany(i => new[] { i, i });
        Assert.Equal(twoEachInTurn, reports.Select(r => r.Stage.Setting));
        Assert.All(reports, r => Assert.False(r.Stage.IsRefit));   // Epochs set: no refit on all the data
    }

    [Fact]
    public void Catalog_ReadsTheContextsEnvironment_SoLogsReachThatContext()
    {
        // The one read of an ML.NET non-public member (TrainCatalogBase.Environment): a rename in ML.NET shows here.
        Assert.True(R2dnCatalog.ReadsCatalogEnvironment);
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.RawMessage);
        var options = new R2dnSimulationOptions
        {
            OutputColumnNames = ["Y"], InputColumnNames = ["U"], StateSize = 4, NonlinearWidth = 4, Epochs = 2,
            Washout = 5, SegmentLength = 40,
            Seed = 3, Robustness = Engine.Models.Robustness.Contracting, LearningRate = 1e-3,
        };
        var data = ml.Data.LoadFromEnumerable(NonlinearSystem(60));
        var viaCatalog = ml.Forecasting.SimulateR2DN(options).Fit(data);
        Assert.Equal(2, messages.Count(m => m.StartsWith("epoch ", StringComparison.Ordinal)));
        // The public constructor logs to the context it is given, and trains the same model from the same seed.
        var viaConstructor = new SimulationEstimator(ml, options).Fit(data);
        Assert.Equal(viaCatalog.TrainingLoss, viaConstructor.TrainingLoss);
        Assert.Equal(4, messages.Count(m => m.StartsWith("epoch ", StringComparison.Ordinal)));
        new SimulationEstimator(new MLContext(seed: 1), options).Fit(data);
        Assert.Equal(4, messages.Count(m => m.StartsWith("epoch ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Fit_CancelledDuringTraining_ThrowsAndReturnsNoModel()
    {
        var ml = new MLContext(seed: 1);
        using var cts = new CancellationTokenSource();
        int epochsSeen = 0;
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("epoch ", StringComparison.Ordinal) && ++epochsSeen == 2) cts.Cancel();
        };
        var options = Quick();
        options.Epochs = 50;
        options.CancellationToken = cts.Token;
        var estimator = ml.Forecasting.R2DN(options);
        var data = ml.Data.LoadFromEnumerable(Seasonal(100));
        ForecastingTransformer? model = null;
        Assert.ThrowsAny<OperationCanceledException>(() => model = estimator.Fit(data));
        Assert.Null(model);
        Assert.Equal(2, epochsSeen);
    }

    [Fact]
    public void Fit_TokenAlreadyCancelled_Throws()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Seasonal(100));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var options = Quick();
        options.CancellationToken = cts.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.R2DN(options).Fit(data));
        var ren = new RenForecastingOptions
        {
            OutputColumnName = "F", InputColumnName = "Load", Horizon = 2, Epochs = 1,
            CancellationToken = cts.Token
        };
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.REN(ren).Fit(data));
        var simulation = new R2dnSimulationOptions
        {
            OutputColumnNames = ["Load"], InputColumnNames = ["Temperature"],
            Epochs = 1, CancellationToken = cts.Token
        };
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.SimulateR2DN(simulation).Fit(data));
        // The estimator's public constructor takes the token from the options too.
        Assert.ThrowsAny<OperationCanceledException>(() => new ForecastingEstimator(ml, options).Fit(data));
    }

    [Fact]
    public void Fit_SimulatorCancelledDuringTraining_Throws()
    {
        var ml = new MLContext(seed: 1);
        using var cts = new CancellationTokenSource();
        int epochsSeen = 0;
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("epoch ", StringComparison.Ordinal) && ++epochsSeen == 1) cts.Cancel();
        };
        var options = new R2dnSimulationOptions
        {
            OutputColumnNames = ["Load"], InputColumnNames = ["Temperature"], StateSize = 4, NonlinearWidth = 4,
            Epochs = 30,
            SegmentLength = 40, Washout = 5, CancellationToken = cts.Token,
        };
        var seasonal = ml.Data.LoadFromEnumerable(Seasonal(100));
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.SimulateR2DN(options).Fit(seasonal));
        Assert.Equal(1, epochsSeen);
    }

    [Fact]
    public void TrainingRun_Diverged_InvalidOperationWithAClearMessage()
    {
        var ml = new MLContext();
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) => messages.Add(e);
        using var channel = ((IHostEnvironment)ml).Register("Test").Start("Training");
        var stage = new TrainingStage("contracting R2DN forecaster", 1, 1);
        var e = Assert.Throws<InvalidOperationException>(() => TrainingRun.Run<int>(channel, Quick(), stage,
            (_, _) => throw new TrainingDivergedException(2, 1, 21, double.NaN, "Training diverged at epoch 2.")));
        Assert.IsNotType<TrainingDivergedException>(e);
        Assert.IsType<TrainingDivergedException>(e.InnerException);
        Assert.StartsWith("Training the contracting R2DN forecaster diverged at epoch 3: the loss or its gradient " +
                          "became NaN or infinite", e.Message);
        Assert.Contains("Lower the learning rate", e.Message);
        Assert.Contains(messages, m => m.Kind == ChannelMessageKind.Error);
    }

    [Fact]
    public void Fit_SameContextSeed_SameModel_AndOptionsAreCopied()
    {
        var rows = Seasonal(80);
        float[][] Train(Action<R2dnForecastingOptions>? afterCreate = null)
        {
            var ml = new MLContext(seed: 21);
            var options = Quick();
            options.Seed = null;   // drawn from the context
            var estimator = ml.Forecasting.R2DN(options);
            afterCreate?.Invoke(options);
            var data = ml.Data.LoadFromEnumerable(rows);
            return Column(ml, estimator.Fit(data).Transform(data), "Forecast");
        }
        var first = Train();
        Assert.Equal(first, Train());
        Assert.Equal(first, Train(o => { o.Epochs = 9; o.InputColumnName = "Nothing"; }));
    }

    private static int[] Bits(float[][] values) =>
        values.SelectMany(v => v).Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void Fit_TwoContextsWithTheSameSeed_BitIdenticalForecasts()
    {
        var rows = Seasonal(80);
        float[][] Train(int seed, bool recurrentOnly)
        {
            var ml = new MLContext(seed: seed);
            var options = recurrentOnly ? RecurrentOnly() : Quick();
            options.Epochs = 2;
            options.Seed = null;
            options.FeatureColumnNames = ["Temperature"];
            var data = ml.Data.LoadFromEnumerable(rows);
            return Column(ml, ml.Forecasting.R2DN(options).Fit(data).Transform(data), "Forecast");
        }
        // With the defaults (validation, linear path, search), as with the recurrent model alone.
        Assert.Equal(Bits(Train(1, false)), Bits(Train(1, false)));
        var first = Train(1, true);
        Assert.Equal(Bits(first), Bits(Train(1, true)));
        // The seed reaches the recurrent model's initialisation.
        Assert.NotEqual(Bits(first), Bits(Train(2, true)));
    }

    [Fact]
    public void Fit_RobustnessAndLearningRateUnset_SearchesOnValidationAndStoresTheSearch()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.RawMessage);
        var options = Quick();
        options.Robustness = null;
        options.LearningRate = null;
        options.TimeBudget = null;
        var data = ml.Data.LoadFromEnumerable(Seasonal(100));
        var model = ml.Forecasting.R2DN(options).Fit(data);
        // With the linear path, robustness and learning rate open: the default, two γ-Lipschitz models and a lower
        // learning rate, every one of them correcting the linear path.
        Assert.Contains(messages,
                        m => m.Contains("choosing among 4 settings on the validation data", StringComparison.Ordinal));
        for (int i = 1; i <= 4; i++)
            Assert.Contains(messages,
                            m => m.StartsWith($"Setting {i}/4: ", StringComparison.Ordinal)
                                && m.Contains("linear path over", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("no linear path", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Chose ", StringComparison.Ordinal));
        Assert.True(model.Certificate.IsVerified);
        var (manifest, _) = TransformerArchive.Describe(model);
        var search = manifest["transformers"]![0]!["training"]!["search"]!.AsArray();
        Assert.Equal(4, search.Count);

        // Without validation data there is nothing to choose on: the defaults are trained alone.
        messages.Clear();
        options.ValidationFraction = 0;
        ml.Forecasting.R2DN(options).Fit(data);
        Assert.DoesNotContain(messages, m => m.StartsWith("Setting 2/", StringComparison.Ordinal));
        Assert.Equal(options.Epochs, messages.Count(m => m.StartsWith("epoch ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Fit_TimeBudgetSpent_StopsTheSearchAndStillReturnsAModel()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => messages.Add(e.RawMessage);
        var options = Quick();
        options.Robustness = null;
        options.TimeBudget = TimeSpan.FromTicks(1);
        var model = ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(Seasonal(100)));
        Assert.True(model.Certificate.IsVerified);
        Assert.Contains(messages,
                        m => m.StartsWith("The time budget is spent (0 s left, the quickest setting took ",
                                          StringComparison.Ordinal) &&
                                       m.EndsWith(" s): 2 of 3 settings were not tried.", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>("TimeBudget",
                                                   () =>
                                                   {
                                                       options.TimeBudget = TimeSpan.Zero;
                                                       ml.Forecasting.R2DN(options);
                                                   });
    }

    [Fact]
    public void SimulateR2DN_TwoContextsWithTheSameSeed_BitIdenticalPredictions()
    {
        var rows = NonlinearSystem(80);
        float[] Train(int seed)
        {
            var ml = new MLContext(seed: seed);
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Forecasting.SimulateR2DN(new R2dnSimulationOptions
            {
                OutputColumnNames = ["Y"], InputColumnNames = ["U"], StateSize = 4, NonlinearWidth = 4, Epochs = 2,
                Washout = 5, SegmentLength = 40,
            }).Fit(data);
            return R2DN.Data.DataViewReader.ReadSingleColumn(model.Transform(data), "YPredicted");
        }
        var first = Train(1);
        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), Train(1).Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(first.Select(BitConverter.SingleToInt32Bits), Train(2).Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1e3)]
    [InlineData(1e300)]
    public void Fit_HugeLearningRate_DivergesWithInvalidOperation(double learningRate)
    {
        var ml = new MLContext(seed: 1);
        var options = Quick();
        options.FeatureColumnNames = ["Temperature"];
        options.LearningRate = learningRate;
        options.ClipValue = 1e30;
        var seasonal = ml.Data.LoadFromEnumerable(Seasonal(200));
        var e = Assert.Throws<InvalidOperationException>(() => ml.Forecasting.R2DN(options).Fit(seasonal));
        Assert.Contains("diverged", e.Message);
        Assert.Contains("Lower the learning rate", e.Message);
    }

    [Fact]
    public void Transform_EmptyView_EmptyColumns()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Forecasting.R2DN(Quick()).Fit(ml.Data.LoadFromEnumerable(Seasonal(60)));
        Assert.Empty(Column(ml, model.Transform(ml.Data.LoadFromEnumerable(new List<LoadRow>())), "Forecast"));
    }
}
