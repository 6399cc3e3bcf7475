using Microsoft.ML.Runtime;

namespace Microsoft.ML.R2DN;

/// <summary>Creates <see cref="ForecastingEngine{TSrc, TDst}"/>s from trained or loaded forecasters, and finds the
/// R2DN/REN transformer in a model.</summary>
/// <remarks>
/// <para>Microsoft.ML.TimeSeries (which users may add beside this package) has an extension of the same name,
/// <c>CreateTimeSeriesEngine&lt;TSrc, TDst&gt;(this ITransformer, IHostEnvironment, bool = false, …)</c> in
/// <c>Microsoft.ML.Transforms.TimeSeries</c>. The ones here take the same <see cref="IHostEnvironment"/> (an
/// <see cref="MLContext"/>) on a receiver that is either less specific than <see cref="ITransformer"/>
/// (<see cref="ICanSaveModel"/>) or one of this package's types: so with both namespaces imported, a call on an
/// <see cref="ITransformer"/> (an SSA model, or a loaded model of ours) resolves to ML.NET's without ambiguity, and a
/// call on a <see cref="ForecastingTransformer"/> or a fitted chain ending with one resolves to this one. Without the
/// TimeSeries namespace every call resolves here. To reach this engine from a loaded <see cref="ITransformer"/> in a
/// file that imports both, call it as a static method:
/// <c>ForecastingEngineExtensions.CreateTimeSeriesEngine&lt;TSrc, TDst&gt;(loaded, ml)</c>.</para>
/// </remarks>
public static class ForecastingEngineExtensions
{
    /// <summary>Creates an engine that forecasts one observation at a time with <paramref name="model"/>.</summary>
    /// <typeparam name="TSrc">The observation class (see <see cref="ForecastingEngine{TSrc, TDst}"/>).</typeparam>
    /// <typeparam name="TDst">The prediction class, with a <see cref="float"/>[] member for the forecast
    /// column.</typeparam>
    /// <param name="model">A <see cref="ForecastingTransformer"/>, or a chain (a fitted pipeline, or a model loaded
    /// with <c>mlContext.Model.Load</c>) whose last part is one: the transformers before it are applied to each
    /// observation (for example a normalisation). Not null.</param>
    /// <param name="env">The <see cref="MLContext"/>; not null.</param>
    /// <returns>The engine. It starts where the model left off, as ML.NET's engines do: every series at the state
    /// after its last training row (or at its checkpointed state, for a model saved by
    /// <see cref="ForecastingEngine{TSrc, TDst}.CheckPoint(MLContext, string)"/>), so its first <c>Predict()</c>
    /// forecasts the steps after the last training row.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no forecaster, or has transformers after it,
    /// or <paramref name="env"/> is not an <see cref="MLContext"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><typeparamref name="TSrc"/> lacks a column the model reads, or
    /// has it with the wrong type; or <typeparamref name="TDst"/> has no member for the forecast column.</exception>
    /// <exception cref="FormatException">A loaded model's R2DN/REN part is damaged or its certificate
    /// fails.</exception>
    /// <example><code>
    /// var model = ml.Forecasting.R2DN("Forecast", "Load", horizon: 24).Fit(history);
    /// var engine = model.CreateTimeSeriesEngine&lt;LoadRow, LoadForecast&gt;(ml);
    /// LoadForecast nextDay = engine.Predict();                 // the 24 steps after the last row of history
    /// engine.CheckPoint(ml, "load-r2dn.zip");
    /// LoadForecast updated = engine.Predict(new LoadRow { Load = 512f, Temperature = 21f, Hour = 13 });
    /// </code>
    /// The whole flow, after ML.NET's bike-demand tutorial: examples/BikeDemandForecast.</example>
    public static ForecastingEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(
        this ICanSaveModel model, IHostEnvironment env)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(env);
        var ml = env as MLContext ?? throw new ArgumentException("The environment must be an MLContext.", nameof(env));
        if (model is not ITransformer transformer)
            throw new ArgumentException($"'{model.GetType().Name}' is not a transformer.", nameof(model));
        var (prefix, forecaster) = SeriesForecaster.Recover(transformer, nameof(model));
        return new ForecastingEngine<TSrc, TDst>(ml, prefix, forecaster);
    }

    /// <summary>Creates an engine for a forecaster (see
    /// <see cref="CreateTimeSeriesEngine{TSrc, TDst}(ICanSaveModel, IHostEnvironment)"/>).</summary>
    /// <typeparam name="TSrc">The observation class.</typeparam>
    /// <typeparam name="TDst">The prediction class.</typeparam>
    /// <param name="model">The forecaster; not null.</param>
    /// <param name="env">The <see cref="MLContext"/>; not null.</param>
    /// <returns>The engine.</returns>
    public static ForecastingEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(
        this ForecastingTransformer model, IHostEnvironment env)
        where TSrc : class
        where TDst : class, new() => CreateTimeSeriesEngine<TSrc, TDst>((ICanSaveModel)model, env);

    /// <summary>Creates an engine for a fitted pipeline that ends with a forecaster (see
    /// <see cref="CreateTimeSeriesEngine{TSrc, TDst}(ICanSaveModel, IHostEnvironment)"/>).</summary>
    /// <typeparam name="TSrc">The observation class.</typeparam>
    /// <typeparam name="TDst">The prediction class.</typeparam>
    /// <param name="model">The fitted chain; not null.</param>
    /// <param name="env">The <see cref="MLContext"/>; not null.</param>
    /// <returns>The engine.</returns>
    public static ForecastingEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(
        this TransformerChain<ForecastingTransformer> model, IHostEnvironment env)
        where TSrc : class
        where TDst : class, new() => CreateTimeSeriesEngine<TSrc, TDst>((ICanSaveModel)model, env);

    /// <summary>The R2DN/REN forecaster in <paramref name="model"/>: the transformer itself, the last part of a fitted
    /// chain, or the ML.NET form of one that <c>mlContext.Model.Load</c> returned (rebuilt from the file, its
    /// certificate re-verified).</summary>
    /// <param name="model">The model; not null.</param>
    /// <returns>The forecaster.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no forecaster.</exception>
    /// <exception cref="FormatException">The model's R2DN/REN part is damaged.</exception>
    public static ForecastingTransformer GetForecaster(this ITransformer model) =>
        Find<ForecastingTransformer>(model, "forecaster", out _);

    /// <summary>The R2DN/REN forecaster in <paramref name="model"/>, and the transformers that run before it (for
    /// example a normalisation of the features), as one chain, or null when there are none.</summary>
    /// <param name="model">The model; not null.</param>
    /// <param name="preprocessing">The transformers before the forecaster, or null.</param>
    /// <returns>The forecaster.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no forecaster.</exception>
    /// <exception cref="FormatException">The model's R2DN/REN part is damaged.</exception>
    public static ForecastingTransformer GetForecaster(this ITransformer model, out ITransformer? preprocessing)
    {
        var forecaster = Find<ForecastingTransformer>(model, "forecaster", out var prefix);
        preprocessing = Chain(prefix);
        return forecaster;
    }

    /// <summary>The R2DN/REN simulator in <paramref name="model"/>, and the transformers that run before it as one
    /// chain, or null when there are none.</summary>
    /// <param name="model">The model; not null.</param>
    /// <param name="preprocessing">The transformers before the simulator, or null.</param>
    /// <returns>The simulator.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no simulator.</exception>
    /// <exception cref="FormatException">The model's R2DN/REN part is damaged.</exception>
    public static SimulationTransformer GetSimulator(this ITransformer model, out ITransformer? preprocessing)
    {
        var simulator = Find<SimulationTransformer>(model, "simulator", out var prefix);
        preprocessing = Chain(prefix);
        return simulator;
    }

    /// <summary>The R2DN/REN simulator in <paramref name="model"/> (see
    /// <see cref="GetForecaster(ITransformer)"/>).</summary>
    /// <param name="model">The model; not null.</param>
    /// <returns>The simulator.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no simulator.</exception>
    /// <exception cref="FormatException">The model's R2DN/REN part is damaged.</exception>
    public static SimulationTransformer GetSimulator(this ITransformer model) =>
        Find<SimulationTransformer>(model, "simulator", out _);

    // The R2DN/REN transformer of type T in model (what: its name in the message), and the transformers before it.
    private static T Find<T>(ITransformer model, string what, out ITransformer[] prefix) where T : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!MlNetCarrier.TryRecover(model, out prefix, out var found) || found is not T recovered)
            throw new ArgumentException($"The model holds no R2DN/REN {what} (it is '{model.GetType().Name}').",
                                        nameof(model));
        return recovered;
    }

    private static ITransformer? Chain(ITransformer[] prefix) =>
        prefix.Length == 0 ? null : new TransformerChain<ITransformer>(prefix);
}
