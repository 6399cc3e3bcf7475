using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Transforms;

/// <summary>Joins Single and vector-of-Single columns into one vector of Single: <c>ml.Transforms.Concatenate</c>.
/// Fitting learns nothing.</summary>
/// <remarks>The output's values are the inputs' values in the order the columns are listed. Its type is
/// <c>Vector&lt;Single, n&gt;</c> with n the total size when every input has a known size, otherwise
/// <c>Vector&lt;Single&gt;</c> (the length may vary between rows).</remarks>
public sealed class ColumnConcatenatingEstimator : IEstimator<ColumnConcatenatingTransformer>
{
    private readonly MLContext _context;
    private readonly string _outputColumnName;
    private readonly string[] _inputColumnNames;

    internal ColumnConcatenatingEstimator(MLContext context, string outputColumnName, string[] inputColumnNames)
    {
        _context = context;
        _outputColumnName = outputColumnName;
        _inputColumnNames = inputColumnNames;
    }

    /// <summary>Checks the input columns and returns the transformer.</summary>
    /// <param name="input">The data; only its schema is used. Not null.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is neither Single nor a vector of
    /// Single.</exception>
    public ColumnConcatenatingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return new ColumnConcatenatingTransformer(_context, _outputColumnName, _inputColumnNames);
    }

    /// <summary>The input schema followed by the joined column.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is neither Single nor a vector of
    /// Single.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        ColumnConcatenatingTransformer.OutputSchema(inputSchema, _outputColumnName, _inputColumnNames, out _);
}

/// <summary>Joins Single and vector-of-Single columns into one vector of Single, lazily: the result of
/// <see cref="ColumnConcatenatingEstimator"/>.</summary>
[PersistableTransformer(PersistedName)]
public sealed class ColumnConcatenatingTransformer : ITransformer, IPersistableTransformer
{
    private const string PersistedName = "Concatenate";
    private readonly MLContext? _context;
    private readonly string[] _inputColumnNames;

    internal ColumnConcatenatingTransformer(MLContext? context, string outputColumnName, string[] inputColumnNames)
    {
        _context = context;
        OutputColumnName = outputColumnName;
        _inputColumnNames = inputColumnNames;
    }

    /// <summary>The name of the joined column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The joined columns, in order.</summary>
    public IReadOnlyList<string> InputColumnNames => _inputColumnNames;

    string IPersistableTransformer.TypeName => PersistedName;

    /// <summary>The input schema followed by the joined column.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is neither Single nor a vector of
    /// Single.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        OutputSchema(inputSchema, OutputColumnName, _inputColumnNames, out _);

    /// <summary>Appends the joined column; its values are computed when a cursor reads them.</summary>
    /// <param name="input">The data; not null.</param>
    /// <returns>The lazy output view.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is neither Single nor a vector of
    /// Single.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = OutputSchema(input.Schema, OutputColumnName, _inputColumnNames, out var outputType);
        var inputs = _inputColumnNames;
        var builder = new ColumnAppendingDataView.Builder(input, _context?.CancellationToken ?? default);
        builder.AddColumn<ReadOnlyMemory<float>>(OutputColumnName, outputType, inputs.Distinct(StringComparer.Ordinal), row =>
        {
            var getters = inputs.Select(name =>
            {
                var column = row.Schema[name];
                return TransformUtils.SlotsGetter(row, column, column.Type is VectorDataViewType);
            }).ToArray();
            return (ref ReadOnlyMemory<float> value) =>
            {
                var parts = new float[getters.Length][];
                int total = 0;
                for (int i = 0; i < getters.Length; i++)
                {
                    parts[i] = getters[i]();
                    total += parts[i].Length;
                }
                var result = new float[total];
                int offset = 0;
                foreach (var part in parts)
                {
                    part.CopyTo(result, offset);
                    offset += part.Length;
                }
                value = result;
            };
        });
        return builder.Build();
    }

    void IPersistableTransformer.Save(ModelSaveContext context)
    {
        context.Properties["outputColumn"] = OutputColumnName;
        context.Properties["inputColumns"] = TransformUtils.ToJson(_inputColumnNames);
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        string output = context.GetString("outputColumn");
        var inputs = context.GetStrings("inputColumns");
        if (output.Length == 0 || inputs.Length == 0 || inputs.Any(string.IsNullOrEmpty))
            throw new FormatException($"The model file is damaged: a '{PersistedName}' transformer needs an output and at least one input column.");
        return new ColumnConcatenatingTransformer(context.Context, output, inputs);
    }

    internal static DataViewSchema OutputSchema(DataViewSchema inputSchema, string outputColumnName, string[] inputColumnNames,
                                                out VectorDataViewType outputType)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        int total = 0;
        bool known = true;
        foreach (var name in inputColumnNames)
        {
            var column = SchemaErrors.FindColumn(inputSchema, name);
            if (column.Type.Equals(NumberDataViewType.Single))
                total += 1;
            else if (column.Type is VectorDataViewType v && v.ItemType.Equals(NumberDataViewType.Single))
            {
                total += v.Size;
                known &= v.IsKnownSize;
            }
            else
                throw SchemaErrors.Mismatch("input column", name, "Single or Vector<Single>", column.Type.ToString()!);
        }
        outputType = new VectorDataViewType(NumberDataViewType.Single, known ? total : 0);
        return new DataViewSchema.Builder().AddColumns(inputSchema).AddColumn(outputColumnName, outputType).ToSchema();
    }
}
