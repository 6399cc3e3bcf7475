namespace Microsoft.ML.R2DN.Simulation;

/// <summary>Scores the rows of a simulator's input one at a time, in order, one state per series (see
/// <see cref="ForecastRowScorer"/>). With an initial-state encoder and the measured outputs, each series' first n rows
/// are simulated from the zero state and buffered, and the state after them is the encoder's estimate from them, as
/// <see cref="Engine.Simulation.Simulator.Simulate"/> does for a whole sequence.</summary>
internal sealed class SimulationRowScorer
{
    private readonly SimulationTransformer _model;
    private readonly Dictionary<string, SeriesState> _states = new(StringComparer.Ordinal);
    private readonly float[] _u, _y, _next;
    private readonly bool _encode;

    /// <param name="model">The simulator.</param>
    /// <param name="withOutputs">Whether each row's values hold the measured outputs after the inputs (for the
    /// encoder's window).</param>
    public SimulationRowScorer(SimulationTransformer model, bool withOutputs)
    {
        _model = model;
        var m = model.Simulator.Model;
        _u = new float[m.InputSize];
        _y = new float[m.OutputSize];
        _next = new float[m.StateSize];
        _encode = withOutputs && model.Simulator.Encoder is not null;
    }

    /// <summary>The number of predicted outputs.</summary>
    public int OutputSize => _y.Length;

    /// <summary>Feeds row <paramref name="row"/> (its inputs, then its measured outputs when the scorer reads them)
    /// to the state of <paramref name="series"/> and writes the predicted outputs y_t (data units).</summary>
    public void Next(string series, ReadOnlySpan<float> values, long row, Span<float> outputs)
    {
        var sim = _model.Simulator;
        var m = sim.Model;
        if (!_states.TryGetValue(series, out var state))
        {
            state = new SeriesState(m.StateSize, _u.Length, _encode ? sim.Encoder!.FeatureSize : 0);
            _states.Add(series, state);
        }
        for (int i = 0; i < _u.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v)) v = Fill(v, state.Last[i], i, series, row);
            state.Last[i] = v;
            _u[i] = (float)sim.InputScaling.Forward(v, i);
        }
        lock (m)
        {
            m.Simulate(state.X, _u, 1, 1, _y, _next);
            _next.CopyTo(state.X, 0);
            if (_encode) Buffer(state, values[_u.Length..]);
        }
        for (int i = 0; i < _y.Length; i++) outputs[i] = (float)sim.OutputScaling.Inverse(_y[i], i);
    }

    // Keeps the row in the encoder's window; after its last row, the state becomes the encoder's estimate (a window
    // with a missing output leaves the series on its zero-state simulation).
    private void Buffer(SeriesState state, ReadOnlySpan<float> measured)
    {
        var sim = _model.Simulator;
        var encoder = sim.Encoder!;
        if (state.Rows >= encoder.Window) return;
        int nu = _u.Length, ny = _y.Length, at = state.Rows * (nu + ny);
        _u.CopyTo(state.Window.AsSpan(at, nu));
        for (int i = 0; i < ny; i++)
        {
            float y = measured[i];
            state.Encodable &= float.IsFinite(y);
            state.Window[at + nu + i] = (float)sim.OutputScaling.Forward(y, i);
        }
        if (++state.Rows == encoder.Window && state.Encodable) encoder.Encode(state.Window, 1, state.X);
    }

    private float Fill(float value, float last, int column, string series, long row) =>
        MissingValueFill.Fill(_model.MissingValues, value, last, ColumnChecks.InputRole,
                              _model.InputColumnNames[column],
                              _model.SeriesIdColumnName is null ? "" : $" (series '{series}')", row);

    private sealed class SeriesState(int states, int inputs, int window)
    {
        public float[] X { get; } = new float[states];

        public float[] Last { get; } = Enumerable.Repeat(float.NaN, inputs).ToArray();

        public float[] Window { get; } = new float[window];

        public int Rows { get; set; }

        public bool Encodable { get; set; } = true;
    }
}
