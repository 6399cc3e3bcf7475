using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Transforms;

/// <summary>What the transforms of this folder share: argument checks, the "Single or vector of Single" column rule,
/// reading such columns as rows of slots, and reading and writing their saved state.</summary>
internal static class TransformUtils
{
    /// <summary>The pairs after checking them: not null, none null.</summary>
    public static InputOutputColumnPair[] CheckPairs(InputOutputColumnPair[] columns, string paramName)
    {
        ArgumentNullException.ThrowIfNull(columns, paramName);
        if (columns.Length == 0)
            throw new ArgumentException("At least one column pair is needed.", paramName);
        if (columns.Any(c => c is null))
            throw new ArgumentException("The column pairs must not contain null.", paramName);
        return [.. columns];
    }

    /// <summary>One pair from the usual <c>(outputColumnName, inputColumnName = null)</c> arguments.</summary>
    public static InputOutputColumnPair[] Pair(string outputColumnName, string? inputColumnName) =>
        [new InputOutputColumnPair(outputColumnName, inputColumnName)];

    /// <summary>The number of slots of a Single (1, with <paramref name="isVector"/> false) or known-size vector of
    /// Single column, or -1 for any other type.</summary>
    public static int SlotCount(DataViewType type, out bool isVector)
    {
        isVector = false;
        if (type.Equals(NumberDataViewType.Single))
            return 1;
        if (type is VectorDataViewType { IsKnownSize: true } v && v.ItemType.Equals(NumberDataViewType.Single))
        {
            isVector = true;
            return v.Size;
        }
        return -1;
    }

    /// <summary>The type with <paramref name="slots"/> slots: Single, or a vector of Single of that size.</summary>
    public static DataViewType SlotType(int slots, bool isVector) =>
        isVector ? new VectorDataViewType(NumberDataViewType.Single, slots) : NumberDataViewType.Single;

    /// <summary>The visible input column <paramref name="name"/>, which must be Single or a known-size vector of
    /// Single; otherwise the shared schema error.</summary>
    public static DataViewSchema.Column FindSingleOrVector(DataViewSchema schema, string name, out int slots, out bool isVector)
    {
        var column = SchemaErrors.FindColumn(schema, name);
        slots = SlotCount(column.Type, out isVector);
        if (slots < 0)
            throw SchemaErrors.Mismatch("input column", name, "Single or Vector<Single, n>", column.Type.ToString()!);
        return column;
    }

    /// <summary>The visible input column <paramref name="name"/>, which must have exactly the type the transformer was
    /// trained on.</summary>
    public static DataViewSchema.Column FindExact(DataViewSchema schema, string name, int slots, bool isVector) =>
        SchemaErrors.FindColumn(schema, name, SlotType(slots, isVector));

    /// <summary>Checks that a series-id column exists and is String, Int32, Int64, Single or Double (the id types the
    /// trainers accept).</summary>
    public static void CheckSeriesIdColumn(DataViewSchema schema, string? name)
    {
        if (name is null)
            return;
        var column = SchemaErrors.FindColumn(schema, name, "series id column");
        if (!column.Type.Equals(TextDataViewType.Instance) && !column.Type.Equals(NumberDataViewType.Int32)
            && !column.Type.Equals(NumberDataViewType.Int64) && !column.Type.Equals(NumberDataViewType.Single)
            && !column.Type.Equals(NumberDataViewType.Double))
            throw SchemaErrors.Mismatch("series id column", name, "String", column.Type.ToString()!);
    }

    /// <summary>A getter of the column's values as slots: a fresh array per row (views never overwrite what they hand
    /// out).</summary>
    public static Func<float[]> SlotsGetter(DataViewRow row, DataViewSchema.Column column, bool isVector)
    {
        if (!isVector)
        {
            var get = row.GetGetter<float>(column);
            float value = 0;
            return () =>
            {
                get(ref value);
                return [value];
            };
        }
        var getVector = row.GetGetter<ReadOnlyMemory<float>>(column);
        ReadOnlyMemory<float> memory = default;
        return () =>
        {
            getVector(ref memory);
            return memory.ToArray();
        };
    }

    /// <summary>Throws unless a row read from <paramref name="column"/> has <paramref name="slots"/> values.</summary>
    public static float[] CheckLength(float[] row, int slots, string column) =>
        row.Length == slots ? row
        : throw new InvalidOperationException($"A row of column '{column}' has {row.Length} values; expected {slots}.");

