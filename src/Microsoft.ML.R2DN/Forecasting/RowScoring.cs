namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>
/// Scores the rows of a forecaster's input one at a time, in order, keeping one model state per series: the one
/// computation behind <see cref="ForecastingTransformer.Transform"/> and a saved model's ML.NET scorer, so that both
/// give the same numbers.
/// </summary>
internal sealed class ForecastRowScorer
{
    private readonly ForecastingTransformer _model;
    private readonly Dictionary<string, ForecastSeriesState> _states = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, ForecastSeriesState>? _start;
    private readonly float[] _targets, _features;
    private readonly float[]? _widths;

    /// <summary>A scorer whose series start from an empty history, or, for those in <paramref name="start"/>, from
    /// a copy of the state there (which is never changed).</summary>
    public ForecastRowScorer(ForecastingTransformer model, IReadOnlyDictionary<string,
                             ForecastSeriesState>? start = null)
    {
        _model = model;
        _start = start;
        _targets = new float[model.Core.TargetCount];
        _features = new float[model.Core.FeatureCount];
        _widths = model.Columns.HasBounds ? model.Core.TrainingHalfWidths : null;
    }

    /// <summary>The number of values per forecast (horizon × targets).</summary>
    public int OutputSize => _model.Core.OutputSize;

    /// <summary>The state of every series scored so far, by id (those of the start only once scored).</summary>
    public IReadOnlyDictionary<string, ForecastSeriesState> States => _states;

    /// <summary>Feeds row <paramref name="row"/> (targets then features, as read) to the state of series
    /// <paramref name="series"/> and writes the forecast made after it and, when the model has intervals, the
    /// bounds.</summary>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite and the model's missing-value policy
    /// cannot fill it (the message names the column and the row).</exception>
    public void Next(string series, ReadOnlySpan<float> values, long row, Span<float> forecast, Span<float> lower,
                     Span<float> upper)
    {
        var state = Observe(series, values, row);
        _model.Core.Forecaster.Decode(state.Output, state.LastTargets, forecast[..OutputSize]);
        if (_widths is not null)
            for (int i = 0; i < _widths.Length; i++)
            {
                lower[i] = forecast[i] - _widths[i];
                upper[i] = forecast[i] + _widths[i];
            }
    }

    /// <summary>Feeds row <paramref name="row"/> to the state of <paramref name="series"/>, as <see cref="Next"/> does,
    /// without decoding the forecast; returns that state.</summary>
    public ForecastSeriesState Observe(string series, ReadOnlySpan<float> values, long row)
    {
        var core = _model.Core;
        if (!_states.TryGetValue(series, out var state))
        {
            state = _start is not null && _start.TryGetValue(series, out var from) ? from.Clone() : core.Start();
            _states.Add(series, state);
        }
        int nt = _targets.Length;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v))
            {
                float last = i < nt ? state.LastTargets[i] : state.LastFeatures[i - nt];
                v = Fill(v, last, i, series, row);
            }
            if (i < nt) _targets[i] = v; else _features[i - nt] = v;
        }
        core.Observe(state, _targets, _features);
        return state;
    }

    private float Fill(float value, float last, int column, string series, long row)
    {
        var columns = _model.Columns;
        var role = columns.Values[column];
        return MissingValueFill.Fill(_model.MissingValues, value, last, role.Role, role.Name,
                                     columns.SeriesId is null ? "" : $" (series '{series}')", row);
    }
}
