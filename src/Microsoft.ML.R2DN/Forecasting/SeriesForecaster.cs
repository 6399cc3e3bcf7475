using System.Security.Cryptography;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>A loaded forecaster that steps detached series states: one instance per process (an Orleans silo) serves
/// any number of series, each kept by its caller as a <see cref="SeriesState"/>. <see cref="ForecastingEngine{TSrc,
/// TDst}"/> runs on the same code, so both give bit-identical forecasts and bounds for the same rows.</summary>
/// <remarks>
/// <para>Created by <see cref="Load(MLContext, string)"/> from a model saved with <c>mlContext.Model.Save</c> (or a
/// <see cref="ForecastingEngine{TSrc, TDst}.CheckPoint(MLContext, string)"/>): the forecaster and the transformers
/// before it are recovered as <c>CreateTimeSeriesEngine</c> recovers them, and each observation goes through those
/// transformers, one row at a time, as in the engine.</para>
/// <para><see cref="Start"/> gives a series the model's stored end state (the state after its last training row, or
/// its checkpointed state) when the model has one, else an empty state; <see cref="Observe"/> steps a state with one
/// observation and returns the forecast after it; <see cref="Forecast"/> forecasts without a new observation.</para>
/// </remarks>
/// <threadsafety>Thread-safe: any number of threads may call it at once, each with its own states (the model's steps
/// are serialised internally).</threadsafety>
public sealed class SeriesForecaster
{
    private readonly ITransformer[] _before;
    private readonly ForecastingTransformer _forecaster;
    private readonly ObservationInput? _input;
    private readonly string[] _valueColumns;
    private readonly double[] _outputScale;
    private readonly ForecastSeriesState _layout;

    internal SeriesForecaster(ITransformer[] before, ForecastingTransformer forecaster, string modelId,
                              ObservationInput? input)
    {
        _before = before;
        _forecaster = forecaster;
        _input = input;
        ModelId = modelId;
        _valueColumns = forecaster.Columns.Values.Select(c => c.Name).ToArray();
        _outputScale = forecaster.Core.Forecaster.TargetScaling.Std.ToArray();
        _layout = forecaster.Core.Start();
    }

    /// <summary>An id of the model: the first 16 bytes of the SHA-256 of the model file, in hexadecimal, so that every
    /// process that loads the same file gives the same id.</summary>
    public string ModelId { get; }

    /// <summary>The forecaster (its horizon, columns, certificate, stored series).</summary>
    public ForecastingTransformer Forecaster => _forecaster;

    /// <summary>The input columns an observation gives (names and types): those of the model's saved input schema
    /// that the forecaster depends on, through the transformers before it.</summary>
    public DataViewSchema InputSchema => _input!.Schema;

