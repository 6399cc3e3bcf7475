using Microsoft.ML.R2DN.Data;
using Microsoft.ML.R2DN.Tests.Data;

namespace Microsoft.ML.R2DN.Tests.Evaluation;

public sealed class EvaluateTests
{
    private const int Precision = 12;

    // Labels y = [1, 2, 4, 3, 5]; the forecast at row t is for rows t + 1 and t + 2.
    // Errors (forecast - label): step 1: 0, -1, 1, 0; step 2: -1, 2, -1.
    private static readonly float[] Labels = [1, 2, 4, 3, 5];
    private static readonly float[][] Forecasts = [[2, 3], [3, 5], [4, 4], [5, 6], [6, 7]];

    private static IDataView Scored(float[]? labels = null, float[][]? forecasts = null, bool bounds = true,
                                    string[]? series = null)
    {
        labels ??= Labels;
        forecasts ??= Forecasts;
        var builder = new ArrayDataView.Builder()
            .AddColumn("Label", labels)
            .AddVectors("Forecast", forecasts, forecasts[0].Length);
        if (bounds)
        {
            float[][] Shifted(float by) => forecasts.Select(r => r.Select(v => v + by).ToArray()).ToArray();
            builder.AddVectors("Lower", Shifted(-1), forecasts[0].Length);
            builder.AddVectors("Upper", Shifted(+1), forecasts[0].Length);
        }
        if (series is not null)
            builder.AddColumn("Series", series);
        return builder.Build();
    }

    [Fact]
    public void Evaluate_HandComputedExample_ExactMetrics()
    {
        var ml = new MLContext();
        var m = ml.Forecasting.Evaluate(Scored(), "Label", "Forecast", "Lower", "Upper");

        Assert.Equal(7, m.Count);
        Assert.Equal(2, m.Horizon);
        Assert.Equal(6.0 / 7, m.Mae, Precision);
        Assert.Equal(Math.Sqrt(8.0 / 7), m.Rmse, Precision);
        // Labels of the pairs: 2, 4, 3, 5 and 4, 3, 5: sum of squares 104.
        Assert.Equal(Math.Sqrt(8.0 / 104), m.Nrmse, Precision);
        // 200|e| / (|y| + |f|): step 1: 0, 200/7, 200/7, 0; step 2: 200/7, 400/8, 200/9.
        Assert.Equal((3 * 200.0 / 7 + 50 + 200.0 / 9) / 7, m.Smape, Precision);
        // Scale: mean |y_t - y_(t-1)| = (1 + 2 + 1 + 2) / 4 = 1.5.
        Assert.Equal(6.0 / 7 / 1.5, m.Mase, Precision);
        Assert.Equal(6.0 / 7, m.Coverage, Precision);   // only the error of 2 falls outside +-1
        Assert.Equal(2, m.MeanIntervalWidth, Precision);
        // Seasonal naive (m = 1: the value at the origin): step 1: |1-2|, |2-4|, |4-3|, |3-5|; step 2: |1-4|, |2-3|,
        // |4-5|.
        Assert.Equal(11.0 / 7, m.SeasonalNaiveMae, Precision);
        Assert.Equal(Math.Sqrt(21.0 / 7), m.SeasonalNaiveRmse, Precision);

        Assert.Equal([4L, 3L], m.PerHorizon.Count);
        Assert.Equal(0.5, m.PerHorizon.Mae[0], Precision);
        Assert.Equal(4.0 / 3, m.PerHorizon.Mae[1], Precision);
        Assert.Equal(Math.Sqrt(2.0 / 4), m.PerHorizon.Rmse[0], Precision);
        Assert.Equal(Math.Sqrt(6.0 / 3), m.PerHorizon.Rmse[1], Precision);
        Assert.Equal(1.0, m.PerHorizon.Coverage[0], Precision);
        Assert.Equal(2.0 / 3, m.PerHorizon.Coverage[1], Precision);
        Assert.Equal(6.0 / 4, m.PerHorizon.SeasonalNaiveMae[0], Precision);
        Assert.Equal(5.0 / 3, m.PerHorizon.SeasonalNaiveMae[1], Precision);
        Assert.Equal(0.5 / 1.5, m.PerHorizon.Mase[0], Precision);
        Assert.Equal(2 * 200.0 / 7 / 4, m.PerHorizon.Smape[0], Precision);

        string text = m.ToString();
        Assert.Contains("MAE 0.857143", text);
        Assert.Contains("Seasonal naive: MAE 1.57143", text);
        Assert.Contains("coverage 85.71", text);
    }

