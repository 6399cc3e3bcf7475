using Microsoft.ML;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.MlNet.Tests;

/// <summary>Issue 9, item 4: ML.NET's CreatePredictionEngine on a model of ours (not row-to-row) fails with a message
/// that says to use CreateTimeSeriesEngine, for the transformer, a fitted chain that ends with it, and a simulator.</summary>
public sealed class PredictionEngineTests
{
    private sealed class Input
    {
        public string Series { get; set; } = "";
        public float Drive { get; set; }
        public float Output { get; set; }
    }

    private sealed class SimulationOutput
    {
        public float OutputPredicted { get; set; }
    }

    [Fact]
    public void CreatePredictionEngine_on_a_forecaster_says_to_use_CreateTimeSeriesEngine()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        ForecastingTransformer forecaster = ml.Forecasting.R2DN(TestData.R2dn(epochs: 1)).Fit(data);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Model.CreatePredictionEngine<Input, ForecastRow>(forecaster));
        Assert.Contains("CreateTimeSeriesEngine", e.Message);

        var chain = ml.Transforms.NormalizeMeanVariance("Drive").Append(ml.Forecasting.REN(TestData.Ren(epochs: 1))).Fit(data);
        var inChain = Assert.ThrowsAny<Exception>(() => ml.Model.CreatePredictionEngine<Input, ForecastRow>(chain));
        Assert.Contains("CreateTimeSeriesEngine", Messages(inChain));
    }

    [Fact]
    public void CreatePredictionEngine_on_a_simulator_says_to_use_CreateTimeSeriesEngine()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        var simulator = ml.Forecasting.SimulateREN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"], seriesIdColumnName: "Series", epochs: 1, washout: 10).Fit(data);
        var e = Assert.ThrowsAny<Exception>(() => ml.Model.CreatePredictionEngine<Input, SimulationOutput>(simulator));
        Assert.Contains("CreateTimeSeriesEngine", Messages(e));
    }

    private static string Messages(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Messages(e.InnerException);
}
