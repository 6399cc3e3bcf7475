using Orleans.Concurrency;

namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The cluster's record of the model it serves (one grain, key 0): a deployment names a new model file, which
/// every silo loads and moves its series to within <see cref="R2dnServingOptions.ModelRefreshInterval"/>.</summary>
public interface IForecastModelGrain : IGrainWithIntegerKey
{
    /// <summary>The last deployment, or null when none was made (the silos serve
    /// <see cref="R2dnServingOptions.ModelPath"/>).</summary>
    /// <returns>The deployment, or null.</returns>
    [AlwaysInterleave]
    Task<ModelDeployment?> GetDeployment();

    /// <summary>Deploys <paramref name="modelPath"/>: loads it, checks that it can take over the running model's
    /// series (the same input columns and series id column, states of the same layout), then records it.</summary>
    /// <param name="modelPath">The model file, readable at this path on every silo; not null or empty.</param>
    /// <returns>The new deployment.</returns>
    /// <exception cref="ArgumentException">The model reads other input columns ("Schema mismatch: …") or keeps
    /// per-series states of another layout than the running one: it is refused and the running model stays.</exception>
    /// <exception cref="FormatException">The file is damaged.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    Task<ModelDeployment> Deploy(string modelPath);
}
