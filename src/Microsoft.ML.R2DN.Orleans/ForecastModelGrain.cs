using Microsoft.Extensions.Options;

namespace Microsoft.ML.R2DN.Orleans;

/// <summary>Records deployments: checks a new model against the one in service, stores it, and switches its own
/// silo at once (the others follow within the refresh interval).</summary>
internal sealed class ForecastModelGrain : Grain, IForecastModelGrain
{
    private readonly IPersistentState<DeploymentRecord> _stored;
    private readonly ModelCatalog _models;

    public ForecastModelGrain(IGrainContext context, IPersistentStateFactory states, ModelCatalog models,
                              IOptions<R2dnServingOptions> options)
    {
        var configuration = new GrainStateConfiguration("deployment", options.Value.StorageName);
        _stored = states.Create<DeploymentRecord>(context, configuration);
        _models = models;
    }

    public Task<ModelDeployment?> GetDeployment() => Task.FromResult(_stored.State.Current);

    public async Task<ModelDeployment> Deploy(string modelPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var model = _models.Load(modelPath);
        model.CheckCanReplace(_models.Current);
        var last = _stored.State.Current ?? _models.Initial;
        var deployment = new ModelDeployment(last.Version + 1, modelPath, model.ModelId, DateTime.UtcNow);
        _stored.State.Current = deployment;
        await _stored.WriteStateAsync();
        _models.Use(model, deployment);
        return deployment;
    }
}
