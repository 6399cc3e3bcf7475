using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.Simulation;

namespace Microsoft.ML.R2DN.Simulation;

/// <summary>A trained R2DN or REN simulator: adds, for every output, a column of the outputs predicted from the inputs
/// alone.</summary>
/// <remarks>
/// <para><see cref="Transform"/> effectively computes, for every series (rows grouped by
/// <see cref="SeriesIdColumnName"/>, in order) from a zero state, ŷ_t = model(u_0, …, u_t), and writes output i of
/// ŷ_t to <see cref="PredictedColumnNames"/>[i] (<c>Single</c>). Only the input (and series id) columns are needed.
/// With an initial-state encoder (<see cref="EncoderWindow"/> n &gt; 0) and the output columns in the view, the first
/// n rows of each series are simulated from the zero state and every later row from the state the encoder estimates
/// from those n rows' measured inputs and outputs (no later measured output is read); a series whose window holds a
/// missing output, or a view without the output columns, starts from the zero state. Columns are computed when a
/// cursor first reads them, for the whole view at once. The first <see cref="Washout"/> rows of each series are
/// predicted too, but the model has not yet forgotten its initial state there; <see cref="Nrmse"/> leaves them
/// out.</para>
/// <para>Saved with <c>ml.Model.Save</c>; loading re-verifies <see cref="Certificate"/>.</para>
/// </remarks>
/// <threadsafety>Immutable and safe to share across threads.</threadsafety>
public sealed class SimulationTransformer : ITransformer
{
    internal const string LoaderName = "SimulationTransformer";

    private readonly Lazy<TransformerChain<ITransformer>> _carrier;
    private readonly SimulationColumns _columns;
    private readonly Simulator _simulator;
    private readonly MissingValuePolicy _missingValues;
    private readonly JsonObject _settings;
    private readonly double[] _trainingLoss;

    internal SimulationTransformer(SimulationColumns columns, DataViewSchema inputTypes, Simulator simulator,
                                   int washout, MissingValuePolicy missingValues, JsonObject settings,
                                       double[] trainingLoss, Certificate certificate)
    {
        _columns = columns; InputTypes = inputTypes; _simulator = simulator; Washout = washout;
        _missingValues = missingValues; _settings = settings;
        _trainingLoss = trainingLoss; Certificate = certificate;
        _carrier = new(() => MlNetCarrier.Build(this, InputTypes, ScoredColumns, _columns.SeriesId));
    }

    /// <summary>The encoder's window n when the model starts each record from the state an encoder estimates from its
    /// first n measured rows (then <see cref="Transform"/> reads the output columns of those rows too); 0 when every
    /// record starts from the zero state.</summary>
    public int EncoderWindow => _simulator.Encoder?.Window ?? 0;

    // The columns the saved chain's scorer reads: the inputs, and the outputs for an encoder.
    internal string[] ScoredColumns => EncoderWindow > 0 ? [.. _columns.Inputs, .. _columns.Outputs] : _columns.Inputs;

    /// <summary>The measured output columns y the model was trained on (read only by <see cref="Nrmse"/>).</summary>
    public IReadOnlyList<string> OutputColumnNames => _columns.Outputs;

    /// <summary>The input columns u.</summary>
    public IReadOnlyList<string> InputColumnNames => _columns.Inputs;

    /// <summary>The columns the predicted outputs are written to, one per output.</summary>
    public IReadOnlyList<string> PredictedColumnNames => _columns.Predicted;

    /// <summary>The series id column, or null when all rows are one series.</summary>
    public string? SeriesIdColumnName => _columns.SeriesId;

    /// <summary>The number of leading rows of each series that <see cref="Nrmse"/> leaves out.</summary>
    public int Washout { get; }

    /// <summary>Whether the model is an R2DN or a REN.</summary>
    public ModelKind ModelKind => _simulator.Model is R2dn ? ModelKind.R2dn : ModelKind.Ren;

    /// <summary>The number of trainable parameters of the model.</summary>
    public int ParameterCount => _simulator.Model.ParameterCount;

    /// <summary>The model's robustness certificate, recomputed when the model is loaded.</summary>
    public Certificate Certificate { get; }

    /// <summary>The training loss of each epoch (the paper's loss, standardised units).</summary>
    public IReadOnlyList<double> TrainingLoss => _trainingLoss;

    /// <summary>The missing-value policy the model was trained with (also applied when scoring).</summary>
    public MissingValuePolicy MissingValues => _missingValues;

    /// <summary>The training settings as stored in the model file.</summary>
    internal JsonObject Settings => _settings;

