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
        TrainData = Ml.Data.LoadFromEnumerable(Rows.Take(TrainLength));
        var options = ForecastingTestData.SmallR2dn();
        options.FeatureColumnNames = ["Temperature"];
        options.ConfidenceLowerBoundColumn = "Lower";
        options.ConfidenceUpperBoundColumn = "Upper";
        Model = Ml.Forecasting.R2DN(options).Fit(TrainData);

        MultiRows = ForecastingTestData.Seasonal(300, seriesCount: 3, interleave: true);
        MultiData = Ml.Data.LoadFromEnumerable(MultiRows);
        MultiTrainData = Ml.Data.LoadFromEnumerable(MultiRows.Take(3 * MultiTrainLength));
        var multi = ForecastingTestData.SmallR2dn(horizon: 4);
        multi.AdditionalTargetColumnNames = ["Load2"];
        multi.FeatureColumnNames = ["Temperature"];
        multi.SeriesIdColumnName = "Store";
        multi.ConfidenceLowerBoundColumn = "Lower";
        multi.ConfidenceUpperBoundColumn = "Upper";
        MultiModel = Ml.Forecasting.R2DN(multi).Fit(MultiTrainData);
    }

    /// <summary>The rows <see cref="Model"/> trained on: the first of <see cref="Rows"/>.</summary>
    public const int TrainLength = 300;

    /// <summary>The steps of each series <see cref="MultiModel"/> trained on: the first of <see cref="MultiRows"/>'
    /// series (their rows interleave, so the first 3 × this many rows).</summary>
    public const int MultiTrainLength = 200;

    public MLContext Ml { get; }

    /// <summary>The first <see cref="TrainLength"/> rows of <see cref="Data"/>.</summary>
    public IDataView TrainData { get; }

    /// <summary>The first <see cref="MultiTrainLength"/> steps of each series of <see cref="MultiData"/>.</summary>
    public IDataView MultiTrainData { get; }

    public List<LoadRow> Rows { get; }

    public IDataView Data { get; }

    /// <summary>Horizon 6, target Load, feature Temperature, bounds Lower/Upper at 0.95; trained on
    /// <see cref="TrainData"/>.</summary>
    public ForecastingTransformer Model { get; }

    /// <summary>Three interleaved series (Store), 300 steps each.</summary>
    public List<LoadRow> MultiRows { get; }

    public IDataView MultiData { get; }

    /// <summary>Targets Load and Load2, feature Temperature, series id Store, horizon 4, bounds; trained on
    /// <see cref="MultiTrainData"/>.</summary>
    public ForecastingTransformer MultiModel { get; }
}
