namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The columns a forecaster reads and writes.</summary>
internal sealed record ForecastingColumns(string Output, string[] Targets, string[] Features, string? SeriesId,
                                          string? Lower, string? Upper)
{
    public static ForecastingColumns From(RecurrentForecastingOptions o) =>
        new(o.OutputColumnName, o.TargetColumns, o.FeatureColumnNames ?? [], o.SeriesIdColumnName,
            o.ConfidenceLowerBoundColumn, o.ConfidenceUpperBoundColumn);

    public bool HasBounds => Lower is not null;

    /// <summary>The numeric columns read per row: the targets, then the features.</summary>
    public IReadOnlyList<ColumnRole> Values =>
        [
            .. Targets.Select(t => new ColumnRole(t, ColumnChecks.InputRole)),
            .. Features.Select(f => new ColumnRole(f, ColumnChecks.FeatureRole)),
        ];

    /// <summary>Throws the <see cref="SchemaErrors"/> exception for the first missing or mistyped input
    /// column.</summary>
    public void CheckInput(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var c in Values) ColumnChecks.Numeric(schema, c);
        if (SeriesId is not null) ColumnChecks.SeriesId(schema, SeriesId);
    }

    /// <summary>The input schema followed by the forecast column and the bound columns, each a vector of
    /// <paramref name="size"/> <see cref="float"/>s.</summary>
    public DataViewSchema OutputSchema(DataViewSchema input, int size)
    {
        CheckInput(input);
        var type = new VectorDataViewType(NumberDataViewType.Single, size);
        var b = new DataViewSchema.Builder();
        b.AddColumns(input);
        b.AddColumn(Output, type);
        if (HasBounds)
        {
            b.AddColumn(Lower!, type);
            b.AddColumn(Upper!, type);
        }
        return b.ToSchema();
    }

    /// <summary>Checks names read from a model file.</summary>
    public void CheckLoaded()
    {
        var all = new[] { Output }.Concat(Targets).Concat(Features).Append(SeriesId).Append(Lower).Append(Upper)
                                  .Where(n => n is not null).ToList();
        if (Targets.Length == 0) throw ModelFileErrors.Damaged("a forecaster lists no target column.");
        if (all.Any(string.IsNullOrEmpty)) throw ModelFileErrors.Damaged("a forecaster has an empty column name.");
        if ((Lower is null) != (Upper is null))
            throw ModelFileErrors.Damaged("a forecaster has one confidence bound column without the other.");
    }
}
