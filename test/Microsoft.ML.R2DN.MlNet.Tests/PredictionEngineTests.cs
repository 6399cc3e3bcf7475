using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.MlNet.Tests;

/// <summary>Issue 9, item 4 (and issue 21, item 7): a model of ours is not row-to-row and says so, so ML.NET's
/// CreatePredictionEngine refuses it, for the transformer, a fitted chain that ends with it, and a simulator; asked for
/// a row-to-row mapper anyway, it says to use CreateTimeSeriesEngine.</summary>
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
    public void CreatePredictionEngine_on_a_forecaster_is_refused_as_not_row_to_row()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        ForecastingTransformer forecaster = ml.Forecasting.R2DN(TestData.R2dn(epochs: 1)).Fit(data);
        Assert.False(((ITransformer)forecaster).IsRowToRowMapper);
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.Model.CreatePredictionEngine<Input, ForecastRow>(forecaster));
        Assert.Contains("row to row", e.Message);
        var mapper = Assert.Throws<InvalidOperationException>(
            () => ((ITransformer)forecaster).GetRowToRowMapper(data.Schema));
        Assert.Contains("CreateTimeSeriesEngine", mapper.Message);

        var chain = ml.Transforms.NormalizeMeanVariance("Drive").Append(ml.Forecasting.REN(TestData.Ren(epochs: 1)))
                      .Fit(data);
        Assert.False(((ITransformer)chain).IsRowToRowMapper);
        var inChain = Assert.ThrowsAny<Exception>(() => ml.Model.CreatePredictionEngine<Input, ForecastRow>(chain));
        Assert.Contains("row to row", Messages(inChain));
    }

    [Fact]
    public void CreatePredictionEngine_on_a_simulator_is_refused_as_not_row_to_row()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TestData.Rows());
        var simulator = ml.Forecasting.SimulateREN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"],
                                                   seriesIdColumnName: "Series", epochs: 1, washout: 10).Fit(data);
        Assert.False(((ITransformer)simulator).IsRowToRowMapper);
        var e = Assert.ThrowsAny<Exception>(() => ml.Model.CreatePredictionEngine<Input, SimulationOutput>(simulator));
        Assert.Contains("row to row", Messages(e));
        var mapper = Assert.Throws<InvalidOperationException>(
            () => ((ITransformer)simulator).GetRowToRowMapper(data.Schema));
        Assert.Contains("CreateTimeSeriesEngine", mapper.Message);
    }

    private static string Messages(Exception e) => e.InnerException is null
        ? e.Message : e.Message + " | " + Messages(e.InnerException);
}
