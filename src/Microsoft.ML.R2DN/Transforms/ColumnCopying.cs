using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Transforms;

/// <summary>Copies columns under new names: <c>ml.Transforms.CopyColumns</c>. Fitting learns nothing.</summary>
/// <remarks>Any column type can be copied. A copy named like an existing column hides it (see
/// <see cref="DataViewSchema"/>).</remarks>
public sealed class ColumnCopyingEstimator : IEstimator<ColumnCopyingTransformer>
{
    private readonly MLContext _context;
    private readonly InputOutputColumnPair[] _columns;

    internal ColumnCopyingEstimator(MLContext context, InputOutputColumnPair[] columns)
    {
        _context = context;
        _columns = columns;
    }

    /// <summary>Checks the input columns and returns the transformer.</summary>
    /// <param name="input">The data; only its schema is used. Not null.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing.</exception>
    public ColumnCopyingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        return new ColumnCopyingTransformer(_context, _columns);
    }

    /// <summary>The input schema followed by the copies.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        ColumnCopyingTransformer.OutputSchema(inputSchema, _columns);
}

/// <summary>Copies columns under new names, lazily: the result of <see cref="ColumnCopyingEstimator"/>.</summary>
[PersistableTransformer(PersistedName)]
public sealed class ColumnCopyingTransformer : ITransformer, IPersistableTransformer
{
    private const string PersistedName = "CopyColumns";
    private readonly MLContext? _context;
    private readonly InputOutputColumnPair[] _columns;

    internal ColumnCopyingTransformer(MLContext? context, InputOutputColumnPair[] columns)
    {
        _context = context;
        _columns = columns;
    }

    /// <summary>The copies made, in order.</summary>
    public IReadOnlyList<InputOutputColumnPair> Columns => _columns;

    string IPersistableTransformer.TypeName => PersistedName;

    /// <summary>The input schema followed by the copies.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => OutputSchema(inputSchema, _columns);

    /// <summary>Appends the copies to <paramref name="input"/>; values are read from the input when a cursor asks.</summary>
    /// <param name="input">The data; not null.</param>
    /// <returns>The lazy output view.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var builder = new ColumnAppendingDataView.Builder(input, _context?.CancellationToken ?? default);
        foreach (var pair in _columns)
        {
            var column = input.Schema[pair.InputColumnName];
            TransformUtils.InvokeGeneric(typeof(ColumnCopyingTransformer), nameof(AddCopy), column.Type.RawType,
                                         builder, pair.OutputColumnName, column);
        }
        return builder.Build();
    }

    void IPersistableTransformer.Save(ModelSaveContext context) => TransformUtils.SavePairs(context, _columns);

    internal static ITransformer Load(ModelLoadContext context) =>
        new ColumnCopyingTransformer(context.Context, TransformUtils.LoadPairs(context));

    internal static DataViewSchema OutputSchema(DataViewSchema inputSchema, InputOutputColumnPair[] columns)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var builder = new DataViewSchema.Builder().AddColumns(inputSchema);
        foreach (var pair in columns)
            builder.AddColumn(pair.OutputColumnName, SchemaErrors.FindColumn(inputSchema, pair.InputColumnName).Type);
        return builder.ToSchema();
    }

    private static void AddCopy<T>(ColumnAppendingDataView.Builder builder, string outputName, DataViewSchema.Column input) =>
        builder.AddColumn<T>(outputName, input.Type, [input.Name], row => row.GetGetter<T>(row.Schema[input.Name]));
}