    /// <summary>Loads a model file and prepares it for detached states.</summary>
    /// <param name="ml">The context that loads; not null.</param>
    /// <param name="modelPath">A .zip saved with <c>mlContext.Model.Save</c> whose last part is an R2DN/REN forecaster;
    /// not null or empty.</param>
    /// <returns>The forecaster.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is damaged, or its forecaster's certificate fails.</exception>
    /// <exception cref="ArgumentException">The model holds no forecaster, or has transformers after it.</exception>
    /// <exception cref="NotSupportedException">A column the forecaster depends on is not a numeric scalar.</exception>
    public static SeriesForecaster Load(MLContext ml, string modelPath)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        using var stream = File.OpenRead(modelPath);
        return Load(ml, stream);
    }

    /// <summary>Loads a model from a stream (read to its end) and prepares it for detached states.</summary>
    /// <param name="ml">The context that loads; not null.</param>
    /// <param name="stream">A readable stream holding a model saved with <c>mlContext.Model.Save</c>; not null.</param>
    /// <returns>The forecaster.</returns>
    /// <exception cref="FormatException">The model is damaged, or its forecaster's certificate fails.</exception>
    /// <exception cref="ArgumentException">The model holds no forecaster, or has transformers after it.</exception>
    /// <exception cref="NotSupportedException">A column the forecaster depends on is not a numeric scalar.</exception>
    public static SeriesForecaster Load(MLContext ml, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        string id = Convert.ToHexStringLower(SHA256.HashData(bytes.GetBuffer().AsSpan(0, (int)bytes.Length))[..16]);
        bytes.Position = 0;
        var model = ml.Model.Load(bytes, out var schema);
        var (before, forecaster) = Recover(model, nameof(stream));
        return new SeriesForecaster(before, forecaster, id, ObservationInput.Create(schema, before, forecaster));
    }

    /// <summary>The state series <paramref name="seriesId"/> starts from: a copy of the model's stored end state for it
    /// when the model has one (see <see cref="ForecastingTransformer.StoredSeries"/>), else a state that has seen
    /// nothing.</summary>
    /// <param name="seriesId">The series id as text (as the model's id column holds it: keys by their value, numbers in
    /// invariant form); "" for a model without a series id column. Not null.</param>
    /// <returns>A new state, owned by the caller.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="seriesId"/> is null.</exception>
    public SeriesState Start(string seriesId)
    {
        ArgumentNullException.ThrowIfNull(seriesId);
        return new SeriesState(seriesId, ModelId, StartValues(seriesId), (double[])_outputScale.Clone());
    }

    /// <summary>Steps <paramref name="state"/> with <paramref name="observation"/>, then forecasts; the state changes
    /// only when the call succeeds.</summary> <param name="state">The series' state; not null. A state last stepped by
    /// another model (its <see cref="SeriesState.ModelId"/> differs) is taken over first: its recurrent state,
    /// look-back window and last values carry over and its latest output is rescaled to this model's target scale (R2DN
    /// and REN models are contracting, so what the recurrent state still holds of the old model fades with every
    /// observation).</param> <param name="observation">The values at the next time step for the columns of <see
    /// cref="InputSchema"/>; not null.</param> <param name="horizon">The number of steps ahead, in [1, the model's
    /// horizon]; null for the model's horizon.</param> <param name="confidenceLevel">The level of the bounds, in (0,
    /// 1); null for the model's level.</param> <returns>The forecast made after the observation.</returns> <exception
    /// cref="ArgumentNullException">An argument is null.</exception> <exception cref="ArgumentOutOfRangeException">A
    /// column is missing ("Could not find feature column 'X'"), has a type the model cannot read, or is unknown to the
    /// model (worded as ML.NET's schema errors, the same as the engine gives for a class without that member or with
    /// that type), or <paramref name="horizon"/> or <paramref name="confidenceLevel"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A target or feature is NaN or infinite and the model's policy is <see
    /// cref="MissingValuePolicy.Error"/> or there is no earlier value to fill it with; or the state's layout does not
    /// fit this model.</exception> <exception cref="NotSupportedException"><paramref name="confidenceLevel"/> is given
    /// but the model has no bounds.</exception>
    public SeriesForecast Observe(SeriesState state, SeriesObservation observation, int? horizon = null,
                                  float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(observation);
        int h = CheckHorizon(horizon);
        CheckLevel(confidenceLevel);
        var (targets, features) = ReadRow(_input!.View(observation, nameof(observation)), out _);
        var adopted = Adopt(state);
        Step(adopted.Values, state.SeriesId, targets, features, nameof(observation));
        if (!ReferenceEquals(adopted, state)) state.Assign(adopted);
        return ForecastValues(state.Values, state.SeriesId, h, confidenceLevel);
    }

    /// <summary>The forecast from <paramref name="state"/>, without a new observation (the state is not
    /// changed).</summary> <param name="state">The series' state; not null.</param> <param name="horizon">The number of
    /// steps ahead, in [1, the model's horizon]; null for the model's horizon.</param> <param
    /// name="confidenceLevel">The level of the bounds, in (0, 1); null for the model's level.</param> <returns>The
    /// forecast.</returns> <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The series has seen no observation (the model did not train on it
    /// and none was observed).</exception> <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or
    /// <paramref name="confidenceLevel"/> is out of range.</exception> <exception
    /// cref="NotSupportedException"><paramref name="confidenceLevel"/> is given but the model has no
    /// bounds.</exception>
    public SeriesForecast Forecast(SeriesState state, int? horizon = null, float? confidenceLevel = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        int h = CheckHorizon(horizon);
        CheckLevel(confidenceLevel);
        if (state.Steps == 0)
            throw new InvalidOperationException(
                $"Series '{state.SeriesId}' has seen no observation yet: call Observe with its latest observation " +
                "first.");
        return ForecastValues(Adopt(state).Values, state.SeriesId, h, confidenceLevel);
    }

    /// <summary>Checks that this model can replace <paramref name="running"/> without losing series states: the same
    /// input columns (names and types) and series id column, and per-series states of the same layout.</summary>
    /// <param name="running">The model in service; not null.</param>
    /// <exception cref="ArgumentException">The models differ in one of those; the message says how.</exception>
    public void CheckCanReplace(SeriesForecaster running)
    {
        ArgumentNullException.ThrowIfNull(running);
        string mine = ObservationInput.Describe(InputSchema), theirs = ObservationInput.Describe(running.InputSchema);
        if (mine != theirs || Forecaster.SeriesIdColumnName != running.Forecaster.SeriesIdColumnName)
            throw new ArgumentException(
                $"Schema mismatch: the new model reads {mine} with series id column " +
                $"'{Forecaster.SeriesIdColumnName}'; the running model reads {theirs} with " +
                $"'{running.Forecaster.SeriesIdColumnName}'. Observations for the running model would not fit it: " +
                "deploy it as a separate service.", nameof(running));
        if (!SameLayout(_layout, running._layout))
            throw new ArgumentException(
                $"The new model's per-series state ({Layout(_layout)}) differs from the running model's " +
                $"({Layout(running._layout)}): the running series' states cannot move to it; deploy it as a " +
                "separate service.", nameof(running));
    }

    private ForecastCore Core => _forecaster.Core;

    internal ForecastSeriesState StartValues(string seriesId) =>
        _forecaster.EngineStates.TryGetValue(seriesId, out var stored) ? stored.Clone() : Core.Start();

    /// <summary>The observation in <paramref name="source"/> (one row) through the transformers before the forecaster,
    /// read as the forecaster reads its columns; <paramref name="transformed"/> is the view after them.</summary>
    internal (float[] Targets, float[] Features) ReadRow(IDataView source, out IDataView transformed)
    {
        transformed = source;
        foreach (var t in _before) transformed = t.Transform(transformed);
        _forecaster.Columns.CheckInput(transformed.Schema);
        var values = Data.DataViewReader.ReadSingleColumns(transformed, _valueColumns);
        if (values[0].Length != 1)
            throw new InvalidOperationException(
                $"The transformers before the forecaster turned one observation into {values[0].Length} rows.");
        int nt = _forecaster.Columns.Targets.Length;
        return (values[..nt].Select(v => v[0]).ToArray(), values[nt..].Select(v => v[0]).ToArray());
    }

    /// <summary>Fills the missing values (or refuses them), then steps <paramref name="state"/>: the state is untouched
    /// until every value is good.</summary>
    internal void Step(ForecastSeriesState state, string id, float[] targets, float[] features, string parameter)
    {
        Fill(targets, state.LastTargets, _forecaster.Columns.Targets, id, parameter);
        Fill(features, state.LastFeatures, _forecaster.Columns.Features, id, parameter);
        Core.Observe(state, targets, features);
    }

    /// <summary>The forecast of <paramref name="state"/> truncated to <paramref name="h"/> steps, with bounds at
    /// <paramref name="confidenceLevel"/> when the model has them.</summary>
    internal SeriesForecast ForecastValues(ForecastSeriesState state, string id, int h, float? confidenceLevel)
    {
        int H = Core.Horizon, nt = Core.TargetCount;
        var all = Core.Decode(state);
        if (!_forecaster.Columns.HasBounds)
            return new SeriesForecast(id, state.Steps, Truncate(all, H, h, nt), null, null);
        var widths = _forecaster.HalfWidths(confidenceLevel);
        var lower = new float[all.Length];
        var upper = new float[all.Length];
        for (int i = 0; i < all.Length; i++)
        {
            lower[i] = all[i] - widths[i];
            upper[i] = all[i] + widths[i];
        }
        return new SeriesForecast(id, state.Steps, Truncate(all, H, h, nt), Truncate(lower, H, h, nt),
                                  Truncate(upper, H, h, nt));
    }

    internal int CheckHorizon(int? horizon)
    {
        int h = horizon ?? _forecaster.Horizon;
        if (h < 1 || h > _forecaster.Horizon)
            throw new ArgumentOutOfRangeException(
                nameof(horizon), h, $"The horizon must be in [1, {_forecaster.Horizon}] (the model's horizon).");
        return h;
    }

    internal void CheckLevel(float? confidenceLevel)
    {
        if (confidenceLevel is not float c) return;
        OptionChecks.ConfidenceLevel(c, nameof(confidenceLevel));
        if (!_forecaster.Columns.HasBounds)
            throw new NotSupportedException(
                "The model writes no confidence bounds: train it with confidenceLowerBoundColumn and " +
                "confidenceUpperBoundColumn to get intervals at any confidence level.");
    }

    /// <summary>Recovers the forecaster and the transformers before it from a model, as the engine does.</summary>
    internal static (ITransformer[] Before, ForecastingTransformer Forecaster) Recover(ITransformer model,
                                                                                      string parameter)
    {
        if (!MlNetCarrier.TryRecover(model, out var prefix, out var found)
            || found is not ForecastingTransformer forecaster)
            throw new ArgumentException(
                found is SimulationTransformer
                    ? "The model is a simulator (SimulateR2DN/SimulateREN): it has no forecasts to make one " +
                      "observation at a time; Transform whole sequences instead."
                    : "A time-series engine needs an R2DN/REN forecaster, or a chain that ends with one; got " +
                      $"'{model.GetType().Name}'.",
                parameter);
        return (prefix, forecaster);
    }

    // The state itself when this model stepped it; otherwise a copy carried over to this model's output scale.
    private SeriesState Adopt(SeriesState state)
    {
        var start = _layout;
        if (!SameLayout(state.Values, start) || state.OutputScale.Length != _outputScale.Length)
            throw new ArgumentException(
                $"The state of series '{state.SeriesId}' was made by model '{state.ModelId}', whose per-series state " +
                $"({Layout(state.Values)}) differs from this model's ({Layout(start)}).", nameof(state));
        if (state.ModelId == ModelId) return state;
        var values = state.Values.Clone();
        int H = Core.Horizon;
        for (int i = 0; i < values.Output.Length; i++)
            values.Output[i] = (float)(values.Output[i] * state.OutputScale[i / H] / _outputScale[i / H]);
        return new SeriesState(state.SeriesId, ModelId, values, (double[])_outputScale.Clone());
    }

    private static bool SameLayout(ForecastSeriesState a, ForecastSeriesState b) =>
        a.X.Length == b.X.Length && a.Output.Length == b.Output.Length && a.LastTargets.Length == b.LastTargets.Length
        && a.LastFeatures.Length == b.LastFeatures.Length && a.History.Length == b.History.Length;

    private static string Layout(ForecastSeriesState s) =>
        string.Create(CultureInfo.InvariantCulture,
            $"x: {s.X.Length} values, output: {s.Output.Length}, targets: {s.LastTargets.Length}, " +
            $"features: {s.LastFeatures.Length}, look-back window: {s.History.Length}");

    // Under ForwardFill a bad value takes the series' last observed value; under Error it is refused.
    private void Fill(float[] values, float[] last, string[] names, string id, string parameter)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i])) continue;
            string where = _forecaster.SeriesIdColumnName is null ? "" : $" of series '{id}'";
            string value = values[i].ToString(CultureInfo.InvariantCulture);
            if (_forecaster.MissingValues == MissingValuePolicy.Error)
                throw new ArgumentException(
                    $"The observation's column '{names[i]}'{where} is {value}; the model was trained with " +
                    "MissingValuePolicy.Error, which refuses missing values.", parameter);
            if (!float.IsFinite(last[i]))
                throw new ArgumentException(
                    $"The observation's column '{names[i]}'{where} is {value} and there is no earlier value to carry " +
                    "forward.", parameter);
            values[i] = last[i];
        }
    }

    private static float[] Truncate(float[] values, int horizon, int h, int targets)
    {
        if (h == horizon) return values;
        var result = new float[h * targets];
        for (int j = 0; j < targets; j++)
            Array.Copy(values, j * horizon, result, j * h, h);
        return result;
    }
}
