using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.Forecasting;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>A trained R2DN or REN forecaster: adds the forecast made after each row, y_{t+1} … y_{t+h}, and
/// optionally its confidence bounds, to a view.</summary>
/// <remarks>
/// <para><see cref="Transform"/> computes, for every series (rows grouped by <see cref="SeriesIdColumnName"/>, in
/// order) from a zero state, output_t = model(y_0, f_0, …, y_t, f_t): the column <see cref="OutputColumnName"/> holds a
/// vector of <see cref="Horizon"/> × targets <see cref="float"/>s, all steps of the first target, then all steps of the
/// next. The bound columns, when named, hold output_t ∓ w, where the split-conformal half-width w of each target and
/// step comes from the residuals held out in training (see <see cref="GetIntervalHalfWidths"/>). The columns are
/// computed when a cursor first reads them, for the whole view at once, in row order (the view cannot be
/// shuffled).</para>
/// <para>Not row-to-row: <c>mlContext.Model.CreatePredictionEngine</c> refuses it. For one observation at a time
/// (updating a state, checkpointing it), create a <see cref="ForecastingEngine{TSrc, TDst}"/> with
/// <c>CreateTimeSeriesEngine</c>.</para>
/// <para><b>Saving.</b> <c>mlContext.Model.Save</c> writes a real ML.NET model: ML.NET's components carry this
/// model's own archive (a JSON manifest and its parameters as NumPy <c>.npy</c> arrays) and a scorer from this
/// assembly. <c>mlContext.Model.Load</c> returns ML.NET's chain, which scores the rows in the order a cursor reads them
/// (read every row; do not shuffle or filter before reading the forecast column) and gives the same numbers;
/// <c>loaded.GetForecaster()</c> recovers this transformer (its certificate re-verified) and
/// <c>loaded.CreateTimeSeriesEngine</c> works on it directly.</para>
/// </remarks>
/// <threadsafety>Immutable and safe to share across threads: <see cref="Transform"/> may run on several threads at
/// once (the model's steps are serialised internally).</threadsafety>
public sealed class ForecastingTransformer : ITransformer
{
    internal const string LoaderName = "ForecastingTransformer";

    private readonly JsonObject _settings;
    private readonly double[] _trainingLoss;
    private readonly Lazy<TransformerChain<ITransformer>> _carrier;

    internal ForecastingTransformer(ForecastingColumns columns, DataViewSchema inputTypes, ForecastCore core,
                                    MissingValuePolicy missingValues, JsonObject settings, double[] trainingLoss,
                                    Certificate certificate,
                                    IReadOnlyDictionary<string, ForecastSeriesState>? engineStates = null,
                                        string? engineSeries = null)
    {
        Columns = columns; InputTypes = inputTypes; Core = core; MissingValues = missingValues; _settings = settings;
        _trainingLoss = trainingLoss;
        Certificate = certificate;
        EngineStates = engineStates ?? new Dictionary<string, ForecastSeriesState>();
        EngineSeries = engineSeries;
        _carrier =
            new(() => MlNetCarrier.Build(this, InputTypes, [.. Columns.Values.Select(v => v.Name)], Columns.SeriesId));
    }

    /// <summary>The column the forecasts are written to.</summary>
    public string OutputColumnName => Columns.Output;

    /// <summary>The target columns, in the order their forecasts appear in the output vector.</summary>
    public IReadOnlyList<string> TargetColumnNames => Columns.Targets;

    /// <summary>The exogenous feature columns (empty when there are none).</summary>
    public IReadOnlyList<string> FeatureColumnNames => Columns.Features;

    /// <summary>The series id column, or null when all rows are one series.</summary>
    public string? SeriesIdColumnName => Columns.SeriesId;

    /// <summary>The lower-bound column, or null when the transformer writes no intervals.</summary>
    public string? ConfidenceLowerBoundColumn => Columns.Lower;

    /// <summary>The upper-bound column, or null when the transformer writes no intervals.</summary>
    public string? ConfidenceUpperBoundColumn => Columns.Upper;

    /// <summary>The look-back L of the linear path the recurrent model corrects, or 0 without one: a new
    /// <see cref="ForecastingEngine{TSrc, TDst}"/> gives the same forecasts as <see cref="Transform"/> once it has seen
    /// at least this many observations of a series (and the recurrent state has forgotten its start).</summary>
    public int LinearLookback => Core.Forecaster.Linear?.Lookback ?? 0;

