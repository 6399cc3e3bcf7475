using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Data;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Simulation;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>The names of the temporary columns of a saved model's ML.NET chain; input data must not use the prefix.</summary>
internal static class CarrierColumns
{
    public const string Prefix = "__r2dn_";
    public const string Key = Prefix + "key";
    public const string NoSeries = Prefix + "noseries";
    public const string Model = Prefix + "model";
    public const string InputPrefix = Prefix + "in";
    public const string Input = Prefix + "input";
    public const string SeriesValue = Prefix + "seriesvalue";
    public const string Series = Prefix + "series";
    public const string Forecast = Prefix + "forecast";
    public const string Lower = Prefix + "lower";
    public const string Upper = Prefix + "upper";
    public const string PredictedPrefix = Prefix + "p";
}

/// <summary>Infrastructure: the columns the saved model's scorer reads.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierRow
{
    /// <summary>Infrastructure: the serialised model (base64 of the model archive).</summary>
    [ColumnName(CarrierColumns.Model)] public ReadOnlyMemory<char> Model;

    /// <summary>Infrastructure: the numeric values of the row, as Single.</summary>
    [ColumnName(CarrierColumns.Input), VectorType] public float[] Input = [];

    /// <summary>Infrastructure: the series id as text.</summary>
    [ColumnName(CarrierColumns.Series)] public ReadOnlyMemory<char> Series;
}

/// <summary>Infrastructure: what the key mapping reads (nothing).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierKeyInput;

/// <summary>Infrastructure: the lookup key of the model bytes and the series id of single-series models.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierKey
{
    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.Key)] public int Key;

    /// <summary>Infrastructure.</summary>
    [ColumnName(CarrierColumns.NoSeries)] public string NoSeries = "";
}

/// <summary>Infrastructure: produces the lookup key of a saved model's bytes.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CarrierKeyFactory : CustomMappingFactory<CarrierKeyInput, CarrierKey>
{
    internal const string ContractName = "Microsoft.ML.R2DN.ModelKey";

    /// <summary>Infrastructure.</summary>
    public override Action<CarrierKeyInput, CarrierKey> GetMapping() => CarrierMapping.Key;
}

/// <summary>Infrastructure: the per-cursor state of a saved model's scorer.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierState
{
    internal ReadOnlyMemory<char> ModelText;
    internal ForecastRowScorer? Forecaster;
    internal SimulationRowScorer? Simulator;
    internal long Row;
}

/// <summary>Infrastructure: the forecast columns of one size tier.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ForecastCarrierOutput
{
    internal abstract float[] ForecastValues { get; }

    internal abstract float[] LowerValues { get; }

    internal abstract float[] UpperValues { get; }
}

/// <summary>The mapping functions ML.NET calls for every row of a saved model (state per cursor, rows in order).</summary>
internal static class CarrierMapping
{
    public static void Key(CarrierKeyInput source, CarrierKey destination)
    {
        destination.Key = 1;
        destination.NoSeries = "";
    }

    public static void Init(CarrierState state) { }

    public static void Forecast<TOut>(CarrierRow source, TOut destination, CarrierState state) where TOut : ForecastCarrierOutput
    {
        if (state.Forecaster is null || !source.Model.Equals(state.ModelText))
        {
            var model = ModelTextCache.Get(source.Model) as ForecastingTransformer
                ?? throw new FormatException("The model file is damaged: a forecaster's scorer holds another kind of model.");
            state.Forecaster = new ForecastRowScorer(model);
            state.ModelText = source.Model;
        }
        state.Forecaster.Next(source.Series.ToString(), source.Input, state.Row++, destination.ForecastValues,
                              destination.LowerValues, destination.UpperValues);
    }

