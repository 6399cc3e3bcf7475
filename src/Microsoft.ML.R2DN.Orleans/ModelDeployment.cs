namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The model a cluster serves, as recorded by a deployment.</summary>
/// <param name="Version">The deployment's number: 0 for the model of <see cref="R2dnServingOptions.ModelPath"/>, then
/// 1, 2, … for each deployment.</param>
/// <param name="ModelPath">The model file.</param>
/// <param name="ModelId">The model's <see cref="Microsoft.ML.R2DN.Forecasting.SeriesForecaster.ModelId"/>.</param>
/// <param name="DeployedAt">When it was deployed (UTC).</param>
[GenerateSerializer, Immutable]
public sealed record ModelDeployment([property: Id(0)] int Version, [property: Id(1)] string ModelPath,
                                     [property: Id(2)] string ModelId, [property: Id(3)] DateTime DeployedAt);
