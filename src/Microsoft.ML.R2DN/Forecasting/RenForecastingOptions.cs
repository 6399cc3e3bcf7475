namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Every setting of the REN forecaster, for
/// <see cref="R2dnCatalog.REN(ForecastingCatalog, RenForecastingOptions)"/>.</summary>
/// <remarks>The recurrent equilibrium network (MODELS.md section 3) is the alternative to the R2DN: its neurons
/// (<see cref="RecurrentModelOptions.NonlinearWidth"/>) solve an equilibrium at each step instead of feeding a deep
/// network. The settings are described on <see cref="RecurrentForecastingOptions"/>.</remarks>
public sealed class RenForecastingOptions : RecurrentForecastingOptions
{
    internal override ModelKind Kind => ModelKind.Ren;
}