    /// <summary>Every row of a Single or vector-of-Single column, as slots, in one pass.</summary>
    public static float[][] ReadSlots(IDataView data, DataViewSchema.Column column, bool isVector, int slots,
                                      CancellationToken cancellation)
    {
        var rows = new List<float[]>(data.GetRowCount() is { } n && n <= Array.MaxLength ? (int)n : 0);
        using var cursor = data.GetRowCursor([column]);
        var get = SlotsGetter(cursor, column, isVector);
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            var row = get();
            if (row.Length != slots)
                throw new InvalidOperationException(
                    $"Row {cursor.Position} of column '{column.Name}' has {row.Length} values; expected {slots}.");
            rows.Add(row);
        }
        return [.. rows];
    }

    /// <summary>Adds an appended column of a Single (from <c>rows[i][0]</c>) or vector type computed once from all
    /// rows.</summary>
    public static void AddComputedColumn(ColumnAppendingDataView.Builder builder, string name, bool isVector, int slots,
                                         Func<float[][]> compute)
    {
        if (isVector)
            builder.AddColumn(name, slots, compute);
        else
            builder.AddColumn(name, () => Array.ConvertAll(compute(), r => r[0]));
    }

    /// <summary>Adds an appended column mapped slot by slot from one Single or vector input column:
    /// <c>output[i] = map(input[i], i)</c>.</summary>
    public static void AddMappedColumn(ColumnAppendingDataView.Builder builder, string outputName, string inputName,
                                       bool isVector, int slots, Func<float, int, float> map)
    {
        if (isVector)
        {
            builder.AddColumn<ReadOnlyMemory<float>>(outputName, SlotType(slots, true), [inputName], row =>
            {
                var get = row.GetGetter<ReadOnlyMemory<float>>(row.Schema[inputName]);
                ReadOnlyMemory<float> input = default;
                return (ref ReadOnlyMemory<float> value) =>
                {
                    get(ref input);
                    var source = input.Span;
                    if (source.Length != slots)
                        throw new InvalidOperationException(
                            $"A row of column '{inputName}' has {source.Length} values; expected {slots}.");
                    var result = new float[slots];
                    for (int i = 0; i < slots; i++)
                        result[i] = map(source[i], i);
                    value = result;
                };
            });
        }
        else
        {
            builder.AddColumn<float>(outputName, NumberDataViewType.Single, [inputName], row =>
            {
                var get = row.GetGetter<float>(row.Schema[inputName]);
                return (ref float value) =>
                {
                    get(ref value);
                    value = map(value, 0);
                };
            });
        }
    }

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray ToJson(IEnumerable<string> values) =>
        new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    /// <summary>Writes column pairs as the <c>outputColumns</c> and <c>inputColumns</c> properties.</summary>
    public static void SavePairs(ModelSaveContext context, IReadOnlyList<InputOutputColumnPair> columns)
    {
        context.Properties["outputColumns"] = ToJson(columns.Select(c => c.OutputColumnName));
        context.Properties["inputColumns"] = ToJson(columns.Select(c => c.InputColumnName));
    }

    /// <summary>Reads the pairs written by <see cref="SavePairs"/>.</summary>
    public static InputOutputColumnPair[] LoadPairs(ModelLoadContext context)
    {
        var outputs = context.GetStrings("outputColumns");
        var inputs = context.GetStrings("inputColumns");
        if (outputs.Length == 0 || outputs.Length != inputs.Length || outputs.Concat(inputs).Any(string.IsNullOrEmpty))
            throw new FormatException(
                $"The model file is damaged: a '{context.Properties["type"]}' transformer must list as many non-empty input as output columns.");
        return [.. outputs.Zip(inputs, (o, i) => new InputOutputColumnPair(o, i))];
    }

    /// <summary>Reads an optional string property: null when absent or JSON null.</summary>
    public static string? GetOptionalString(ModelLoadContext context, string name)
    {
        var node = context.Properties[name];
        if (node is null)
            return null;
        return ModelFiles.ManifestValues.TryGetString(node, out var value)
            ? value
            : throw new FormatException($"The model file is damaged: the property '{name}' of a '{context.Properties["type"]}' transformer must be a string.");
    }

    /// <summary>A required array of exactly <paramref name="length"/> booleans.</summary>
    public static bool[] GetBooleans(ModelLoadContext context, string name, int length)
    {
        if (context.Properties[name] is not JsonArray array || array.Count != length)
            throw new FormatException(
                $"The model file is damaged: the property '{name}' of a '{context.Properties["type"]}' transformer must list {length} booleans.");
        var result = new bool[length];
        for (int i = 0; i < length; i++)
            if (!ModelFiles.ManifestValues.TryGetBoolean(array[i], out result[i]))
                throw new FormatException(
                    $"The model file is damaged: the property '{name}' of a '{context.Properties["type"]}' transformer must list {length} booleans.");
        return result;
    }

    /// <summary>A saved array of exactly <paramref name="length"/> values.</summary>
    public static double[] GetVector(ModelLoadContext context, string name, int length)
    {
        var (shape, data) = context.GetArray(name);
        if (shape.Length != 1 || shape[0] != length || data.Length != length)
            throw new FormatException(
                $"The model file is damaged: the array '{name}' of a '{context.Properties["type"]}' transformer must hold {length} values.");
        return data;
    }

    /// <summary>Calls a generic method of <paramref name="owner"/> with the type argument <paramref name="typeArgument"/>,
    /// without wrapping its exceptions.</summary>
    public static object? InvokeGeneric(Type owner, string method, Type typeArgument, params object?[] arguments) =>
        owner.GetMethod(method, BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!
             .MakeGenericMethod(typeArgument)
             .Invoke(null, BindingFlags.DoNotWrapExceptions, null, arguments, null);
}
