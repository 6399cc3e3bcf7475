using System.Text.RegularExpressions;
using Microsoft.ML.R2DN.Engine.Training;
using Microsoft.ML.R2DN.Forecasting;
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
        ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(Seasonal(60)));
        var epochs = messages.Where(m => m.RawMessage.StartsWith("epoch ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, epochs.Count);
        Assert.All(epochs, m => Assert.Equal(ChannelMessageKind.Info, m.Kind));
        Assert.All(epochs, m => Assert.Equal(nameof(ForecastingEstimator), m.Source));
        Assert.Matches(new Regex(@"^epoch 3/4: loss [0-9.e+-]+, lr \d\.\de-\d\d, \d+\.\d s$"), epochs[2].RawMessage);
        Assert.Contains(messages, m => m.RawMessage.StartsWith("Certificate: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Fit_CancelledDuringTraining_ThrowsAndReturnsNoModel()
    {
        var ml = new MLContext(seed: 1);
        int epochsSeen = 0;
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("epoch ", StringComparison.Ordinal) && ++epochsSeen == 2) ml.CancelExecution();
        };
        var options = Quick();
        options.Epochs = 50;
        var estimator = ml.Forecasting.R2DN(options);
        var data = new MLContext().Data.LoadFromEnumerable(Seasonal(100));
        Assert.ThrowsAny<OperationCanceledException>(() => estimator.Fit(data));
        Assert.Equal(2, epochsSeen);
    }

    [Fact]
    public void Fit_ContextAlreadyCancelled_Throws()
    {
        var ml = new MLContext(seed: 1);
        var data = new MLContext().Data.LoadFromEnumerable(Seasonal(100));
        ml.CancelExecution();
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.R2DN(Quick()).Fit(data));
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Forecasting.SimulateR2DN(["Load"], ["Temperature"]).Fit(data));
    }

    [Fact]
    public void TrainingRun_Diverged_InvalidOperationWithAClearMessage()
    {
        var ml = new MLContext();
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) => messages.Add(e);
        var e = Assert.Throws<InvalidOperationException>(() => TrainingRun.Run<int>(ml, "Test", "contracting R2DN forecaster", 10,
            (_, _) => throw new TrainingDivergedException(2, 1, 21, double.NaN, "Training diverged at epoch 2.")));
        Assert.IsNotType<TrainingDivergedException>(e);
        Assert.IsType<TrainingDivergedException>(e.InnerException);
        Assert.StartsWith("Training the contracting R2DN forecaster diverged at epoch 3: the loss or its gradient became NaN or infinite", e.Message);
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
        var e = Assert.Throws<InvalidOperationException>(() => ml.Forecasting.R2DN(options).Fit(ml.Data.LoadFromEnumerable(Seasonal(200))));
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