    /// <summary>Whether the recurrent model's correction is used (false when, with a linear path, it did not lower the
    /// validation error: the forecaster is then the linear path alone, and <see cref="Certificate"/> describes a model
    /// that does not contribute).</summary>
    public bool UsesRecurrentCorrection => Core.Forecaster.RecurrentCorrection;

    /// <summary>The number of steps ahead h.</summary>
    public int Horizon => Core.Horizon;

    /// <summary>The confidence level of the bound columns.</summary>
    public float ConfidenceLevel => (float)Core.Forecaster.ConfidenceLevel;

    /// <summary>Whether the model is an R2DN or a REN.</summary>
    public ModelKind ModelKind => Core.Forecaster.Model is R2dn ? ModelKind.R2dn : ModelKind.Ren;

    /// <summary>The number of trainable parameters of the model.</summary>
    public int ParameterCount => Core.Forecaster.Model.ParameterCount;

    /// <summary>The model's robustness certificate: the property it has (contracting, or γ-Lipschitz) and its
    /// sampling-free numerical verification; computed after training and recomputed when the model is loaded.</summary>
    public Certificate Certificate { get; }

    /// <summary>The mean training loss of each epoch (standardised units), kept when the model is saved.</summary>
    public IReadOnlyList<double> TrainingLoss => _trainingLoss;

    /// <summary>The training settings (sizes, robustness, epochs, seed...) as stored in the model file.</summary>
    internal JsonObject Settings => _settings;

    /// <summary>The settings the forecaster was trained with, as JSON (as stored in the model file): model kind,
    /// robustness, sizes, activation, initialisation, learning rate, epochs, seed and, for a forecaster, the linear
    /// path's look-back and the settings tried on the validation data with their scores. Empty ("{}") for a model saved
    /// without them.</summary>
    public string TrainingSettings =>
        _settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    /// <summary>The input columns the model reads and their types when it was trained (for the saved ML.NET
    /// chain).</summary>
    internal DataViewSchema InputTypes { get; }

    internal ForecastingColumns Columns { get; }

    internal ForecastCore Core { get; }

    internal MissingValuePolicy MissingValues { get; }

    /// <summary>The series whose state the model holds, where a <see cref="ForecastingEngine{TSrc, TDst}"/> created
    /// from it starts them: after <c>Fit</c>, every series it trained on, at its last training row (unless
    /// <see cref="RecurrentForecastingOptions.KeepEndStates"/> was false); after a checkpoint, the engine's series. Ids
    /// as text (keys by their value, numbers in invariant form).</summary>
    public IReadOnlyCollection<string> StoredSeries => (IReadOnlyCollection<string>)EngineStates.Keys;

    /// <summary>The states a <see cref="ForecastingEngine{TSrc, TDst}"/> starts from (the end of training, or a
    /// checkpoint).</summary>
    internal IReadOnlyDictionary<string, ForecastSeriesState> EngineStates { get; }

    /// <summary>The series of the last observation of the engine that saved this transformer, or null.</summary>
    internal string? EngineSeries { get; }

    /// <summary>False: the forecast at a row depends on the rows before it in its series. ML.NET's
    /// <c>CreatePredictionEngine</c> therefore refuses the model (with its own "Must be a row to row mapper"); the
    /// time-series engine, <c>model.CreateTimeSeriesEngine</c>, is the one-observation-at-a-time path.</summary>
    bool ITransformer.IsRowToRowMapper => false;

