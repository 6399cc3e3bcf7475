using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The model a silo serves, loaded once and shared by all its grains; it asks the model grain for a newer
/// deployment at most once per <see cref="R2dnServingOptions.ModelRefreshInterval"/>.</summary>
/// <remarks>A grain takes the current model at the start of each call and finishes the call with it, so a deployment
/// never changes the model under a call in progress.</remarks>
internal sealed class ModelCatalog
{
    private readonly MLContext _ml = new(seed: 0);
    private readonly R2dnServingOptions _options;
    private readonly IGrainFactory _grains;
    private readonly ILogger<ModelCatalog> _log;
    private readonly Lock _lock = new();
    private volatile SeriesForecaster _current;
    private long _nextCheck;
    private Task? _refresh;

    public ModelCatalog(IOptions<R2dnServingOptions> options, IGrainFactory grains, ILogger<ModelCatalog> log)
    {
        _options = options.Value;
        _grains = grains;
        _log = log;
        _current = SeriesForecaster.Load(_ml, _options.ModelPath);
        Initial = new ModelDeployment(0, _options.ModelPath, _current.ModelId, DateTime.UtcNow);
        _log.LogInformation("R2DN serving: loaded {Path} (model {ModelId}).", _options.ModelPath, _current.ModelId);
    }

    /// <summary>The model of <see cref="R2dnServingOptions.ModelPath"/>, as deployment 0.</summary>
    public ModelDeployment Initial { get; }

    /// <summary>The model in service now, without asking the model grain.</summary>
    public SeriesForecaster Current => _current;

    /// <summary>The model in service, after asking the model grain when the refresh interval has passed.</summary>
    public async ValueTask<SeriesForecaster> CurrentAsync()
    {
        if (Environment.TickCount64 < Interlocked.Read(ref _nextCheck)) return _current;
        Task refresh;
        lock (_lock) refresh = _refresh ??= RefreshAsync();
        await refresh;
        return _current;
    }

    /// <summary>Loads a model file for a deployment (the model grain checks it before recording it).</summary>
    public SeriesForecaster Load(string path) => SeriesForecaster.Load(_ml, path);

    /// <summary>Serves <paramref name="model"/> from now on.</summary>
    public void Use(SeriesForecaster model, ModelDeployment deployment)
    {
        _current = model;
        _log.LogInformation("R2DN serving: now serving deployment {Version}, {Path} (model {ModelId}).",
                            deployment.Version, deployment.ModelPath, model.ModelId);
    }

    private async Task RefreshAsync()
    {
        try
        {
            var deployment = await _grains.GetGrain<IForecastModelGrain>(0).GetDeployment();
            if (deployment is not null && deployment.ModelId != _current.ModelId)
            {
                var model = Load(deployment.ModelPath);
                if (model.ModelId != deployment.ModelId)
                    _log.LogWarning("R2DN serving: {Path} changed since it was deployed (model {Found}, deployed " +
                                    "{Deployed}).", deployment.ModelPath, model.ModelId, deployment.ModelId);
                Use(model, deployment);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Serving goes on with the model it has: a deployment that cannot be read now is retried next interval.
            _log.LogWarning(e, "R2DN serving: could not check for a new model deployment.");
        }
        finally
        {
            lock (_lock)
            {
                long next = Environment.TickCount64 + (long)_options.ModelRefreshInterval.TotalMilliseconds;
                Interlocked.Exchange(ref _nextCheck, next);
                _refresh = null;
            }
        }
    }
}
