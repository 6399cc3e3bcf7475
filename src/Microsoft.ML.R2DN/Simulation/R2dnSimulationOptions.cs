namespace Microsoft.ML.R2DN.Simulation;

/// <summary>Every setting of the R2DN simulator, for
/// <see cref="R2dnCatalog.SimulateR2DN(ForecastingCatalog, R2dnSimulationOptions)"/>; the shared settings are described
/// on
/// <see cref="RecurrentSimulationOptions"/>.</summary>
/// <example><code>
/// var options = new R2dnSimulationOptions
/// {
///     OutputColumnNames = ["Acceleration1", "Acceleration2", "Acceleration3"],
///     InputColumnNames = ["Force", "Voltage"],
///     SeriesIdColumnName = "Experiment",
/// };
/// var model = ml.Forecasting.SimulateR2DN(options).Fit(train);
/// </code></example>
public sealed class R2dnSimulationOptions : RecurrentSimulationOptions
{
    /// <summary>The hidden layer widths of the R2DN's 1-Lipschitz network, each at least 1 (empty: no hidden layer).
    /// Default null: [32, 32] when the training data has fewer than 2,000 rows, else [64, 64].</summary>
    public int[]? HiddenSizes { get => HiddenSizesOrDefault; set => HiddenSizesOrDefault = value; }

    internal override ModelKind Kind => ModelKind.R2dn;
}