    /// <summary>Not supported: a forecaster is not row-to-row.</summary>
    /// <exception cref="InvalidOperationException">Always; the message says to use <c>CreateTimeSeriesEngine</c>.
    /// </exception>
    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) => throw NotRowToRow();

    internal static InvalidOperationException NotRowToRow() =>
        new("An R2DN/REN model's output at a row depends on the rows before it in its series, so it is not a " +
            "row-to-row mapper and mlContext.Model.CreatePredictionEngine cannot run it: use " +
            "model.CreateTimeSeriesEngine<TSrc, TDst>(mlContext), which keeps the state between observations, or " +
            "Transform a whole series.");

    /// <summary>Saves the model as ML.NET components (see the remarks of
    /// <see cref="ForecastingTransformer"/>).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_carrier.Value).Save(ctx);

    /// <summary>The split-conformal half-widths of the intervals for every target and step (target-major, as the
    /// output vector), in data units: the bounds are forecast ∓ half-width.</summary>
    /// <param name="confidenceLevel">The level in (0, 1); null for <see cref="ConfidenceLevel"/>. Any level can be
    /// asked for: the calibration residuals are kept.</param>
    /// <returns>Horizon × targets half-widths.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="confidenceLevel"/> is not in (0, 1).</exception>
    /// <exception cref="NotSupportedException">The model was trained with <c>CalibrationFraction = 0</c>.</exception>
    public IReadOnlyList<float> GetIntervalHalfWidths(float? confidenceLevel = null) => HalfWidths(confidenceLevel);

    internal float[] HalfWidths(float? confidenceLevel)
    {
        if (confidenceLevel is float c) OptionChecks.ConfidenceLevel(c, nameof(confidenceLevel));
        if (!Core.HasIntervals)
            throw new NotSupportedException("The model has no calibration residuals (it was trained with " +
                                            "CalibrationFraction = 0), so it has no intervals.");
        return confidenceLevel is float level
            ? Core.HalfWidths(OptionChecks.ToDouble(level)) : (float[])Core.TrainingHalfWidths.Clone();
    }

    /// <summary>The input schema followed by the forecast column and, when named, the two bound columns, each a
    /// vector of <see cref="Horizon"/> × targets <see cref="float"/>s.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A target, feature or series id column is missing (<c>Could not
    /// find input column 'X'</c>) or has the wrong type (<c>Schema mismatch for input column 'X': expected Single, got
    /// String</c>).</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        Columns.OutputSchema(inputSchema, Core.OutputSize);

    /// <summary>Adds the forecast column (and the bound columns) to <paramref name="input"/>, lazily.</summary>
    /// <param name="input">The data, with the target, feature and series id columns the model was trained with; rows of
    /// each series in time order.</param>
    /// <returns>A view with the added columns.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type.</exception>
    /// <remarks>When the added columns are read, a NaN or infinite target or feature value throws
    /// <see cref="InvalidOperationException"/> naming the column and row, unless the model was trained with
    /// <see cref="MissingValuePolicy.ForwardFill"/>.</remarks>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Columns.CheckInput(input.Schema);
        int size = Core.OutputSize;
        var result = new LazyForecast(this, input);
        var builder = new ColumnAppendingDataView.Builder(input)
            .AddColumn(Columns.Output, size, () => result.Get().Values);
        if (Columns.HasBounds)
        {
            builder.AddColumn(Columns.Lower!, size, () => result.Get().Lower!);
            builder.AddColumn(Columns.Upper!, size, () => result.Get().Upper!);
        }
        return builder.Build();
    }

    /// <summary>A copy whose prediction engines start from <paramref name="states"/> (a checkpoint).</summary>
    internal ForecastingTransformer WithEngineStates(IReadOnlyDictionary<string, ForecastSeriesState> states,
                                                     string? current) =>
        new(Columns, InputTypes, Core, MissingValues, _settings, _trainingLoss, Certificate, states, current);

    /// <summary>Scores every row in order with <see cref="ForecastRowScorer"/>, as the saved model does.</summary>
    private (float[][] Values, float[][]? Lower, float[][]? Upper) Compute(IDataView input)
    {
        var scorer = new ForecastRowScorer(this);
        int n = Core.OutputSize;
        var values = new List<float[]>();
        var lower = Columns.HasBounds ? new List<float[]>() : null;
        var upper = Columns.HasBounds ? new List<float[]>() : null;
        RowReading.ForEachRow(input, Columns.Values.Select(v => v.Name).ToArray(), Columns.SeriesId,
                              (id, row, position) =>
        {
            var f = new float[n];
            var lo = lower is null ? [] : new float[n];
            var hi = upper is null ? [] : new float[n];
            scorer.Next(id, row, position, f, lo, hi);
            values.Add(f);
            lower?.Add(lo);
            upper?.Add(hi);
        });
        return ([.. values], lower?.ToArray(), upper?.ToArray());
    }

    // One computation shared by the added columns of one Transform call. Not Lazy<T>: a failed or cancelled computation
    // must be retried by the next cursor, not cached.
    private sealed class LazyForecast(ForecastingTransformer owner, IDataView input)
    {
        private readonly Lock _lock = new();
        private (float[][] Values, float[][]? Lower, float[][]? Upper)? _result;

        public (float[][] Values, float[][]? Lower, float[][]? Upper) Get()
        {
            lock (_lock)
                return _result ??= owner.Compute(input);
        }
    }

    internal void Save(ArchiveSaveContext context)
    {
        var p = context.Properties;
        var f = Core.Forecaster;
        p["outputColumn"] = Columns.Output;
        p["targetColumns"] = PersistenceParts.Strings(Columns.Targets);
        p["featureColumns"] = PersistenceParts.Strings(Columns.Features);
        p["seriesIdColumn"] = Columns.SeriesId;
        p["lowerBoundColumn"] = Columns.Lower;
        p["upperBoundColumn"] = Columns.Upper;
        p["horizon"] = f.Horizon;
        p["confidenceLevel"] = f.ConfidenceLevel;
        p["missingValues"] = MissingValues.ToString();
        p["training"] = _settings.DeepClone();
        PersistenceParts.SaveModel(context, "model", f.Model);
        p["channelIndependent"] = f.ChannelIndependent;
        p["differenceInputs"] = f.DifferenceInputs;
        p["recurrentCorrection"] = f.RecurrentCorrection;
        if (f.Linear is { } linear)
        {
            p["linear"] = new JsonObject { ["lookback"] = linear.Lookback, ["ridge"] = linear.Ridge };
            context.AddArray("linear/weights", [linear.Lookback - 1, linear.Horizon], (double[])linear.Weights.Clone());
            context.AddArray("linear/bias", [linear.Horizon], (double[])linear.Bias.Clone());
        }
        PersistenceParts.SaveStandardizer(context, "target", f.TargetScaling);
        PersistenceParts.SaveStandardizer(context, "feature", f.FeatureScaling);
        int n = Core.Residuals.Count == 0 ? 0 : Core.Residuals[0].Length;
        PersistenceParts.SaveFloats(context, "calibrationResiduals", [Core.OutputSize, n],
                                    Core.Residuals.SelectMany(r => r).ToArray());
        PersistenceParts.SaveFloats(context, "halfWidths", [Core.TrainingHalfWidths.Length], Core.TrainingHalfWidths);
        context.AddArray("trainingLoss", [_trainingLoss.Length], (double[])_trainingLoss.Clone());
        if (EngineStates.Count > 0)
        {
            var ids = EngineStates.Keys.ToArray();
            var states = ids.Select(id => EngineStates[id]).ToArray();
            p["engineState"] =
                new JsonObject { ["series"] = PersistenceParts.Strings(ids), ["current"] = EngineSeries };
            var nested = context.Nested("engineState");
            PersistenceParts.SaveFloats(nested, "x", [ids.Length, states[0].X.Length],
                                        states.SelectMany(s => s.X).ToArray());
            PersistenceParts.SaveFloats(nested, "output", [ids.Length, Core.OutputSize],
                                        states.SelectMany(s => s.Output).ToArray());
            PersistenceParts.SaveFloats(nested, "lastTargets", [ids.Length, Core.TargetCount],
                                        states.SelectMany(s => s.LastTargets).ToArray());
            PersistenceParts.SaveFloats(nested, "lastFeatures", [ids.Length, Core.FeatureCount],
                                        states.SelectMany(s => s.LastFeatures).ToArray());
            if (f.Linear is { } lin)
                PersistenceParts.SaveFloats(nested, "history", [ids.Length, Core.TargetCount * lin.Lookback],
                                            states.SelectMany(s => s.History).ToArray());
            nested.AddArray("steps", [ids.Length], states.Select(s => (double)s.Steps).ToArray());
        }
    }

    /// <summary>Rebuilds a saved forecaster (found by the transformer registry).</summary>
    internal static ForecastingTransformer Load(ArchiveLoadContext context, DataViewSchema inputTypes)
    {
        var columns = new ForecastingColumns(context.GetString("outputColumn"), context.GetStrings("targetColumns"),
                                             context.GetStrings("featureColumns"),
                                             PersistenceParts.OptionalString(context, "seriesIdColumn"),
                                             PersistenceParts.OptionalString(context, "lowerBoundColumn"),
                                             PersistenceParts.OptionalString(context, "upperBoundColumn"));
        columns.CheckLoaded();
        columns.CheckInput(inputTypes);   // the recorded input columns must have types the model reads
        int h = PersistenceParts.Positive(context, "horizon");
        double level = context.GetDouble("confidenceLevel");
        if (!(level > 0 && level < 1)) throw ModelFileErrors.Damaged($"the confidence level {level} is not in (0, 1).");
        var missing = PersistenceParts.Enum<MissingValuePolicy>(context, "missingValues");
        int nt = columns.Targets.Length, nf = columns.Features.Length, ny = h * nt;

        var model = PersistenceParts.LoadModel(context, "model", out var certificate);
        bool ci = context.Properties["channelIndependent"] is JsonValue civ && civ.TryGetValue<bool>(out var cib)
            && cib;
        bool recurrent = context.Properties["recurrentCorrection"] is not JsonValue rv
            || !rv.TryGetValue<bool>(out var rb) || rb;
        bool differences = context.Properties["differenceInputs"] is JsonValue dv && dv.TryGetValue<bool>(out var db)
            && db;
        int modelInputs = Forecaster.ModelInputs(nt, nf, ci), modelOutputs = Forecaster.ModelOutputs(h, nt, ci);
        if (model.InputSize != modelInputs || model.OutputSize != modelOutputs)
            throw ModelFileErrors.Damaged($"the model has {model.InputSize} inputs and {model.OutputSize} outputs; " +
                                          $"the columns need {modelInputs} and {modelOutputs}.");
        LinearForecastPath? linear = null;
        if (context.Properties["linear"] is JsonObject lo)
        {
            var lc = new ArchiveLoadContext(lo, "", new Dictionary<string, (int[], double[])>());
            int lookback = lc.GetInt32("lookback");
            if (lookback < 2 || lookback > 100_000)
                throw ModelFileErrors.Damaged($"the linear path's look-back {lookback} is not in [2, 100000].");
            var weights = PersistenceParts.Vector2(context, "linear/weights", lookback - 1, h);
            var bias = PersistenceParts.Vector(context, "linear/bias", h);
            linear = new LinearForecastPath(lookback, h, weights, bias, lc.GetDouble("ridge"));
        }
        var targets = PersistenceParts.LoadStandardizer(context, "target", nt);
        var features = PersistenceParts.LoadStandardizer(context, "feature", nf);
        var residuals = PersistenceParts.Matrix(context, "calibrationResiduals", ny);
        foreach (var r in residuals)
        {
            if (r.Any(v => !(v >= 0) || !float.IsFinite(v)))
                throw ModelFileErrors.Damaged("a calibration residual is negative or not finite.");
            Array.Sort(r);
        }
        if (columns.HasBounds && residuals[0].Length == 0)
            throw ModelFileErrors.Damaged("the forecaster has confidence bound columns but no calibration residuals.");
        var lossData = context.GetArray("trainingLoss").Data;

        var core = new ForecastCore(Forecaster.FromParts(model, h, nt, nf, targets, features, residuals, level, linear,
                                                         recurrent, ci, differences));
        var settings = context.Properties["training"] is JsonObject o ? (JsonObject)o.DeepClone() : [];

        Dictionary<string, ForecastSeriesState>? states = null;
        string? current = null;
        if (context.Properties["engineState"] is JsonObject engine)
        {
            var stateContext = new ArchiveLoadContext(engine, "", context.NestedArrays("engineState"));
            var ids = stateContext.GetStrings("series");
            current = PersistenceParts.OptionalString(stateContext, "current");
            if (current is not null && !ids.Contains(current))
                throw ModelFileErrors.Damaged($"the engine's current series '{current}' has no state.");
            var x = PersistenceParts.Matrix(stateContext, "x", ids.Length, model.StateSize * (ci ? nt : 1));
            var history = linear is null
                ? null : PersistenceParts.Matrix(stateContext, "history", ids.Length, nt * linear.Lookback);
            var output = PersistenceParts.Matrix(stateContext, "output", ids.Length, ny);
            var lastTargets = PersistenceParts.Matrix(stateContext, "lastTargets", ids.Length, nt);
            var lastFeatures = PersistenceParts.Matrix(stateContext, "lastFeatures", ids.Length, nf);
            var steps = PersistenceParts.Vector(stateContext, "steps", ids.Length);
            states = new Dictionary<string, ForecastSeriesState>(StringComparer.Ordinal);
            for (int i = 0; i < ids.Length; i++)
            {
                if (x[i].Any(v => !float.IsFinite(v)) || output[i].Any(v => !float.IsFinite(v)) || !(steps[i] >= 0)
                    || steps[i] > long.MaxValue / 2)
                    throw ModelFileErrors.Damaged($"the engine state of series '{ids[i]}' is not finite.");
                if (!states.TryAdd(ids[i],
                                   new ForecastSeriesState(x[i], output[i], (long)steps[i], lastTargets[i],
                                                           lastFeatures[i], history?[i])))
                    throw ModelFileErrors.Damaged($"the engine state lists series '{ids[i]}' twice.");
            }
        }
        return new ForecastingTransformer(columns, inputTypes, core, missing, settings, lossData, certificate, states,
                                          current);
    }
}
