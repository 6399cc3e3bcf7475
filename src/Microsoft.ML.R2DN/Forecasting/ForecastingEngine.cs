namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Forecasts one observation at a time with a trained <see cref="ForecastingTransformer"/>, keeping the
/// model's state between calls, as ML.NET's time-series prediction engine does; created by
/// <c>model.CreateTimeSeriesEngine&lt;TSrc, TDst&gt;(ml)</c>.</summary>
/// <typeparam name="TSrc">The observation class: public fields or properties for the target, feature and series id
/// columns (matched by name, or by ML.NET's <c>[ColumnName]</c>), and for the columns the transformers before the
/// forecaster read.</typeparam>
/// <typeparam name="TDst">The prediction class: a <see cref="float"/>[] member for the forecast column and, optionally,
/// for the bound columns. Other members are left as the constructor set them.</typeparam>
/// <remarks>
/// <para><see cref="Predict(TSrc, int?, float?)"/> feeds the observation at time t (targets and features) to the state
/// of its series, then returns the forecast of y_{t+1} … y_{t+h}: the same values as the forecast column of
/// <see cref="ForecastingTransformer.Transform"/> on that row, when the engine has seen the series' rows from the
/// start. <see cref="Predict(int?, float?)"/> returns the forecast from the current state without an update.</para>
/// <para>When the model is a chain, the transformers before the forecaster see one observation at a time: row-wise
/// maps (normalisation, copies, concatenation) behave as in <c>Transform</c>; transformers that look at several rows
/// (such as forward filling) cannot.</para>
/// <para>With a series id column, the engine keeps one state per series id; the parameterless
/// <see cref="Predict(int?, float?)"/> uses the series of the last observation.</para>
/// <para>A new engine starts where the model it was created from left off, as ML.NET's does: after <c>Fit</c>, every
/// series the model trained on is at the state after its last training row (unless the model was trained with
/// <see cref="RecurrentForecastingOptions.KeepEndStates"/> = false), so <see cref="Predict(int?, float?)"/> at once
/// forecasts the steps after the last training row, and <see cref="Predict(TSrc, int?, float?)"/> takes the row that
/// follows it; after <see cref="CheckPoint(MLContext, string)"/> and <c>mlContext.Model.Load</c>, every series is at
/// its checkpointed state. A series the engine holds no state for starts from an empty history at its first
/// observation. The engine works on its own copy of the states: the transformer it was created from never
/// changes.</para>
/// <para>For states kept outside one process (a database, an Orleans cluster), <see cref="SeriesForecaster"/> steps
/// detached <see cref="SeriesState"/>s with the same code, so both give bit-identical forecasts.</para>
/// </remarks>
/// <threadsafety>Not thread-safe: use one engine per thread (engines over one transformer may run in
/// parallel).</threadsafety>
public sealed class ForecastingEngine<TSrc, TDst>
    where TSrc : class
    where TDst : class, new()
{
    private readonly MLContext _context;
    private readonly ITransformer[] _before;
    private readonly ForecastingTransformer _forecaster;
    private readonly SeriesForecaster _series;
    private readonly TSrc[] _example = new TSrc[1];
    private readonly IDataView _exampleView;
    private readonly string[] _valueColumns;
    private readonly Dictionary<string, ForecastSeriesState> _states;
    private string? _current;
    private readonly Action<TDst, float[]> _setForecast;
    private readonly Action<TDst, float[]>? _setLower, _setUpper;

    internal ForecastingEngine(MLContext context, ITransformer[] before, ForecastingTransformer forecaster)
    {
        _context = context;
        _before = before;
        _forecaster = forecaster;
        // The same stepping, forecasting and checks as detached states (Orleans grains): one code path for both.
        _series = new SeriesForecaster(before, forecaster, modelId: "", input: null);
        // The observation view reads _example[0] afresh on every cursor: one view for the engine's life.
        _exampleView = context.Data.LoadFromEnumerable(_example);
        var schema = _exampleView.Schema;
        foreach (var t in before) schema = t.GetOutputSchema(schema);
        forecaster.Columns.CheckInput(schema);
        _valueColumns = forecaster.Columns.Values.Select(c => c.Name).ToArray();
        _states = forecaster.EngineStates.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);
        _current = forecaster.EngineSeries;
        _setForecast = Setter(forecaster.OutputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(TDst),
                $"'{typeof(TDst).Name}' has no member for the forecast column '{forecaster.OutputColumnName}': add a " +
                $"float[] field or property of that name, or one marked " +
                $"[ColumnName(\"{forecaster.OutputColumnName}\")].");
        if (forecaster.Columns.HasBounds)
        {
            _setLower = Setter(forecaster.ConfidenceLowerBoundColumn!);
            _setUpper = Setter(forecaster.ConfidenceUpperBoundColumn!);
        }
    }

    /// <summary>The forecast from the current state, without a new observation.</summary>
    /// <param name="horizon">The number of steps ahead, in [1, the model's horizon]; null for the model's horizon.
    /// Fewer steps return the first ones of each target.</param>
    /// <param name="confidenceLevel">The level of the bounds, in (0, 1); null for the level the model was trained with.
    /// The bounds are recomputed from the stored calibration residuals.</param>
    /// <returns>A new <typeparamref name="TDst"/> with the forecast (and bounds, when the model writes them).</returns>
    /// <exception cref="InvalidOperationException">No observation has been seen yet.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or <paramref name="confidenceLevel"/>
    /// is out of range.</exception>
    /// <exception cref="NotSupportedException"><paramref name="confidenceLevel"/> is given but the model has no bound
    /// columns.</exception>
    public TDst Predict(int? horizon = null, float? confidenceLevel = null)
    {
        int h = _series.CheckHorizon(horizon);
        _series.CheckLevel(confidenceLevel);
        if (_current is null || !_states.TryGetValue(_current, out var state) || state.Steps == 0)
            throw new InvalidOperationException(
                "The engine has seen no observation yet: call Predict(example) with the latest observation first.");
        return Forecast(state, _current, h, confidenceLevel);
    }

    /// <summary>The forecast from the current state of series <paramref name="seriesId"/>, without a new observation;
    /// that series becomes the one <see cref="Predict(int?, float?)"/> forecasts.</summary>
    /// <param name="seriesId">The series id as text (as the model reads its id column: a key or a number in its
    /// invariant text form, for example "3"); not null. "" for a model without a series id column.</param>
    /// <param name="horizon">The number of steps ahead, in [1, the model's horizon]; null for the model's
    /// horizon.</param>
    /// <param name="confidenceLevel">The level of the bounds, in (0, 1); null for the model's level.</param>
    /// <returns>A new <typeparamref name="TDst"/> with the forecast (and bounds, when the model writes them).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="seriesId"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The engine holds no state of that series (the model did not train
    /// on it and no observation of it has been seen).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or <paramref name="confidenceLevel"/>
    /// is out of range.</exception>
    public TDst PredictSeries(string seriesId, int? horizon = null, float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        int h = _series.CheckHorizon(horizon);
        _series.CheckLevel(confidenceLevel);
        if (!_states.TryGetValue(seriesId, out var state) || state.Steps == 0)
            throw new InvalidOperationException(
                $"The engine has seen no observation of series '{seriesId}' yet: call Predict(example) with its " +
                $"latest " +
                "observation first.");
        _current = seriesId;
        return Forecast(state, seriesId, h, confidenceLevel);
    }

    /// <summary>The series the engine holds a state for (trained on, checkpointed or observed), by id as
    /// text.</summary>
    public IReadOnlyCollection<string> Series => _states.Keys;

    /// <summary>The series <see cref="Predict(int?, float?)"/> forecasts: the one of the last observation, or, before
    /// any, the one of the model's last training row (or checkpoint); null when there is none.</summary>
    public string? CurrentSeries => _current;

    /// <summary>Updates the state of the example's series with the observation, then forecasts.</summary>
    /// <param name="example">The observation at the next time step: targets, features and series id; not null.</param>
    /// <param name="horizon">The number of steps ahead, in [1, the model's horizon]; null for the model's
    /// horizon.</param>
    /// <param name="confidenceLevel">The level of the bounds, in (0, 1); null for the model's level.</param>
    /// <returns>A new <typeparamref name="TDst"/> with the forecast made after the observation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="example"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or <paramref name="confidenceLevel"/>
    /// is out of range (the state is not updated).</exception>
    /// <exception cref="ArgumentException">A target or feature is NaN or infinite and the model's policy is
    /// <see cref="MissingValuePolicy.Error"/>, or there is no earlier value to fill it with (the state is not
    /// updated).</exception>
    /// <exception cref="NotSupportedException"><paramref name="confidenceLevel"/> is given but the model has no bound
    /// columns.</exception>
    public TDst Predict(TSrc example, int? horizon = null, float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(example);
        int h = _series.CheckHorizon(horizon);
        _series.CheckLevel(confidenceLevel);
        var (id, targets, features) = Read(example);
        if (!_states.TryGetValue(id, out var state))
            state = _forecaster.Core.Start();
        _series.Step(state, id, targets, features, nameof(example));
        _states[id] = state;
        _current = id;
        return Forecast(state, id, h, confidenceLevel);
    }

    /// <summary>Updates the states with every row of <paramref name="observations"/>, in order: each row goes to its
    /// series as in <see cref="Predict(TSrc, int?, float?)"/>, without a forecast; the series of the last row becomes
    /// the current one. For many observations at once (a day's rows of many series), this is one pass over the view
    /// instead of one view per row.</summary>
    /// <param name="observations">Rows with the columns of <typeparamref name="TSrc"/> that the model reads (before the
    /// transformers that precede the forecaster); rows of each series in time order; not null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="observations"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column the model reads is missing or has the wrong
    /// type.</exception>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite and the model's missing-value policy
    /// cannot fill it (the message names the column and the row). No state is changed then.</exception>
    public void Observe(IDataView observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        IDataView view = observations;
        foreach (var t in _before) view = t.Transform(view);
        var columns = _forecaster.Columns;
        columns.CheckInput(view.Schema);
        var scorer = new ForecastRowScorer(_forecaster, _states);
        string? last = null;
        RowReading.ForEachRow(view, _valueColumns, columns.SeriesId, (id, row, position) =>
        {
            scorer.Observe(id, row, position);
            last = id;
        });
        foreach (var (id, state) in scorer.States) _states[id] = state;
        if (last is not null) _current = last;
    }

    /// <summary>Saves the model with the engine's current states to <paramref name="modelPath"/> (atomically): an
    /// engine created from the loaded model continues from here.</summary>
    /// <param name="ml">The context that saves; not null.</param>
    /// <param name="modelPath">The .zip file; not null or empty.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void CheckPoint(MLContext ml, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        AtomicFile.Write(modelPath, stream => ml.Model.Save(Snapshot(), _exampleView.Schema, stream));
    }

    /// <summary>Saves the model with the engine's current states to <paramref name="stream"/>.</summary>
    /// <param name="ml">The context that saves; not null.</param>
    /// <param name="stream">A writable stream; not null.</param>
    public void CheckPoint(MLContext ml, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(stream);
        ml.Model.Save(Snapshot(), _exampleView.Schema, stream);
    }

    private ITransformer Snapshot()
    {
        var states = _states.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal);
        var forecaster = _forecaster.WithEngineStates(states, _current);
        return _before.Length == 0 ? forecaster : new TransformerChain<ITransformer>([.. _before, forecaster]);
    }

    // The observation through the transformers before the forecaster, read as the forecaster reads its columns.
    private (string Id, float[] Targets, float[] Features) Read(TSrc example)
    {
        _example[0] = example;
        try
        {
            var (targets, features) = _series.ReadRow(_exampleView, out var view);
            var idColumn = _forecaster.Columns.SeriesId;
            string id = idColumn is null ? "" : SeriesTable.ReadIds(view, idColumn, default)[0];
            return (id, targets, features);
        }
        finally
        {
            _example[0] = null!;
        }
    }

    private TDst Forecast(ForecastSeriesState state, string id, int h, float? confidenceLevel)
    {
        var forecast = _series.ForecastValues(state, id, h, confidenceLevel);
        var result = new TDst();
        _setForecast(result, forecast.Forecast);
        if (forecast.Lower is not null) _setLower?.Invoke(result, forecast.Lower);
        if (forecast.Upper is not null) _setUpper?.Invoke(result, forecast.Upper);
        return result;
    }

    // The member of TDst that ML.NET would map to the column (by name or [ColumnName]); it must take a float[].
    private static Action<TDst, float[]>? Setter(string column)
    {
        var definition = SchemaDefinition.Create(typeof(TDst), SchemaDefinition.Direction.Write);
        var c = definition.FirstOrDefault(c => c.ColumnName == column);
        if (c is null) return null;
        var member = typeof(TDst).GetMember(c.MemberName,
                                            System.Reflection.BindingFlags.Public
                                                | System.Reflection.BindingFlags.Instance).FirstOrDefault();
        switch (member)
        {
            case System.Reflection.FieldInfo f when f.FieldType == typeof(float[]):
                return (o, v) => f.SetValue(o, v);
            case System.Reflection.PropertyInfo p when p.PropertyType == typeof(float[]) && p.CanWrite:
                return (o, v) => p.SetValue(o, v);
            default:
                throw new ArgumentOutOfRangeException(nameof(TDst),
                    $"Schema mismatch for column '{column}': '{typeof(TDst).Name}.{c.MemberName}' must be a writable " +
                    $"float[].");
        }
    }
}
