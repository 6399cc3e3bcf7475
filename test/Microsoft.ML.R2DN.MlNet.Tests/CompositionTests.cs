using System.Globalization;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.R2DN.MlNet.Tests;

/// <summary>Issue 9, item 4: real ML.NET transforms before ours in one Append pipeline, and ML.NET consuming our output
/// after it (CreateEnumerable, SaveAsText, caching, a regression trainer fed from the forecast vector).</summary>
public sealed class CompositionTests
{
    private sealed class ScoredRow
    {
        public string Series { get; set; } = "";
        public float Drive { get; set; }
        public float Output { get; set; }
        public uint SeriesKey { get; set; }
        [VectorType(2)] public float[] Inputs { get; set; } = [];
        public float[] Forecast { get; set; } = [];
        public float[] Lower { get; set; } = [];
        public float[] Upper { get; set; } = [];
    }

    // Every 23rd drive value missing: ReplaceMissingValues has work to do.
    private static IDataView GappyData(MLContext ml) =>
        ml.Data.LoadFromEnumerable(TestData.Rows().Select((r, i) =>
        {
            if (i % 23 == 7) r.Drive = float.NaN;
            return r;
        }).ToList());

    private static EstimatorChain<ForecastingTransformer> Pipeline(MLContext ml) =>
        ml.Transforms.ReplaceMissingValues("Drive",
                                           replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Drive"))
            .Append(ml.Transforms.Concatenate("Inputs", "Drive", "Output"))
            .Append(ml.Transforms.Conversion.MapValueToKey("SeriesKey", "Series"))
            .Append(ml.Forecasting.R2DN(TestData.R2dn(seriesId: "SeriesKey")));

    [Fact]
    public void ML_NET_transforms_before_ours_in_one_Append_pipeline()
    {
        var ml = new MLContext(seed: 1);
        var data = GappyData(ml);
        TransformerChain<ForecastingTransformer> model = Pipeline(ml).Fit(data);
        Assert.IsType<ForecastingTransformer>(model.LastTransformer);
        Assert.Equal("SeriesKey", model.LastTransformer.SeriesIdColumnName);

        var rows = ml.Data.CreateEnumerable<ScoredRow>(model.Transform(data), reuseRowObject: false).ToList();
        Assert.Equal(TestData.Length * TestData.SeriesCount, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.True(float.IsFinite(r.Drive), "ReplaceMissingValues ran before the forecaster");
            Assert.Equal([r.Drive, r.Output], r.Inputs);   // an upstream vector column passes through ours
            Assert.Equal(4, r.Forecast.Length);
            for (int i = 0; i < 4; i++)
                Assert.True(r.Lower[i] <= r.Forecast[i] && r.Forecast[i] <= r.Upper[i]);
        });
        Assert.Equal([1u, 2u], rows.Select(r => r.SeriesKey).Distinct().Order());
        // NormalizeMeanVariance ran: the drive is standardised (its mean is near 0, its spread near 1).
        double mean = rows.Average(r => r.Drive);
        double sd = Math.Sqrt(rows.Average(r => (r.Drive - mean) * (r.Drive - mean)));
        Assert.InRange(sd, 0.5, 2.0);
    }

    [Fact]
    public void GetOutputSchema_of_a_chain_containing_ours_works_before_fitting()
    {
        var ml = new MLContext(seed: 1);
        var data = GappyData(ml);
        var pipeline = Pipeline(ml).Append(ml.Transforms.Concatenate("Features", "Forecast", "Inputs"));
        SchemaShape shape = pipeline.GetOutputSchema(Shapes.Of(data));
        var forecast = shape.Single(c => c.Name == "Forecast");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, forecast.Kind);
        Assert.Equal(NumberDataViewType.Single, forecast.ItemType);
        Assert.Contains(shape, c => c.Name == "Lower" && c.Kind == SchemaShape.Column.VectorKind.Vector);
        Assert.Contains(shape, c => c.Name == "Upper" && c.Kind == SchemaShape.Column.VectorKind.Vector);
        Assert.Contains(shape, c => c.Name == "SeriesKey" && c.IsKey);
        Assert.Contains(shape, c => c.Name == "Features" && c.Kind == SchemaShape.Column.VectorKind.Vector
                                    && c.ItemType == NumberDataViewType.Single);

