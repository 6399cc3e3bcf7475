// A stand-in for the part of Microsoft.ML.TimeSeries that meets ours in a user's file (the package is not served here):
// ML.NET's CreateTimeSeriesEngine extension, with its exact signature, in its namespace, and an SSA-like model. Users
// elsewhere add Microsoft.ML.TimeSeries beside Microsoft.ML.R2DN; these types make the compiler resolve their calls as
// it would there.
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Transforms.TimeSeries;

/// <summary>Stand-in for ML.NET's time-series prediction engine: records what it was created from.</summary>
public sealed class TimeSeriesPredictionEngine<TSrc, TDst>
    where TSrc : class
    where TDst : class, new()
{
    internal TimeSeriesPredictionEngine(ITransformer transformer, IHostEnvironment env)
    {
        Transformer = transformer;
        Environment = env;
    }

    /// <summary>The model the engine was created from.</summary>
    public ITransformer Transformer { get; }

    /// <summary>The environment it was created in.</summary>
    public IHostEnvironment Environment { get; }
}

/// <summary>Stand-in for ML.NET's <c>PredictionFunctionExtensions</c> (Microsoft.ML.TimeSeries,
/// src/Microsoft.ML.TimeSeries/ PredictionFunction.cs): both of its CreateTimeSeriesEngine overloads.</summary>
public static class PredictionFunctionExtensions
{
    /// <summary>ML.NET's signature, exactly.</summary>
    public static TimeSeriesPredictionEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(
        this ITransformer transformer, IHostEnvironment env, bool ignoreMissingColumns = false,
        SchemaDefinition inputSchemaDefinition = null!, SchemaDefinition outputSchemaDefinition = null!)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(env);
        return new TimeSeriesPredictionEngine<TSrc, TDst>(transformer, env);
    }

    /// <summary>ML.NET's second overload, exactly.</summary>
    public static TimeSeriesPredictionEngine<TSrc, TDst> CreateTimeSeriesEngine<TSrc, TDst>(
        this ITransformer transformer, IHostEnvironment env, PredictionEngineOptions options)
        where TSrc : class
        where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TimeSeriesPredictionEngine<TSrc, TDst>(transformer, env);
    }
}

/// <summary>Stand-in for ML.NET's SSA forecasting model: a transformer that copies its input (what it computes does not
/// matter here, only which engine a call reaches).</summary>
public sealed class SsaForecastingTransformer : ITransformer
{
    /// <inheritdoc/>
    public bool IsRowToRowMapper => false;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => input;

    /// <inheritdoc/>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException();
}
