using Microsoft.ML.R2DN.Forecasting;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Every bad input gives the right exception type and a message that says what to fix.</summary>
public sealed partial class ForecastingEstimatorTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static IDataView Data(List<LoadRow> rows) => Ml.Data.LoadFromEnumerable(rows);

    private static R2dnForecastingOptions Quick(int horizon = 2)
    {
        var o = SmallR2dn(horizon: horizon);
        o.Epochs = 2;
        return o;
    }

    [Fact]
    public void R2DN_HorizonBelowOne_ThrowsNamingHorizon()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>("horizon",
                                                           () => Ml.Forecasting.R2DN("F", "Load", horizon: 0));
        Assert.Contains("at least 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>("horizon", () => Ml.Forecasting.REN("F", "Load", horizon: -3));
        var options = Quick();
        options.Horizon = 0;
        Assert.Throws<ArgumentOutOfRangeException>("Horizon", () => Ml.Forecasting.R2DN(options));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    [InlineData(-0.5f)]
    [InlineData(float.NaN)]
    public void R2DN_ConfidenceLevelOutsideZeroOne_ThrowsNamingConfidenceLevel(float level)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>("confidenceLevel",
            () => Ml.Forecasting.R2DN("F", "Load", horizon: 3, confidenceLevel: level));
        Assert.Contains("(0, 1)", e.Message);
        var options = Quick();
        options.ConfidenceLevel = level;
        Assert.Throws<ArgumentOutOfRangeException>("ConfidenceLevel", () => Ml.Forecasting.R2DN(options));
    }

    [Fact]
    public void Options_OutOfRange_ThrowsNamingTheProperty()
    {
        void Check(string property, Action<R2dnForecastingOptions> change)
        {
            var options = Quick();
            change(options);
            var e = Assert.ThrowsAny<ArgumentException>(() => Ml.Forecasting.R2DN(options));
            Assert.Equal(property, e.ParamName);
        }
        Check("Epochs", o => o.Epochs = 0);
        Check("LearningRate", o => o.LearningRate = double.NaN);
        Check("SegmentLength", o => o.SegmentLength = 0);
        Check("ClipValue", o => o.ClipValue = -1);
        Check("CalibrationFraction", o => o.CalibrationFraction = 0.5);
        Check("Gamma", o => o.Gamma = 0);
        Check("StateSize", o => o.StateSize = 0);
        Check("NonlinearWidth", o => o.NonlinearWidth = -1);
        Check("HiddenSizes", o => o.HiddenSizes = [4, 0]);
        Check("ContractionRate", o => o.ContractionRate = 1.5);
        Check("Threads", o => o.Threads = 0);
        Check("LinearLookback", o => o.LinearLookback = 1);
        Check("ValidationFraction", o => o.ValidationFraction = 0.5);
        Check("ValidationFraction", o => { o.ValidationFraction = 0.4; o.CalibrationFraction = 0.4; });
        Check("EarlyStoppingPatience", o => o.EarlyStoppingPatience = 0);
        Check("Horizon", o => o.Horizon = 300_000);
        Check("OutputColumnName", o => o.OutputColumnName = "");
        Check("FeatureColumnNames", o => o.FeatureColumnNames = ["Temperature", null!]);
    }

    [Fact]
    public void R2DN_OneBoundColumn_ThrowsAskingForBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN("F", "Load", 3,
                                                                           confidenceLowerBoundColumn: "Lower"));
        Assert.Contains("both confidence bound columns", e.Message);
    }

    [Fact]
    public void R2DN_BoundsWithoutCalibration_Throws()
    {
        var options = Quick();
        options.ConfidenceLowerBoundColumn = "Lower";
        options.ConfidenceUpperBoundColumn = "Upper";
        options.CalibrationFraction = 0;
        Assert.Throws<ArgumentException>("CalibrationFraction", () => Ml.Forecasting.R2DN(options));
    }

    [Fact]
    public void R2DN_ColumnNamedTwice_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() =>
                                                 Ml.Forecasting.R2DN("F", "Load", 3, featureColumnNames: ["Load"]));
        Assert.Contains("'Load' is named twice", e.Message);
        Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN("F", "Load", 3, confidenceLowerBoundColumn: "F",
                                                                   confidenceUpperBoundColumn: "U"));
    }

    [Fact]
    public void Fit_UnknownColumn_CouldNotFind()
    {
        var data = Data(Seasonal(50));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Forecasting.R2DN("F", "Missing", 2).Fit(data));
        Assert.Equal("Could not find input column 'Missing'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => Ml.Forecasting.R2DN("F", "Load", 2, featureColumnNames: ["Humidity"]).Fit(data));
        Assert.Equal("Could not find feature column 'Humidity'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => Ml.Forecasting.R2DN("F", "Load", 2, seriesIdColumnName: "Shop").GetOutputSchema(data.Schema));
        Assert.Equal("Could not find series id column 'Shop'", e.Message);
    }

    [Fact]
    public void Fit_TextTarget_SchemaMismatch()
    {
        var data = Data(Seasonal(50));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Forecasting.R2DN("F", "Store", 2).Fit(data));
        Assert.Equal("Schema mismatch for input column 'Store': expected Single, got String", e.Message);
    }

    [Fact]
    public void Fit_BooleanSeriesId_SchemaMismatch()
    {
        var data = Ml.Data.LoadFromEnumerable(Enumerable.Range(0,
                                                               40).Select(i => new FlagRow
                                                               {
                                                                   Flag = i % 2 == 0,
                                                                   Load = i
                                                               }).ToList());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Ml.Forecasting.R2DN("F", "Load", 2,
            seriesIdColumnName: "Flag").Fit(data));
        Assert.Equal("Schema mismatch for series id column 'Flag': expected String, got Boolean", e.Message);
    }

    private sealed class FlagRow
    {
        public bool Flag { get; set; }
        public float Load { get; set; }
    }

    [Fact]
    public void Fit_EmptyData_TrainingDataIsEmpty()
    {
        var e = Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN("F", "Load", 2).Fit(Data([])));
        Assert.StartsWith("The training data is empty.", e.Message);
    }

    [Fact]
    public void Fit_NaNTarget_ErrorNamesRowAndColumn()
    {
        var rows = Seasonal(80);
        rows[17].Load = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN(Quick()).Fit(Data(rows)));
        Assert.Contains("input column 'Load'", e.Message);
        Assert.Contains("row 17", e.Message);
        Assert.Contains("MissingValuePolicy.ForwardFill", e.Message);
    }

    [Fact]
    public void Fit_InfiniteFeatureInASeries_ErrorNamesRowColumnAndSeries()
    {
        var rows = Seasonal(60, seriesCount: 2, interleave: true);
        rows[33].Temperature = float.PositiveInfinity;
        var options = Quick();
        options.FeatureColumnNames = ["Temperature"];
        options.SeriesIdColumnName = "Store";
        var e = Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN(options).Fit(Data(rows)));
        Assert.Contains("feature column 'Temperature'", e.Message);
        Assert.Contains("non-finite value (Infinity)", e.Message);
        Assert.Contains("row 33 (series 'store-B')", e.Message);
    }

    [Fact]
    public void Fit_ForwardFill_FillsFromTheSameSeries()
    {
        var rows = Seasonal(80);
        rows[40].Load = float.NaN;
        rows[41].Load = float.NaN;
        var options = Quick();
        options.MissingValues = MissingValuePolicy.ForwardFill;
        var data = Data(rows);
        var model = Ml.Forecasting.R2DN(options).Fit(data);
        var forecasts = Column(Ml, model.Transform(data), "Forecast");
        Assert.All(forecasts, f => Assert.All(f, v => Assert.True(float.IsFinite(v))));

        // Rows 40 and 41 take row 39's value: the same as filling by hand.
        var filled = Seasonal(80);
        filled[40].Load = filled[41].Load = filled[39].Load;
        Assert.Equal(Column(Ml, model.Transform(Data(filled)), "Forecast"), forecasts);
    }

    [Fact]
    public void Fit_ForwardFillLeadingMissingValue_TrainsButScoringNeedsAnEarlierValue()
    {
        var rows = Seasonal(80);
        rows[0].Load = float.NaN;
        var options = Quick();
        options.MissingValues = MissingValuePolicy.ForwardFill;
        var model = Ml.Forecasting.R2DN(options).Fit(Data(rows));   // training fills row 0 with row 1's value
        Assert.True(model.Certificate.IsVerified);
        // Scoring streams the rows in order (as the saved ML.NET model does): row 0 has nothing before it.
        var e = Assert.Throws<InvalidOperationException>(() => Column(Ml, model.Transform(Data(rows)), "Forecast"));
        Assert.Contains("row 0", e.Message);
        Assert.Contains("no earlier value", e.Message);
    }

    [Fact]
    public void Fit_ForwardFillColumnWithoutValues_Throws()
    {
        var rows = Seasonal(60);
        foreach (var r in rows) r.Temperature = float.NaN;
        var options = Quick();
        options.FeatureColumnNames = ["Temperature"];
        options.MissingValues = MissingValuePolicy.ForwardFill;
        var e = Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN(options).Fit(Data(rows)));
        Assert.Contains("no finite value in the data", e.Message);
    }

    [Fact]
    public void Fit_ShortSeries_MessageNamesTheSeriesAndTheLengthNeeded()
    {
        var rows = Seasonal(60, seriesCount: 2).Take(76).ToList();   // store-B keeps 16 rows
        var options = Quick(horizon: 4);
        options.SeriesIdColumnName = "Store";
        var e = Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN(options).Fit(Data(rows)));
        Assert.Contains("Series 'store-B' (column 'Store') has 16 rows", e.Message);
        // 8 to train, 4 for the targets of the last step, 5 to calibrate the intervals and 5 to validate.
        Assert.Contains("needs at least 22 rows", e.Message);
        e = Assert.Throws<ArgumentException>(() => Ml.Forecasting.R2DN(Quick(horizon: 4)).Fit(Data(Seasonal(10))));
        Assert.Contains("The training data has 10 rows", e.Message);
    }

    [Fact]
    public void Transform_NaNInScoredData_InvalidOperationWhenRead()
    {
        var model = Ml.Forecasting.R2DN(Quick()).Fit(Data(Seasonal(60)));
        var rows = Seasonal(30);
        rows[12].Load = float.NaN;
        var view = model.Transform(Data(rows));   // lazy: no error yet
        var e = Assert.Throws<InvalidOperationException>(() => Column(Ml, view, "Forecast"));
        Assert.Contains("row 12", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(
            () => model.Transform(Ml.Data.LoadFromEnumerable(new[] { new SystemRow() })));
    }
}