    public sealed class ScoredRow
    {
        public float Label { get; set; }

        [VectorType(2)]
        public float[] Forecast { get; set; } = [];

        public string Series { get; set; } = "";
    }

    [Fact]
    public void Evaluate_MlNetViewWithKeySeries_SameAsArrayView()
    {
        var ml = new MLContext();
        var rows = Labels.SelectMany((v, t) => new[]
        {
            new ScoredRow { Label = v, Forecast = Forecasts[t], Series = "a" },
            new ScoredRow { Label = v, Forecast = Forecasts[t], Series = "b" },
        }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        data = ml.Transforms.Conversion.MapValueToKey("SeriesKey", "Series").Fit(data).Transform(data);
        var m = ml.Forecasting.Evaluate(data, "Label", "Forecast", seriesIdColumnName: "SeriesKey");
        var single = ml.Forecasting.Evaluate(Scored(bounds: false), "Label", "Forecast");
        Assert.Equal(2 * single.Count, m.Count);
        Assert.Equal(single.Mae, m.Mae, Precision);
        Assert.Equal(single.Mase, m.Mase, Precision);
    }

    [Fact]
    public void Evaluate_NoBounds_CoverageIsNaN()
    {
        var m = new MLContext().Forecasting.Evaluate(Scored(bounds: false), "Label", "Forecast");
        Assert.True(double.IsNaN(m.Coverage));
        Assert.True(double.IsNaN(m.MeanIntervalWidth));
        Assert.All(m.PerHorizon.Coverage, c => Assert.True(double.IsNaN(c)));
        Assert.DoesNotContain("coverage", m.ToString());
    }

    [Fact]
    public void Evaluate_TrainingData_GivesMaseScale()
    {
        var ml = new MLContext();
        var training = new ArrayDataView.Builder().AddColumn("Label", [0f, 2, 0, 2]).Build();
        var m = ml.Forecasting.Evaluate(Scored(), "Label", "Forecast", trainingData: training);
        Assert.Equal(6.0 / 7 / 2, m.Mase, Precision);
    }

    [Fact]
    public void Evaluate_Seasonality2_ScaleAndNaiveOneSeasonBack()
    {
        var m = new MLContext().Forecasting.Evaluate(Scored(), "Label", "Forecast", seasonality: 2);
        // Scale: |4-1|, |3-2|, |5-4| -> 5/3.
        Assert.Equal(6.0 / 7 / (5.0 / 3), m.Mase, Precision);
        // Step 1 uses y_(t-1) (origin 0 has none): |1-4|, |2-3|, |4-5|; step 2 uses y_t: |1-4|, |2-3|, |4-5|.
        Assert.Equal(10.0 / 6, m.SeasonalNaiveMae, Precision);
        Assert.Equal([5.0 / 3, 5.0 / 3], m.PerHorizon.SeasonalNaiveMae);
        Assert.Equal(7, m.Count);
    }

    [Fact]
    public void Evaluate_SeveralSeries_PairsStayInTheirSeries()
    {
        // Two interleaved copies of the example: every metric equals the single-series one, with twice the pairs.
        var labels = Labels.SelectMany(v => new[] { v, v }).ToArray();
        var forecasts = Forecasts.SelectMany(r => new[] { r, r }).ToArray();
        var series = labels.Select((_, i) => i % 2 == 0 ? "a" : "b").ToArray();
        var m = new MLContext().Forecasting.Evaluate(Scored(labels, forecasts, series: series), "Label", "Forecast",
                                                     "Lower", "Upper", seriesIdColumnName: "Series");
        Assert.Equal(14, m.Count);
        Assert.Equal(6.0 / 7, m.Mae, Precision);
        Assert.Equal(6.0 / 7 / 1.5, m.Mase, Precision);
        Assert.Equal(11.0 / 7, m.SeasonalNaiveMae, Precision);

        var mixed = new MLContext().Forecasting.Evaluate(Scored(labels, forecasts), "Label", "Forecast");
        Assert.NotEqual(6.0 / 7, mixed.Mae, Precision);   // without the id, rows of both series would be mixed up
    }

    [Fact]
    public void Evaluate_MissingLabels_PairsSkipped()
    {
        float[] labels = [1, 2, float.NaN, 3, 5];
        var m = new MLContext().Forecasting.Evaluate(Scored(labels, bounds: false), "Label", "Forecast");
        // Pairs targeting row 2 (origin 1 step 1, origin 0 step 2) are left out: errors 0, 0 | 2, -1.
        Assert.Equal(5, m.Count);
        Assert.Equal(4.0 / 5, m.Mae, Precision);
    }

    [Fact]
    public void Evaluate_SeveralTargets_TargetMajorAndPooled()
    {
        // Target 1 is target 0 times 10: its errors and MASE scale are 10 times larger, so MASE is unchanged.
        var labels = Labels.Select(v => new[] { v, 10 * v }).ToArray();
        var forecasts = Forecasts.Select(r => new[] { r[0], r[1], 10 * r[0], 10 * r[1] }).ToArray();
        var data = new ArrayDataView.Builder()
            .AddVectors("Label", labels, 2)
            .AddVectors("Forecast", forecasts, 4)
            .Build();
        var m = new MLContext().Forecasting.Evaluate(data, "Label", "Forecast", targetCount: 2);
        Assert.Equal(2, m.Horizon);
        Assert.Equal(2, m.TargetCount);
        Assert.Equal(14, m.Count);
        Assert.Equal((6.0 + 60) / 14, m.Mae, Precision);
        Assert.Equal(6.0 / 7 / 1.5, m.Mase, Precision);
        Assert.Equal([8L, 6L], m.PerHorizon.Count);

        // The same targets as separate columns, as the trainers' additionalTargetColumnNames.
        var columns = new ArrayDataView.Builder()
            .AddColumn("Label", Labels)
            .AddColumn("Label2", Labels.Select(v => 10 * v).ToArray())
            .AddVectors("Forecast", forecasts, 4)
            .Build();
        var separate = new MLContext().Forecasting.Evaluate(columns, "Label", "Forecast",
                                                            additionalLabelColumnNames: ["Label2"]);
        Assert.Equal(m.Mae, separate.Mae, Precision);
        Assert.Equal(m.Mase, separate.Mase, Precision);
        Assert.Equal(2, separate.TargetCount);
        Assert.Throws<ArgumentException>(() =>
            new MLContext().Forecasting.Evaluate(columns, "Label", "Forecast", targetCount: 3,
                                                 additionalLabelColumnNames: ["Label2"]));
    }

    [Fact]
    public void Evaluate_BadArguments_ClearErrors()
    {
        var ml = new MLContext();
        var data = Scored();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.Evaluate(data, "Load", "Forecast"));
        Assert.Equal("Could not find label column 'Load'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.Evaluate(data, "Label", "Label"));
        Assert.Equal("Schema mismatch for forecast column 'Label': expected Vector<Single>, got Single", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.Forecasting.Evaluate(data, "Label", "Forecast", targetCount: 2));
        Assert.Equal("Schema mismatch for label column 'Label': expected Vector<Single, 2>, got Single", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.Forecasting.Evaluate(data, "Label", "Forecast", seriesIdColumnName: "Lower"));
        Assert.Equal("Schema mismatch for series id column 'Lower': expected String, got Vector<Single, 2>", e.Message);
        Assert.Throws<ArgumentException>(
            () => ml.Forecasting.Evaluate(data, "Label", "Forecast", lowerBoundColumnName: "Lower"));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => ml.Forecasting.Evaluate(data, "Label", "Forecast", seasonality: 0));
        Assert.Throws<ArgumentNullException>(() => ml.Forecasting.Evaluate(null!, "Label", "Forecast"));
    }
}
