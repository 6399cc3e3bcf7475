namespace Microsoft.ML.R2DN;

/// <summary>Time-series forecasting and simulation with robust recurrent models: <c>MLContext.Forecasting</c>.</summary>
/// <remarks>The trainers live in ForecastingCatalog.Trainers.cs, evaluation in ForecastingCatalog.Evaluation.cs.</remarks>
public sealed partial class ForecastingCatalog
{
    internal ForecastingCatalog(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Context = context;
    }

    internal MLContext Context { get; }
}