    public static void Simulate(CarrierRow source, SimulationCarrierOutput destination, CarrierState state)
    {
        if (state.Simulator is null || !source.Model.Equals(state.ModelText))
        {
            var model = ModelTextCache.Get(source.Model) as SimulationTransformer
                ?? throw new FormatException("The model file is damaged: a simulator's scorer holds another kind of model.");
            state.Simulator = new SimulationRowScorer(model);
            state.ModelText = source.Model;
        }
        Span<float> y = stackalloc float[Math.Min(state.Simulator.OutputSize, SimulationCarrierOutput.Capacity)];
        state.Simulator.Next(source.Series.ToString(), source.Input, state.Row++, y);
        destination.Set(y);
    }
}

/// <summary>Decoded models by their text, so that each cursor of a loaded model does not re-read and re-verify it.</summary>
internal static class ModelTextCache
{
    private const int Capacity = 8;
    private static readonly Lock s_lock = new();
    private static readonly List<(string Text, ITransformer Model)> s_entries = [];

    public static ITransformer Get(ReadOnlyMemory<char> text)
    {
        lock (s_lock)
            foreach (var (t, m) in s_entries)
                if (text.Span.SequenceEqual(t)) return m;
        string s = text.ToString();
        var model = MlNetCarrier.Decode(s);
        lock (s_lock)
        {
            if (s_entries.Count == Capacity) s_entries.RemoveAt(0);
            s_entries.Add((s, model));
        }
        return model;
    }
}

