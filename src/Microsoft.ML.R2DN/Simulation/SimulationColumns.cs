namespace Microsoft.ML.R2DN.Simulation;

/// <summary>The columns a simulator reads and writes.</summary>
internal sealed record SimulationColumns(string[] Outputs, string[] Inputs, string[] Predicted, string? SeriesId)
{
    public static SimulationColumns From(RecurrentSimulationOptions o) =>
        new(o.OutputColumnNames, o.InputColumnNames, o.PredictedColumns, o.SeriesIdColumnName);

    public IReadOnlyList<ColumnRole> InputValues =>
        Inputs.Select(c => new ColumnRole(c, ColumnChecks.InputRole)).ToArray();

    public IReadOnlyList<ColumnRole> InputAndOutputValues =>
        [.. InputValues, .. Outputs.Select(c => new ColumnRole(c, ColumnChecks.OutputRole))];

    /// <summary>Checks the inputs and series id, and the outputs when <paramref name="withOutputs"/>.</summary>
    public void CheckInput(DataViewSchema schema, bool withOutputs)
    {
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var c in withOutputs ? InputAndOutputValues : InputValues) ColumnChecks.Numeric(schema, c);
        if (SeriesId is not null) ColumnChecks.SeriesId(schema, SeriesId);
    }

    /// <summary>The input schema followed by one <c>Single</c> column per predicted output.</summary>
    public DataViewSchema OutputSchema(DataViewSchema input)
    {
        CheckInput(input, withOutputs: false);
        var b = new DataViewSchema.Builder();
        b.AddColumns(input);
        foreach (var p in Predicted) b.AddColumn(p, NumberDataViewType.Single);
        return b.ToSchema();
    }

    public void CheckLoaded()
    {
        if (Outputs.Length == 0 || Inputs.Length == 0)
            throw ModelFileErrors.Damaged("a simulator lists no input or no output column.");
        if (Predicted.Length != Outputs.Length)
            throw ModelFileErrors.Damaged("a simulator has not one predicted column per output.");
        if (Outputs.Concat(Inputs).Concat(Predicted).Append(SeriesId ?? "x").Any(string.IsNullOrEmpty))
            throw ModelFileErrors.Damaged("a simulator has an empty column name.");
    }
}
