using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.ModelFiles;

namespace Microsoft.ML.R2DN;

/// <summary>Creates <see cref="ForecastingEngine{TSrc, TDst}"/>s from trained or loaded forecasters, and finds the
/// R2DN/REN transformer in a model.</summary>
/// <remarks>
/// <para><c>CreateTimeSeriesEngine</c> extends <see cref="ICanSaveModel"/> (which every <see cref="ITransformer"/>
/// is), not <see cref="ITransformer"/>: Microsoft.ML.TimeSeries has an extension of the same name on
/// <see cref="ITransformer"/> (namespace <c>Microsoft.ML.Transforms.TimeSeries</c>), and with both namespaces imported
/// C# picks that one, for its more specific receiver, without ambiguity. So an SSA model never reaches this engine. In
/// such a file, reach this one through <see cref="ForecastingTransformer"/> (<c>model.LastTransformer</c>) or
/// <c>loaded.GetForecaster()</c>, or call <c>ForecastingEngineExtensions.CreateTimeSeriesEngine(...)</c>.</para>
/// </remarks>
public static class ForecastingEngineExtensions
{
    /// <summary>Creates an engine that forecasts one observation at a time with <paramref name="model"/>.</summary>
    /// <typeparam name="TSrc">The observation class (see <see cref="ForecastingEngine{TSrc, TDst}"/>).</typeparam>
    /// <typeparam name="TDst">The prediction class, with a <see cref="float"/>[] member for the forecast column.</typeparam>
    /// <param name="model">A <see cref="ForecastingTransformer"/>, or a chain (a fitted pipeline, or a model loaded with
    /// <c>mlContext.Model.Load</c>) whose last part is one: the transformers before it are applied to each observation
    /// (for example a normalisation). Not null.</param>
    /// <param name="ml">The context; not null.</param>
    /// <returns>The engine; it starts from the states of the checkpoint the model was loaded from, if any.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no forecaster, or has transformers after it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><typeparamref name="TSrc"/> lacks a column the model reads, or
    /// has it with the wrong type; or <typeparamref name="TDst"/> has no member for the forecast column.</exception>
    /// <exception cref="FormatException">A loaded model's R2DN/REN part is damaged or its certificate fails.</exception>
    /// <example><code>
    /// var engine = loaded.CreateTimeSeriesEngine&lt;LoadRow, LoadForecast&gt;(ml);
    /// LoadForecast next = engine.Predict(new LoadRow { Load = 512f, Temperature = 21f, Hour = 13 });
    /// engine.CheckPoint(ml, "load-r2dn.zip");
    /// </code></example>
    public static ForecastingEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(this ICanSaveModel model, MLContext ml)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ml);
        if (model is not ITransformer transformer)
            throw new ArgumentException($"'{model.GetType().Name}' is not a transformer.", nameof(model));
        if (!MlNetCarrier.TryRecover(transformer, out var prefix, out var found) || found is not ForecastingTransformer forecaster)
            throw new ArgumentException(
                found is SimulationTransformer
                    ? "The model is a simulator (SimulateR2DN/SimulateREN): it has no forecasts to make one observation at a time; Transform whole sequences instead."
                    : $"A time-series engine needs an R2DN/REN forecaster, or a chain that ends with one; got '{transformer.GetType().Name}'.",
                nameof(model));
        return new ForecastingEngine<TSrc, TDst>(ml, prefix, forecaster);
    }

    /// <summary>The R2DN/REN forecaster in <paramref name="model"/>: the transformer itself, the last part of a fitted
    /// chain, or the ML.NET form of one that <c>mlContext.Model.Load</c> returned (rebuilt from the file, its certificate
    /// re-verified).</summary>
    /// <param name="model">The model; not null.</param>
    /// <returns>The forecaster.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no forecaster.</exception>
    /// <exception cref="FormatException">The model's R2DN/REN part is damaged.</exception>
    public static ForecastingTransformer GetForecaster(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return MlNetCarrier.TryRecover(model, out _, out var found) && found is ForecastingTransformer f ? f
            : throw new ArgumentException($"The model holds no R2DN/REN forecaster (it is '{model.GetType().Name}').", nameof(model));
    }

    /// <summary>The R2DN/REN simulator in <paramref name="model"/> (see <see cref="GetForecaster"/>).</summary>
    /// <param name="model">The model; not null.</param>
    /// <returns>The simulator.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no simulator.</exception>
    /// <exception cref="FormatException">The model's R2DN/REN part is damaged.</exception>
    public static SimulationTransformer GetSimulator(this ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return MlNetCarrier.TryRecover(model, out _, out var found) && found is SimulationTransformer s ? s
            : throw new ArgumentException($"The model holds no R2DN/REN simulator (it is '{model.GetType().Name}').", nameof(model));
    }
}
