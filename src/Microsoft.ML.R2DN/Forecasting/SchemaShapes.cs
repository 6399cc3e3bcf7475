namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The <see cref="SchemaShape"/> side of the estimators. <c>SchemaShape.Column</c>'s constructor is internal
/// to ML.NET, so the added columns are taken from the output shape of public ML.NET estimators that make a column of
/// the same kind (a type conversion for a scalar, a concatenation for a known-size vector).</summary>
internal static class SchemaShapes
{
    private static readonly MLContext Ml = new(seed: 0);

    public static void CheckNumeric(SchemaShape shape, ColumnRole column)
    {
        if (!TryFind(shape, column.Name, out var c))
            throw SchemaErrors.Unknown(column.Name, column.Role, "inputSchema");
        if (c.Kind != SchemaShape.Column.VectorKind.Scalar || c.IsKey || !DataViewReader.IsNumeric(c.ItemType))
            throw SchemaErrors.Mismatch(column.Role, column.Name, "Single", Describe(c), "inputSchema");
    }

    public static void CheckSeriesId(SchemaShape shape, string name)
    {
        if (!TryFind(shape, name, out var c))
            throw SchemaErrors.Unknown(name, ColumnChecks.SeriesIdRole, "inputSchema");
        if (c.Kind != SchemaShape.Column.VectorKind.Scalar || !(c.IsKey || DataViewReader.IsIdType(c.ItemType)))
            throw SchemaErrors.Mismatch(ColumnChecks.SeriesIdRole, name, "String", Describe(c), "inputSchema");
    }

    /// <summary><paramref name="shape"/> with known-size Single vector columns <paramref name="names"/> added (or
    /// replacing columns of those names), made from the numeric column <paramref name="source"/>.</summary>
    public static SchemaShape WithVectors(SchemaShape shape, string source, IReadOnlyList<string> names)
    {
        const string Temporary = "__r2dn_shape";
        IEstimator<ITransformer> chain = Ml.Transforms.Conversion.ConvertType(Temporary, source, DataKind.Single);
        foreach (var name in names) chain = chain.Append(Ml.Transforms.Concatenate(name, Temporary, Temporary));
        return Without(chain.GetOutputSchema(shape), Temporary, shape);
    }

    /// <summary><paramref name="shape"/> with Single columns <paramref name="names"/> added, made from
    /// <paramref name="source"/>.</summary>
    public static SchemaShape WithScalars(SchemaShape shape, string source, IReadOnlyList<string> names)
    {
        IEstimator<ITransformer>? chain = null;
        foreach (var name in names)
        {
            var e = Ml.Transforms.Conversion.ConvertType(name, source, DataKind.Single);
            chain = chain is null ? e : chain.Append(e);
        }
        return chain!.GetOutputSchema(shape);
    }

    private static SchemaShape Without(SchemaShape result, string temporary, SchemaShape input) =>
        new(result.Where(c => c.Name != temporary || TryFind(input, temporary, out _)));

    private static bool TryFind(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        foreach (var c in shape)
            if (c.Name == name)
            {
                column = c;
                return true;
            }
        column = default;
        return false;
    }

    private static string Describe(SchemaShape.Column c) =>
        c.Kind == SchemaShape.Column.VectorKind.Scalar ? (c.IsKey ? $"Key<{c.ItemType}>" : c.ItemType.ToString()!)
        : $"Vector<{c.ItemType}>";
}

/// <summary>The columns a model reads, with their types and key values, recorded at training time: the saved ML.NET
/// chain is rebuilt over a schema like this.</summary>
internal static class InputTypes
{
    public static DataViewSchema Of(DataViewSchema schema, IEnumerable<string> values, string? seriesId)
    {
        var names = values.Distinct().ToList();
        if (seriesId is not null && !names.Contains(seriesId)) names.Add(seriesId);
        var b = new DataViewSchema.Builder();
        foreach (var name in names)
        {
            var column = schema[name];
            if (column.Type is KeyDataViewType && !column.HasKeyValues(TextDataViewType.Instance)
                && column.HasKeyValues())
                throw new ArgumentOutOfRangeException("input", $"The series id column '{name}' is a key whose values " +
                                                               "are not text; map it to text or an integer first.");
            b.AddColumn(name, column.Type, KeyValues(column));
        }
        return b.ToSchema();
    }

    /// <summary>A schema of <paramref name="columns"/>, with key values where given.</summary>
    public static DataViewSchema Create(IEnumerable<(string Name, DataViewType Type, string[]? KeyValues)> columns)
    {
        var b = new DataViewSchema.Builder();
        foreach (var (name, type, keys) in columns)
        {
            DataViewSchema.Annotations? annotations = null;
            if (keys is not null)
            {
                var a = new DataViewSchema.Annotations.Builder();
                var buffer = new VBuffer<ReadOnlyMemory<char>>(keys.Length, keys.Select(k => k.AsMemory()).ToArray());
                a.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, keys.Length),
                      (ref VBuffer<ReadOnlyMemory<char>> v) => buffer.CopyTo(ref v));
                annotations = a.ToAnnotations();
            }
            b.AddColumn(name, type, annotations);
        }
        return b.ToSchema();
    }

    /// <summary>The text key values of a key column, or null.</summary>
    public static string[]? KeyValueNames(DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType || !column.HasKeyValues(TextDataViewType.Instance)) return null;
        VBuffer<ReadOnlyMemory<char>> buffer = default;
        column.GetKeyValues(ref buffer);
        return [.. buffer.DenseValues().Select(v => v.ToString())];
    }

    private static DataViewSchema.Annotations? KeyValues(DataViewSchema.Column column) =>
        KeyValueNames(column) is { } names ? Create([(column.Name, column.Type, names)])[0].Annotations : null;
}
