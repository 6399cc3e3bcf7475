using Microsoft.Extensions.Options;

namespace Microsoft.ML.R2DN.Orleans;

/// <summary>One series: its <see cref="SeriesState"/> in memory while active, and in grain storage after every
/// acknowledged update (or every <see cref="R2dnServingOptions.WriteEvery"/>-th).</summary>
internal sealed class ForecastSeriesGrain : Grain, IForecastSeriesGrain
{
    private readonly IPersistentState<SeriesRecord> _stored;
    private readonly ModelCatalog _models;
    private readonly int _writeEvery;
    private SeriesState? _state;
    private int _unwritten;

    public ForecastSeriesGrain(IGrainContext context, IPersistentStateFactory states, ModelCatalog models,
                               IOptions<R2dnServingOptions> options)
    {
        _stored = states.Create<SeriesRecord>(context,
            new GrainStateConfiguration("series", options.Value.StorageName));
        _models = models;
        _writeEvery = options.Value.WriteEvery;
    }

    public async Task<SeriesForecast> Observe(SeriesObservation observation, int? horizon, float? confidenceLevel,
                                              long? expectedSteps)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var model = await _models.CurrentAsync();
        var current = State(model);
        if (expectedSteps is long expected && current.Steps != expected)
        {
            if (current.Steps == expected + 1) return model.Forecast(current, horizon, confidenceLevel);   // a retry
            throw new InvalidOperationException(
                $"Series '{current.SeriesId}' is at step {current.Steps}; the update expected step {expected}: an " +
                "earlier update is missing or this one is out of order.");
        }
        // Stepped on a copy: the state in memory moves only once the update is stored (or, with WriteEvery > 1, taken).
        var next = current.Clone();
        var forecast = model.Observe(next, observation, horizon, confidenceLevel);
        if (_unwritten + 1 >= _writeEvery) await WriteAsync(next);
        else _unwritten++;
        _state = next;
        return forecast;
    }

    public async Task<SeriesForecast> Forecast(int? horizon, float? confidenceLevel)
    {
        var model = await _models.CurrentAsync();
        return model.Forecast(State(model), horizon, confidenceLevel);
    }

    public Task<SeriesStatus> GetStatus()
    {
        var state = State(_models.Current);
        var status = new SeriesStatus(state.SeriesId, state.Steps, state.ModelId, RuntimeIdentity, _unwritten);
        return Task.FromResult(status);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unwritten > 0 && _state is not null) await WriteAsync(_state);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    // The state in memory, else the stored one, else where the model starts this series (its end of training or empty).
    private SeriesState State(SeriesForecaster model)
    {
        if (_state is not null) return _state;
        string id = this.GetPrimaryKeyString();
        if (_stored.State.State is { } bytes)
        {
            var stored = SeriesState.FromBytes(bytes);
            if (stored.SeriesId != id)
                throw new FormatException($"The stored state of series '{id}' belongs to series '{stored.SeriesId}'.");
            return _state = stored;
        }
        return _state = model.Start(id);
    }

    private async Task WriteAsync(SeriesState state)
    {
        var previous = _stored.State.State;
        _stored.State.State = state.ToBytes();
        try
        {
            await _stored.WriteStateAsync();
            _unwritten = 0;
        }
        catch
        {
            // Not stored, so not acknowledged: keep the last stored state, and reload it from storage on the next call
            // (a conflicting write means another activation may hold the series).
            _stored.State.State = previous;
            DeactivateOnIdle();
            throw;
        }
    }
}
