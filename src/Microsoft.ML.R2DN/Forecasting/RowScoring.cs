using System.Globalization;
using Microsoft.ML.R2DN.Engine.Forecasting;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>
/// Scores the rows of a forecaster's input one at a time, in order, keeping one model state per series: the one
/// computation behind <see cref="ForecastingTransformer.Transform"/> and a saved model's ML.NET scorer, so that both give
/// the same numbers.
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
    public ForecastRowScorer(ForecastingTransformer model, IReadOnlyDictionary<string, ForecastSeriesState>? start = null)
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
    /// <paramref name="series"/> and writes the forecast made after it and, when the model has intervals, the bounds.</summary>
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
        return MissingValueFill.Fill(_model.MissingValues, value, last, role.Role, role.Name, columns.SeriesId is null ? "" : $" (series '{series}')", row);
    }
}

/// <summary>Scores the rows of a simulator's input one at a time, in order, one state per series (see
/// <see cref="ForecastRowScorer"/>).</summary>
internal sealed class SimulationRowScorer
{
    private readonly SimulationTransformer _model;
    private readonly Dictionary<string, (float[] X, float[] Last)> _states = new(StringComparer.Ordinal);
    private readonly float[] _u, _y, _next;

    public SimulationRowScorer(SimulationTransformer model)
    {
        _model = model;
        var m = model.Simulator.Model;
        _u = new float[m.InputSize];
        _y = new float[m.OutputSize];
        _next = new float[m.StateSize];
    }

    /// <summary>The number of predicted outputs.</summary>
    public int OutputSize => _y.Length;

    /// <summary>Feeds the inputs of row <paramref name="row"/> to the state of <paramref name="series"/> and writes
    /// the predicted outputs y_t (data units).</summary>
    public void Next(string series, ReadOnlySpan<float> inputs, long row, Span<float> outputs)
    {
        var sim = _model.Simulator;
        var m = sim.Model;
        if (!_states.TryGetValue(series, out var state))
        {
            state = (new float[m.StateSize], Enumerable.Repeat(float.NaN, _u.Length).ToArray());
            _states.Add(series, state);
        }
        for (int i = 0; i < _u.Length; i++)
        {
            float v = inputs[i];
            if (!float.IsFinite(v)) v = Fill(v, state.Last[i], i, series, row);
            state.Last[i] = v;
            _u[i] = (float)sim.InputScaling.Forward(v, i);
        }
        lock (m) m.Simulate(state.X, _u, 1, 1, _y, _next);
        _next.CopyTo(state.X, 0);
        for (int i = 0; i < _y.Length; i++) outputs[i] = (float)sim.OutputScaling.Inverse(_y[i], i);
    }

    private float Fill(float value, float last, int column, string series, long row) =>
        MissingValueFill.Fill(_model.MissingValues, value, last, ColumnChecks.InputRole, _model.InputColumnNames[column],
                              _model.SeriesIdColumnName is null ? "" : $" (series '{series}')", row);
}

/// <summary>What both scorers do with a NaN or infinite value at scoring time, where rows come one at a time.</summary>
internal static class MissingValueFill
{
    /// <summary>The value to use instead of <paramref name="value"/>: the series' last value under
    /// <see cref="MissingValuePolicy.ForwardFill"/>.</summary>
    /// <exception cref="InvalidOperationException">The policy is <see cref="MissingValuePolicy.Error"/>, or there is no
    /// earlier value to carry forward (the message names the column and the row).</exception>
    public static float Fill(MissingValuePolicy policy, float value, float last, string role, string name, string where, long row)
    {
        if (policy == MissingValuePolicy.Error)
        {
            string kind = float.IsNaN(value) ? "a missing value (NaN)" : $"a non-finite value ({value.ToString(CultureInfo.InvariantCulture)})";
            throw new InvalidOperationException($"The {role} '{name}' has {kind} at row {row}{where}. Remove or fill it " +
                "(for example with mlContext.Transforms.ReplaceMissingValues), or train with MissingValues = MissingValuePolicy.ForwardFill.");
        }
        if (!float.IsFinite(last))
            throw new InvalidOperationException($"The {role} '{name}' is missing at row {row}{where} and there is no earlier " +
                                                "value in its series to carry forward.");
        return last;
    }
}