    /// <summary>The settings the simulator was trained with, as JSON (as stored in the model file): model kind,
    /// robustness,
    /// sizes, activation, initialisation, learning rate, epochs, seed and, for a forecaster, the linear path's
    /// look-back and the settings tried on the validation data with their scores. Empty ("{}") for a model saved
    /// without them.</summary>
    public string TrainingSettings =>
        _settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    internal Simulator Simulator => _simulator;

    internal SimulationColumns Columns => _columns;

    internal DataViewSchema InputTypes { get; }

    /// <summary>False: a simulated output depends on every input before it in its series, so ML.NET's
    /// <c>CreatePredictionEngine</c> refuses the model; Transform whole series instead.</summary>
    bool ITransformer.IsRowToRowMapper => false;

    /// <summary>Not supported: a simulator is not row-to-row.</summary>
    /// <exception cref="InvalidOperationException">Always, saying what to use instead.</exception>
    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw ForecastingTransformer.NotRowToRow();

    /// <summary>Saves the model as ML.NET components (see <see cref="ForecastingTransformer"/>).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_carrier.Value).Save(ctx);

    /// <summary>The input schema followed by one <c>Single</c> column per predicted output.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input or series id column is missing or has the wrong
    /// type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _columns.OutputSchema(inputSchema);

