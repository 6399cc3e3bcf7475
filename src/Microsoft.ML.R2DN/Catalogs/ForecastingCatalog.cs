namespace Microsoft.ML.R2DN;

/// <summary>Time-series forecasting and simulation with robust recurrent models: <c>MLContext.Forecasting</c>.</summary>
public sealed class ForecastingCatalog
{
    internal ForecastingCatalog(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
    }
}