/// <summary>
/// How an R2DN/REN transformer becomes a real ML.NET model file with public API only. ML.NET's <c>ModelSaveContext</c>
/// has no public member, so a transformer cannot write itself; instead it hands the save to a small chain of saveable
/// ML.NET transformers: a custom mapping that makes a constant key, a <c>ValueMapping</c> from that key to the model's
/// own archive (base64, stored inside the zip), type conversions that gather the value columns into one vector, a
/// stateful custom mapping from this assembly that scores the rows in order, a count-based slot selection that gives the
/// forecast vector its exact size, and copies and drops that restore the user's column names. <c>mlContext.Model.Load</c>
/// rebuilds that chain (finding the factories by contract name in this assembly), so a loaded model scores without any
/// help, and <see cref="TryRecover"/> recovers the transformer from it.
/// </summary>
internal static partial class MlNetCarrier
{
    /// <summary>The chain that stands for <paramref name="model"/> in a model file and after loading.</summary>
    public static TransformerChain<ITransformer> Build(ITransformer model, DataViewSchema inputs,
                                                       string[] valueColumns, string? seriesId)
    {
        var ml = new MLContext(seed: 0);
        IDataView view = new EmptyDataView(inputs);
        var parts = new List<ITransformer>();
        var temporary = new List<string>();
        void Add(IEstimator<ITransformer> estimator)
        {
            var t = estimator.Fit(view);
            view = t.Transform(view);
            parts.Add(t);
        }

        string text = Convert.ToBase64String(Encode(model));
        var lookup = ml.Data.LoadFromEnumerable(new[] { new ModelEntry { Key = 1, Model = text } });
        Add(ml.Transforms.CustomMapping<CarrierKeyInput, CarrierKey>(CarrierMapping.Key, CarrierKeyFactory.ContractName));
        Add(ml.Transforms.Conversion.MapValue(CarrierColumns.Model, lookup, lookup.Schema[nameof(ModelEntry.Key)],
                                              lookup.Schema[nameof(ModelEntry.Model)], CarrierColumns.Key));
        var converted = new string[valueColumns.Length];
        for (int i = 0; i < valueColumns.Length; i++)
        {
            converted[i] = CarrierColumns.InputPrefix + i;
            Add(ml.Transforms.Conversion.ConvertType(converted[i], valueColumns[i], DataKind.Single));
        }
        Add(ml.Transforms.Concatenate(CarrierColumns.Input, converted));
        if (seriesId is null)
            Add(ml.Transforms.CopyColumns(CarrierColumns.Series, CarrierColumns.NoSeries));
        else
        {
            string source = seriesId;
            if (view.Schema[seriesId].Type is KeyDataViewType)
            {
                Add(ml.Transforms.Conversion.MapKeyToValue(CarrierColumns.SeriesValue, seriesId));
                source = CarrierColumns.SeriesValue;
                temporary.Add(source);
            }
            Add(ml.Transforms.Conversion.ConvertType(CarrierColumns.Series, source, DataKind.String));
        }
        temporary.AddRange([CarrierColumns.Key, CarrierColumns.NoSeries, CarrierColumns.Model, .. converted, CarrierColumns.Input, CarrierColumns.Series]);

        switch (model)
        {
            case ForecastingTransformer f:
            {
                int size = f.Core.OutputSize;
                int tier = ForecastTiers.First(t => t >= size);
                Add(ForecastMapping(ml, tier));
                temporary.AddRange([CarrierColumns.Forecast, CarrierColumns.Lower, CarrierColumns.Upper]);
                var outputs = new List<(string From, string To)> { (CarrierColumns.Forecast, f.OutputColumnName) };
                if (f.Columns.HasBounds)
                    outputs.AddRange([(CarrierColumns.Lower, f.ConfidenceLowerBoundColumn!), (CarrierColumns.Upper, f.ConfidenceUpperBoundColumn!)]);
                foreach (var (from, to) in outputs)
                {
                    if (tier == size)
                    {
                        Add(ml.Transforms.CopyColumns(to, from));
                        continue;
                    }
                    // Keep slots [0, size): fitted on one row whose first `size` slots are non-zero.
                    var ones = new float[tier];
                    Array.Fill(ones, 1f, 0, size);
                    var definition = SchemaDefinition.Create(typeof(SlotRow));
                    definition[0].ColumnName = from;
                    definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, tier);
                    var sample = ml.Data.LoadFromEnumerable(new[] { new SlotRow { Values = ones } }, definition);
                    var select = ml.Transforms.FeatureSelection.SelectFeaturesBasedOnCount(to, from, count: 1).Fit(sample);
                    view = select.Transform(view);
                    parts.Add(select);
                }
                break;
            }
            case SimulationTransformer s:
            {
                Add(ml.Transforms.StatefulCustomMapping<CarrierRow, SimulationCarrierOutput, CarrierState>(
                    CarrierMapping.Simulate, CarrierMapping.Init, SimulationCarrierFactory.ContractName));
                var predicted = s.PredictedColumnNames;
                for (int i = 0; i < SimulationCarrierOutput.Capacity; i++) temporary.Add(CarrierColumns.PredictedPrefix + i);
                for (int i = 0; i < predicted.Count; i++) Add(ml.Transforms.CopyColumns(predicted[i], CarrierColumns.PredictedPrefix + i));
                break;
            }
            default:
                throw new ArgumentException($"'{model.GetType().Name}' has no ML.NET form.", nameof(model));
        }
        Add(ml.Transforms.DropColumns([.. temporary]));
        return new TransformerChain<ITransformer>([.. parts]);
    }

    /// <summary>Whether <paramref name="part"/> is the chain <see cref="Build"/> made.</summary>
    public static bool IsCarrier(ITransformer part) =>
        part is TransformerChain<ITransformer> chain && chain.FirstOrDefault() is CustomMappingTransformer<CarrierKeyInput, CarrierKey>;

    /// <summary>Finds the R2DN/REN transformer in a model, as built in memory or as <c>mlContext.Model.Load</c> returned
    /// it: <paramref name="prefix"/> gets the transformers that run before it.</summary>
    public static bool TryRecover(ITransformer model, out ITransformer[] prefix, out ITransformer? recovered)
    {
        var parts = Flatten(model).ToList();
        for (int i = parts.Count - 1; i >= 0; i--)
        {
            ITransformer? found = parts[i] switch
            {
                ForecastingTransformer f => f,
                SimulationTransformer s => s,
                _ when IsCarrier(parts[i]) => Decode(ReadModelText((TransformerChain<ITransformer>)parts[i])),
                _ => null,
            };
            if (found is null) continue;
            if (i != parts.Count - 1)
                throw new ArgumentException("The model has transformers after the R2DN/REN transformer; a time-series engine needs it last.", nameof(model));
            prefix = [.. parts.Take(i)];
            recovered = found;
            return true;
        }
        prefix = [];
        recovered = null;
        return false;
    }

    // Transformer chains nest (a chain saved inside a chain); the carrier is itself a chain and stays whole.
    private static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain && !IsCarrier(model))
        {
            foreach (var t in chain)
                foreach (var inner in Flatten(t))
                    yield return inner;
        }
        else
            yield return model;
    }

    private static string ReadModelText(TransformerChain<ITransformer> carrier)
    {
        var ml = new MLContext(seed: 0);
        var keyView = ml.Data.LoadFromEnumerable(new[] { new CarrierKey { Key = 1 } });
        var mapped = carrier.ElementAt(1).Transform(keyView);
        var column = mapped.Schema.GetColumnOrNull(CarrierColumns.Model)
            ?? throw new FormatException("The model file is damaged: its R2DN/REN part holds no model.");
        using var cursor = mapped.GetRowCursor([column]);
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        if (!cursor.MoveNext()) throw new FormatException("The model file is damaged: its R2DN/REN part holds no model.");
        get(ref value);
        return value.ToString();
    }

    /// <summary>The transformer's own archive: JSON manifest and .npy arrays (see <see cref="ModelArchive"/>).</summary>
    public static byte[] Encode(ITransformer model)
    {
        var (manifest, arrays) = Describe(model);
        using var stream = new MemoryStream();
        ModelArchive.Write(stream, manifest, arrays);
        return stream.ToArray();
    }

    /// <summary>The manifest and arrays of the transformer's archive.</summary>
    public static (JsonObject Manifest, List<(string, int[], double[])> Arrays) Describe(ITransformer model)
    {
        var arrays = new List<(string, int[], double[])>();
        var context = new ArchiveSaveContext("transformers/0/", arrays);
        var inputs = new JsonArray();
        switch (model)
        {
            case ForecastingTransformer f:
                context.Properties["type"] = ForecastingTransformer.LoaderName;
                f.Save(context);
                AddInputs(inputs, f.InputTypes);
                break;
            case SimulationTransformer s:
                context.Properties["type"] = SimulationTransformer.LoaderName;
                s.Save(context);
                AddInputs(inputs, s.InputTypes);
                break;
            default:
                throw new ArgumentException($"'{model.GetType().Name}' is not an R2DN/REN transformer.", nameof(model));
        }
        var manifest = new JsonObject { ["kind"] = "transformer", ["inputSchema"] = inputs, ["transformers"] = new JsonArray(context.Properties) };
        return (manifest, arrays);
    }

    private static void AddInputs(JsonArray inputs, DataViewSchema schema)
    {
        foreach (var c in schema)
        {
            var o = new JsonObject { ["name"] = c.Name, ["type"] = TypeNames.Format(c.Type) };
            if (InputTypes.KeyValueNames(c) is { } keys) o["keyValues"] = new JsonArray([.. keys.Select(k => (JsonNode?)JsonValue.Create(k))]);
            inputs.Add(o);
        }
    }

    /// <summary>Rebuilds a transformer from its base64 archive.</summary>
    /// <exception cref="FormatException">The text or the archive is damaged, too new, or its certificate fails.</exception>
    public static ITransformer Decode(string text)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(text); }
        catch (FormatException e) { throw new FormatException("The model file is damaged: its R2DN/REN model is not valid base64.", e); }
        using var stream = new MemoryStream(bytes, writable: false);
        var (manifest, arrays) = ModelArchive.Read(stream);
        return FromArchive(manifest, arrays);
    }

    /// <summary>Rebuilds a transformer from a read archive.</summary>
    public static ITransformer FromArchive(JsonObject manifest, Dictionary<string, (int[] Shape, double[] Data)> arrays)
    {
        if (manifest["transformers"] is not JsonArray { Count: 1 } list || list[0] is not JsonObject props
            || !ManifestValues.TryGetString(props["type"], out var transformerType))
            throw new FormatException("The model file is damaged: it does not describe one R2DN/REN transformer.");
        if (manifest["inputSchema"] is not JsonArray columns) throw new FormatException("The model file is damaged: the input schema is missing.");
        var list2 = new List<(string, DataViewType, string[]?)>();
        foreach (var c in columns)
        {
            if (c is not JsonObject o || !ManifestValues.TryGetString(o["name"], out var name) || !ManifestValues.TryGetString(o["type"], out var typeName))
                throw new FormatException("The model file is damaged: an input schema column has no name or type.");
            var type = TypeNames.Parse(typeName);
            string[]? keys = null;
            if (o["keyValues"] is JsonArray k)
            {
                keys = [.. k.Select(v => ManifestValues.TryGetString(v, out var t) ? t : throw new FormatException("The model file is damaged: a key value is not text."))];
                if (type is not KeyDataViewType kt || (ulong)keys.Length != kt.Count)
                    throw new FormatException($"The model file is damaged: the key values of '{name}' do not match its type.");
            }
            list2.Add((name, type, keys));
        }
        DataViewSchema inputs;
        try { inputs = InputTypes.Create(list2); }
        catch (ArgumentException e) { throw new FormatException($"The model file is damaged: its input schema is invalid ({e.Message})", e); }
        var context = new ArchiveLoadContext(props, "transformers/0/", arrays);
        try
        {
            return transformerType switch
            {
                ForecastingTransformer.LoaderName => ForecastingTransformer.Load(context, inputs),
                SimulationTransformer.LoaderName => SimulationTransformer.Load(context, inputs),
                _ => throw new FormatException($"The model file contains an unknown transformer type '{transformerType}'."),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or InvalidCastException or IndexOutOfRangeException)
        {
            throw new FormatException($"The model file is damaged: the '{transformerType}' transformer cannot be rebuilt ({e.Message})", e);
        }
    }

    private sealed class ModelEntry
    {
        public int Key { get; set; }

        public string Model { get; set; } = "";
    }

    private sealed class SlotRow
    {
        public float[] Values { get; set; } = [];
    }
}

