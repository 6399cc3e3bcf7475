// Written as a user's file that imports Microsoft.ML, our package and Microsoft.ML.TimeSeries's namespace together. It
// sits in a namespace outside Microsoft.ML on purpose: C# searches the enclosing namespaces (Microsoft.ML.R2DN, ...)
// for extension methods before the using directives, so a test inside Microsoft.ML.R2DN.* would not resolve calls as a
// user's application does. That this file compiles shows that none of its calls is ambiguous (no CS0121).
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.TimeSeries;

namespace UserApplication.Coexistence;

public sealed class CoexistenceTests
{
    public sealed class Observation
    {
        public string Series { get; set; } = "";
        public float Drive { get; set; }
        public float Output { get; set; }
    }

    public sealed class ForecastOutput
    {
        public float[] Forecast { get; set; } = [];
    }

    private static (MLContext Ml, IDataView Data, TransformerChain<ForecastingTransformer> Model) Trained()
    {
        var ml = new MLContext(seed: 1);
        var rows = Microsoft.ML.R2DN.Samples.SampleData.NonlinearSystem(length: 300, series: 2).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.NormalizeMeanVariance("Drive")
            .Append(ml.Forecasting.R2DN(new R2dnForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 3, FeatureColumnNames = ["Drive"],
                SeriesIdColumnName = "Series", Epochs = 1,
            }))
            .Fit(data);
        return (ml, data, model);
    }

    // The call every ML.NET time-series sample writes: model.CreateTimeSeriesEngine<TSrc, TDst>(mlContext), on an SSA
    // model held as ITransformer (as mlContext.Model.Load returns it). It must reach ML.NET's engine, not ours.
    [Fact]
    public void An_SSA_model_typed_ITransformer_called_with_an_MLContext_reaches_ML_NETs_engine()
    {
        var ml = new MLContext(seed: 1);
        ITransformer ssa = new SsaForecastingTransformer();
        object engine;
        try
        {
            engine = ssa.CreateTimeSeriesEngine<Observation, ForecastOutput>(ml);
        }
        catch (ArgumentException e)
        {
            Assert.Fail("With Microsoft.ML.Transforms.TimeSeries imported, " +
                        "ssaModel.CreateTimeSeriesEngine<TSrc, TDst>(mlContext) resolved to Microsoft.ML.R2DN's " +
                        $"extension, which refused the SSA model: {e.Message}");
            return;
        }
        var mlNet = Assert.IsType<TimeSeriesPredictionEngine<Observation, ForecastOutput>>(engine);
        Assert.Same(ssa, mlNet.Transformer);
    }

    // The same with the SSA model's own type, as `var model = pipeline.Fit(data)` holds it.
    [Fact]
    public void An_SSA_model_of_its_own_type_reaches_ML_NETs_engine()
    {
        var ml = new MLContext(seed: 1);
        var ssa = new SsaForecastingTransformer();
        object engine;
        try
        {
            engine = ssa.CreateTimeSeriesEngine<Observation, ForecastOutput>(ml);
        }
        catch (ArgumentException e)
        {
            Assert.Fail(
                $"ssaModel.CreateTimeSeriesEngine(mlContext) reached Microsoft.ML.R2DN's extension: {e.Message}");
            return;
        }
        Assert.IsType<TimeSeriesPredictionEngine<Observation, ForecastOutput>>(engine);
    }

    [Fact]
    public void An_SSA_model_called_with_an_IHostEnvironment_reaches_ML_NETs_engine()
    {
        IHostEnvironment env = new MLContext(seed: 1);
        ITransformer ssa = new SsaForecastingTransformer();
        TimeSeriesPredictionEngine<Observation, ForecastOutput> engine =
            ssa.CreateTimeSeriesEngine<Observation, ForecastOutput>(env);
        Assert.Same(ssa, engine.Transformer);
    }

    [Fact]
    public void ML_NETs_options_overload_is_untouched()
    {
        var ml = new MLContext(seed: 1);
        ITransformer ssa = new SsaForecastingTransformer();
        TimeSeriesPredictionEngine<Observation, ForecastOutput> engine =
            ssa.CreateTimeSeriesEngine<Observation, ForecastOutput>(ml, new PredictionEngineOptions());
        Assert.Same(ssa, engine.Transformer);
    }

    // Ours stays reachable, without ambiguity, in the same file: through the ForecastingTransformer
    // (model.LastTransformer or loaded.GetForecaster()), the fitted chain, and the static call on any ITransformer (a
    // loaded model).
    [Fact]
    public void Our_forecaster_is_reached_through_its_type_its_chain_or_the_static_call()
    {
        var (ml, data, model) = Trained();
        var rows = ml.Data.CreateEnumerable<Observation>(data, reuseRowObject: false).Take(30).ToList();

        object viaTransformer = model.LastTransformer.CreateTimeSeriesEngine<Observation, ForecastOutput>(ml);
        Assert.IsType<ForecastingEngine<Observation, ForecastOutput>>(viaTransformer);
        object viaChain = model.CreateTimeSeriesEngine<Observation, ForecastOutput>(ml);
        var engine = Assert.IsType<ForecastingEngine<Observation, ForecastOutput>>(viaChain);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        ITransformer loaded = ml.Model.Load(stream, out _);
        ForecastingEngine<Observation, ForecastOutput> viaStatic =
            ForecastingEngineExtensions.CreateTimeSeriesEngine<Observation, ForecastOutput>(loaded, ml);
        object viaLoadedForecaster = loaded.GetForecaster().CreateTimeSeriesEngine<Observation, ForecastOutput>(ml);
        Assert.IsType<ForecastingEngine<Observation, ForecastOutput>>(viaLoadedForecaster);

        // The engine from the chain and the one from the reloaded chain (static call, the normalisation included)
        // agree.
        ForecastOutput? a = null, b = null;
        foreach (var o in rows)
        {
            a = engine.Predict(o);
            b = viaStatic.Predict(o);
        }
        Assert.Equal(a!.Forecast, b!.Forecast);
    }
}
