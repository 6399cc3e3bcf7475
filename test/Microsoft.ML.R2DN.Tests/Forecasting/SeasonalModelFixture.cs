using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Models trained once and shared by the tests of a class: a single-series forecaster with a feature and
/// intervals, and a three-series, two-target one.</summary>
public sealed class SeasonalModelFixture
{
    public SeasonalModelFixture()
    {
        Ml = new MLContext(seed: 3);
        Rows = ForecastingTestData.Seasonal(400);
        Data = Ml.Data.LoadFromEnumerable(Rows);
        var options = ForecastingTestData.SmallR2dn();
        options.FeatureColumnNames = ["Temperature"];
        options.ConfidenceLowerBoundColumn = "Lower";
        options.ConfidenceUpperBoundColumn = "Upper";
        Model = Ml.Forecasting.R2DN(options).Fit(Data);

        MultiRows = ForecastingTestData.Seasonal(300, seriesCount: 3, interleave: true);
        MultiData = Ml.Data.LoadFromEnumerable(MultiRows);
        var multi = ForecastingTestData.SmallR2dn(horizon: 4);
        multi.AdditionalTargetColumnNames = ["Load2"];
        multi.FeatureColumnNames = ["Temperature"];
        multi.SeriesIdColumnName = "Store";
        multi.ConfidenceLowerBoundColumn = "Lower";
        multi.ConfidenceUpperBoundColumn = "Upper";
        MultiModel = Ml.Forecasting.R2DN(multi).Fit(MultiData);
    }

    public MLContext Ml { get; }

    public List<LoadRow> Rows { get; }

    public IDataView Data { get; }

    /// <summary>Horizon 6, target Load, feature Temperature, bounds Lower/Upper at 0.95.</summary>
    public ForecastingTransformer Model { get; }

    /// <summary>Three interleaved series (Store), targets Load and Load2, feature Temperature, horizon 4, bounds.</summary>
    public List<LoadRow> MultiRows { get; }

    public IDataView MultiData { get; }

    public ForecastingTransformer MultiModel { get; }
}