        // The simulator's estimator too, in a chain.
        var simulation = ml.Transforms.NormalizeMeanVariance("Drive")
            .Append(ml.Forecasting.SimulateR2DN(outputColumnNames: ["Output"], inputColumnNames: ["Drive"],
                                                seriesIdColumnName: "Series", epochs: 1));
        var simulated = simulation.GetOutputSchema(Shapes.Of(data)).Single(c => c.Name == "OutputPredicted");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, simulated.Kind);
        Assert.Equal(NumberDataViewType.Single, simulated.ItemType);

        // The fitted model's schema agrees, with the vector size known.
        var model = pipeline.Fit(data);
        var fitted = model.GetOutputSchema(data.Schema);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 4), fitted["Forecast"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 6), fitted["Features"].Type);
    }

    [Fact]
    public void SaveAsText_writes_our_columns_with_the_values_CreateEnumerable_reads()
    {
        var ml = new MLContext(seed: 1);
        var data = GappyData(ml);
        var scored = Pipeline(ml).Fit(data).Transform(data);
        var expected = TestData.Forecasts(ml, scored);

        using var stream = new MemoryStream();
        var selected = ml.Transforms.SelectColumns("Forecast", "Lower", "Upper").Fit(scored).Transform(scored);
        ml.Data.SaveAsText(selected, stream, separatorChar: ',', headerRow: true, schema: false);
        var lines = System.Text.Encoding.UTF8.GetString(stream.ToArray())
                          .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // ML.NET writes a header line only when it can name every field; the data lines are one per row either way.
        static bool IsNumber(string v) => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        var fields = lines.Select(l => l.TrimEnd('\r').Split(',')).Where(f => f.All(IsNumber)).ToList();
        Assert.InRange(lines.Length - fields.Count, 0, 1);
        Assert.Equal(expected.Count, fields.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var values = fields[i].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(expected[i].Forecast.Concat(expected[i].Lower!).Concat(expected[i].Upper!), values);
        }
    }

    [Fact]
    public void Cache_of_our_output_reads_the_same_values_twice()
    {
        var ml = new MLContext(seed: 1);
        var data = GappyData(ml);
        var scored = Pipeline(ml).Fit(data).Transform(data);
        var expected = TestData.Bits(TestData.Forecasts(ml, scored));
        var cached = ml.Data.Cache(scored);
        Assert.Equal(expected, TestData.Bits(TestData.Forecasts(ml, cached)));
        Assert.Equal(expected, TestData.Bits(TestData.Forecasts(ml, cached)));
    }

    // The ML.NET trainer learns the next output from our forecast vector; AppendCacheCheckpoint between them, as ML.NET
    // recommends before a multi-pass trainer. One Append chain from the raw data to the regression model.
    [Fact]
    public void An_ML_NET_regression_trainer_learns_from_our_forecast_vector()
    {
        var ml = new MLContext(seed: 1);
        var data = GappyData(ml);
        var sdca = ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
        {
            LabelColumnName = "Next", FeatureColumnName = "Forecast", NumberOfThreads = 1,
            MaximumNumberOfIterations = 20,
        });
        var model = Pipeline(ml).AppendCacheCheckpoint(ml).Append(sdca).Fit(data);
        var weights = model.LastTransformer.Model.Weights;
        Assert.Equal(4, weights.Count);
        Assert.All(weights, w => Assert.True(float.IsFinite(w)));

        var metrics = ml.Regression.Evaluate(model.Transform(data), labelColumnName: "Next");
        Assert.True(double.IsFinite(metrics.RootMeanSquaredError) && metrics.RootMeanSquaredError > 0);
        // Better than predicting the mean: the forecast vector carries the future value.
        Assert.True(metrics.RSquared > 0, $"R² {metrics.RSquared}");
    }

    // A model reloaded with mlContext.Model.Load is ML.NET's own chain; its output feeds ML.NET's consumers exactly as
    // the in-memory model's does: the same Sdca weights, bit for bit, trained with the same seed on either.
    [Fact]
    public void A_reloaded_models_output_feeds_ML_NET_consumers_like_the_in_memory_ones()
    {
        var ml = new MLContext(seed: 1);
        var data = GappyData(ml);
        var model = Pipeline(ml).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = ml.Model.Load(stream, out _);

        float[] Weights(IDataView scored)
        {
            var context = new MLContext(seed: 5);
            var sdca = context.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = "Next", FeatureColumnName = "Forecast", NumberOfThreads = 1,
                MaximumNumberOfIterations = 10,
            });
            var cached = context.Data.Cache(scored);
            return [.. sdca.Fit(cached).Model.Weights];
        }

        var inMemory = model.Transform(data);
        var reloaded = loaded.Transform(data);
        var expected = TestData.Bits(TestData.Forecasts(ml, inMemory));
        Assert.Equal(expected, TestData.Bits(TestData.Forecasts(ml, reloaded)));
        Assert.Equal(expected, TestData.Bits(TestData.Forecasts(ml, ml.Data.Cache(reloaded))));
        Assert.Equal(Weights(inMemory).Select(BitConverter.SingleToUInt32Bits),
                     Weights(reloaded).Select(BitConverter.SingleToUInt32Bits));
    }
}
