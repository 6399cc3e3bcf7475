namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Every setting of the R2DN forecaster, for
/// <see cref="R2dnCatalog.R2DN(ForecastingCatalog, R2dnForecastingOptions)"/>.</summary>
/// <remarks>The R2DN (MODELS.md section 2) is a linear time-invariant system in feedback with a 1-Lipschitz deep
/// network; <see cref="HiddenSizes"/> are that network's hidden layers. The shared settings are described on
/// <see cref="RecurrentForecastingOptions"/>.</remarks>
/// <example><code>
/// var options = new R2dnForecastingOptions
/// {
///     OutputColumnName = "Forecast", InputColumnName = "Load", Horizon = 24,
///     FeatureColumnNames = ["Temperature"], Robustness = Robustness.Lipschitz, Gamma = 5, Epochs = 100,
/// };
/// var model = ml.Forecasting.R2DN(options).Fit(train);
/// </code></example>
public sealed class R2dnForecastingOptions : RecurrentForecastingOptions
{
    /// <summary>The hidden layer widths of the R2DN's 1-Lipschitz network, each at least 1 (empty: no hidden layer).
    /// Default null: [32, 32] when the training data has fewer than 2,000 rows, else [64, 64].</summary>
    public int[]? HiddenSizes { get => HiddenSizesOrDefault; set => HiddenSizesOrDefault = value; }

    internal override ModelKind Kind => ModelKind.R2dn;
}
