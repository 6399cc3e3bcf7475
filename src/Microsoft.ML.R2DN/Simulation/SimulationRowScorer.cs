using System.Globalization;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Simulation;

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
        MissingValueFill.Fill(_model.MissingValues, value, last, ColumnChecks.InputRole,
                              _model.InputColumnNames[column],
                              _model.SeriesIdColumnName is null ? "" : $" (series '{series}')", row);
}