/// <summary>The column types a model file records for its input columns, written as <c>DataViewType.ToString()</c>
/// does (keys as <c>Key&lt;UInt32, 0-n&gt;</c>).</summary>
internal static class TypeNames
{
    public static string Format(DataViewType type) => type.ToString()!;

    public static DataViewType Parse(string name)
    {
        switch (name)
        {
            case "Single": return NumberDataViewType.Single;
            case "Double": return NumberDataViewType.Double;
            case "Int32": return NumberDataViewType.Int32;
            case "Int64": return NumberDataViewType.Int64;
            case "UInt32": return NumberDataViewType.UInt32;
            case "UInt64": return NumberDataViewType.UInt64;
            case "Boolean": return BooleanDataViewType.Instance;
            case "String": return TextDataViewType.Instance;
            case "DateTime": return DateTimeDataViewType.Instance;
        }
        const string KeyPrefix = "Key<UInt32, 0-";
        if (name.StartsWith(KeyPrefix, StringComparison.Ordinal) && name.EndsWith('>')
            && ulong.TryParse(name[KeyPrefix.Length..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong max)
            && max < uint.MaxValue)
            return new KeyDataViewType(typeof(uint), max + 1);
        throw new FormatException($"The model file is damaged: unknown column type '{name}'.");
    }
}

/// <summary>A view with a schema and no rows: what the carrier's estimators are fitted on.</summary>
internal sealed class EmptyDataView : IDataView
{
    public EmptyDataView(DataViewSchema schema) => Schema = schema;

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewSchema schema, IEnumerable<DataViewSchema.Column> needed) : RowCursorBase(schema, needed, default)
    {
        protected override bool MoveNextCore() => false;

        protected override ValueGetter<TValue> GetGetterCore<TValue>(int index) => (ref TValue value) => value = default!;
    }
}
