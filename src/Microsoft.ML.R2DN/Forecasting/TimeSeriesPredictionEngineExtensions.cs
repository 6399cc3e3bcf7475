using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN;

/// <summary>Creates <see cref="TimeSeriesPredictionEngine{TSrc, TDst}"/>s from trained forecasters, as ML.NET's
/// <c>CreateTimeSeriesEngine</c> does.</summary>
public static class TimeSeriesPredictionEngineExtensions
{
    /// <summary>Creates an engine that forecasts one observation at a time with <paramref name="transformer"/>.</summary>
    /// <typeparam name="TSrc">The observation class (see <see cref="TimeSeriesPredictionEngine{TSrc, TDst}"/>).</typeparam>
    /// <typeparam name="TDst">The prediction class, with a <see cref="float"/>[] member for the forecast column.</typeparam>
    /// <param name="transformer">A <see cref="ForecastingTransformer"/>, or a chain (such as a fitted pipeline or a
    /// loaded model) whose last transformer is one: the transformers before it are applied to each observation (for
    /// example a normalisation). Not null.</param>
    /// <param name="ml">The context: its cancellation and its data operations are used. Not null.</param>
    /// <returns>The engine; it starts from the states of the checkpoint the model was loaded from, if any.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="transformer"/> is not, and does not end with, a
    /// <see cref="ForecastingTransformer"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><typeparamref name="TSrc"/> lacks a column the model reads, or
    /// has it with the wrong type; or <typeparamref name="TDst"/> has no member for the forecast column.</exception>
    /// <example><code>
    /// var engine = model.CreateTimeSeriesEngine&lt;LoadRow, LoadForecast&gt;(ml);
    /// LoadForecast next = engine.Predict(new LoadRow { Load = 512f, Temperature = 21f, Hour = 13 });
    /// engine.CheckPoint(ml, "load-r2dn.zip");
    /// </code></example>
    public static TimeSeriesPredictionEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(this ITransformer transformer, MLContext ml)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(ml);
        var parts = transformer is IEnumerable<ITransformer> chain ? chain.ToArray() : [transformer];
        if (parts.Length == 0 || parts[^1] is not ForecastingTransformer forecaster)
            throw new ArgumentException(
                $"A time-series engine needs a ForecastingTransformer, or a chain that ends with one; got '{(parts.Length == 0 ? "an empty chain" : parts[^1].GetType().Name)}'.",
                nameof(transformer));
        return new TimeSeriesPredictionEngine<TSrc, TDst>(ml, parts[..^1], forecaster);
    }
}