    /// <summary>Adds the predicted output columns to <paramref name="input"/>, lazily.</summary>
    /// <param name="input">The data, with the input and series id columns; rows of each series in time order.</param>
    /// <returns>A view with the added columns.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type.</exception>
    /// <remarks>When the added columns are read, a NaN or infinite input throws <see cref="InvalidOperationException"/>
    /// naming the column and row, unless the model was trained with
    /// <see cref="MissingValuePolicy.ForwardFill"/>.</remarks>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _columns.CheckInput(input.Schema, withOutputs: false);
        var result = new LazyPrediction(this, input);
        var builder = new ColumnAppendingDataView.Builder(input);
        for (int i = 0; i < _columns.Predicted.Length; i++)
        {
            int output = i;
            builder.AddColumn(_columns.Predicted[i], () => result.Get()[output]);
        }
        return builder.Build();
    }

    /// <summary>The paper's normalised error over <paramref name="data"/>: NRMSE = sqrt(Σ(y − ŷ)² / Σy²), pooled
    /// over series, outputs and rows after the first <see cref="Washout"/> of each series, in the units the model was
    /// trained in (standardised unless <see cref="RecurrentSimulationOptions.Standardize"/> was false).</summary>
    /// <param name="data">Data with the input, output and series id columns; not null.</param>
    /// <returns>The NRMSE as a fraction (0 is perfect; 1 is as good as predicting the mean); NaN when no row is left
    /// after the washout.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite under
    /// <see cref="MissingValuePolicy.Error"/>.</exception>
    public double Nrmse(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _columns.CheckInput(data.Schema, withOutputs: true);
        var table = SeriesTable.Read(data, _columns.InputAndOutputValues, _columns.SeriesId, _missingValues,
                                     training: true, default,
                                     nameof(data));
        int nu = _columns.Inputs.Length, ny = _columns.Outputs.Length, width = nu + ny;
        var sequences = table.Items.Select(s => new SequenceData(s.Columns(width, 0, nu), nu, s.Columns(width, nu, ny),
                                                                 ny, s.Id)).ToList();
        return _simulator.Nrmse(sequences, Washout);
    }

    // Every row in order through SimulationRowScorer, as the saved model scores them.
    private float[][] Compute(IDataView input)
    {
        bool outputs = EncoderWindow > 0 && _columns.Outputs.All(c => ColumnChecks.IsNumeric(input.Schema, c));
        var scorer = new SimulationRowScorer(this, outputs);
        int ny = _columns.Outputs.Length;
        var rows = new List<float[]>();
        RowReading.ForEachRow(input, outputs ? ScoredColumns : _columns.Inputs, _columns.SeriesId, (id, u, position) =>
        {
            var y = new float[ny];
            scorer.Next(id, u, position, y);
            rows.Add(y);
        });
        var columns = new float[ny][];
        for (int i = 0; i < ny; i++)
        {
            columns[i] = new float[rows.Count];
            for (int t = 0; t < rows.Count; t++) columns[i][t] = rows[t][i];
        }
        return columns;
    }

    // One computation shared by the predicted columns of one Transform call; failures are not cached.
    private sealed class LazyPrediction(SimulationTransformer owner, IDataView input)
    {
        private readonly Lock _lock = new();
        private float[][]? _result;

        public float[][] Get()
        {
            lock (_lock)
                return _result ??= owner.Compute(input);
        }
    }

    internal void Save(ArchiveSaveContext context)
    {
        var p = context.Properties;
        p["outputColumns"] = PersistenceParts.Strings(_columns.Outputs);
        p["inputColumns"] = PersistenceParts.Strings(_columns.Inputs);
        p["predictedColumns"] = PersistenceParts.Strings(_columns.Predicted);
        p["seriesIdColumn"] = _columns.SeriesId;
        p["washout"] = Washout;
        p["missingValues"] = _missingValues.ToString();
        p["training"] = _settings.DeepClone();
        PersistenceParts.SaveModel(context, "model", _simulator.Model);
        PersistenceParts.SaveStandardizer(context, "input", _simulator.InputScaling);
        PersistenceParts.SaveStandardizer(context, "output", _simulator.OutputScaling);
        context.AddArray("trainingLoss", [_trainingLoss.Length], (double[])_trainingLoss.Clone());
        if (_simulator.Encoder is { } encoder)
        {
            p["encoder"] = new JsonObject
            {
                ["window"] = encoder.Window,
                ["hiddenSizes"] = new JsonArray([.. encoder.HiddenSizes.Select(h => (JsonNode)h)]),
            };
            context.AddArray("encoder/parameters", [encoder.ParameterCount], (double[])encoder.Parameters.Clone());
        }
    }

    // The encoder of a saved simulator, or null: its window, hidden widths and parameters.
    private static StateEncoder? LoadEncoder(ArchiveLoadContext context, RecurrentModel model)
    {
        if (context.Properties["encoder"] is not JsonObject e) return null;
        var shape = new ArchiveLoadContext(e, "", new Dictionary<string, (int[], double[])>());
        int window = shape.GetInt32("window");
        var hidden = e["hiddenSizes"] is JsonArray list
            ? list.Select(n => ManifestValues.TryGetInt32(n, out int h) ? h : -1).ToArray()
            : throw ModelFileErrors.Damaged("the encoder has no list of hidden widths.");
        if (window is < 1 or > 10_000 || hidden.Any(h => h is < 1 or > 4096))
            throw ModelFileErrors.Damaged("the encoder's window or widths are out of range.");
        int count = StateEncoder.CountParameters(window, model.InputSize, model.OutputSize, model.StateSize, hidden);
        var parameters = PersistenceParts.Vector(context, "encoder/parameters", count);
        try
        {
            return StateEncoder.FromParameters(window, model.InputSize, model.OutputSize, model.StateSize, hidden,
                                               parameters);
        }
        catch (ArgumentException x)
        {
            throw ModelFileErrors.Damaged($"the encoder's parameters are not usable ({x.Message})", x);
        }
    }

    /// <summary>Rebuilds a saved simulator (found by the transformer registry).</summary>
    internal static SimulationTransformer Load(ArchiveLoadContext context, DataViewSchema inputTypes)
    {
        var columns = new SimulationColumns(context.GetStrings("outputColumns"), context.GetStrings("inputColumns"),
                                            context.GetStrings("predictedColumns"),
                                                PersistenceParts.OptionalString(context, "seriesIdColumn"));
        columns.CheckLoaded();
        // the recorded input columns must have types the model reads (the outputs too, for an encoder)
        columns.CheckInput(inputTypes, withOutputs: context.Properties["encoder"] is JsonObject);
        int washout = context.GetInt32("washout");
        if (washout < 0) throw ModelFileErrors.Damaged($"the washout {washout} is negative.");
        var missing = PersistenceParts.Enum<MissingValuePolicy>(context, "missingValues");
        var model = PersistenceParts.LoadModel(context, "model", out var certificate);
        int nu = columns.Inputs.Length, ny = columns.Outputs.Length;
        if (model.InputSize != nu || model.OutputSize != ny)
            throw ModelFileErrors.Damaged($"the model has {model.InputSize} inputs and {model.OutputSize} outputs; " +
                                          $"the columns need {nu} and {ny}.");
        var simulator = Simulator.FromParts(model, PersistenceParts.LoadStandardizer(context, "input", nu),
                                            PersistenceParts.LoadStandardizer(context, "output", ny),
                                            LoadEncoder(context, model));
        var settings = context.Properties["training"] is JsonObject o ? (JsonObject)o.DeepClone() : [];
        return new SimulationTransformer(columns, inputTypes, simulator, washout, missing, settings,
                                         context.GetArray("trainingLoss").Data, certificate);
    }
}
