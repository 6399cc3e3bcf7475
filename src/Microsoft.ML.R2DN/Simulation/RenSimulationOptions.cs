namespace Microsoft.ML.R2DN.Simulation;

/// <summary>Every setting of the REN simulator, for
/// <see cref="R2dnCatalog.SimulateREN(ForecastingCatalog, RenSimulationOptions)"/>;
/// the settings are described on <see cref="RecurrentSimulationOptions"/>.</summary>
public sealed class RenSimulationOptions : RecurrentSimulationOptions
{
    internal override ModelKind Kind => ModelKind.Ren;
}
