namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>The chart of a simulator's output against the measured output, for <c>train</c> and <c>plot</c>.</summary>
internal static class SimulationPlot
{
    /// <summary>The chart of one output over one series of <paramref name="data"/>.</summary>
    /// <param name="model">The simulator.</param>
    /// <param name="data">Rows with the simulator's inputs and outputs.</param>
    /// <param name="seriesName">The series to show; null for the first.</param>
    /// <param name="outputName">The output to show; null for the first.</param>
    /// <param name="what">What the rows are, for the title (e.g. "test part").</param>
    /// <param name="last">How many rows to show at most, the last ones; null for 1,500.</param>
    /// <returns>The chart, and the series shown when the model has a series id.</returns>
    /// <exception cref="UsageException">No such output or series, or a value the model reads is missing.</exception>
    public static (ScottPlot.Plot Chart, string? Series) Chart(SimulationTransformer model, IDataView data,
                                                                string? seriesName, string? outputName, string what,
                                                                int? last = null)
    {
        int output = outputName is null ? 0 : model.OutputColumnNames.ToList().IndexOf(outputName);
        if (output < 0)
            throw new UsageException($"--target '{outputName}' is not an output of the model; its outputs are: " +
                                     $"{string.Join(", ", model.OutputColumnNames)}.");
        var scored = model.Transform(data);
        float[] actual, predicted;
        List<(string Id, int[] Rows)> groups;
        try
        {
            predicted = DataViewReader.ReadSingleColumn(scored, model.PredictedColumnNames[output]);
            actual = DataViewReader.ReadSingleColumn(scored, model.OutputColumnNames[output]);
            groups = Scoring.Series(scored, model.SeriesIdColumnName, predicted.Length);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException(e.Message);
        }
        var group = Scoring.PickSeries(groups, g => g.Id, seriesName);
        float[] a = [.. group.Rows.Select(r => actual[r])], p = [.. group.Rows.Select(r => predicted[r])];
        int windowStart = Math.Max(0, a.Length - (last ?? 1500));
        string name = model.OutputColumnNames[output];
        string series = group.Id.Length > 0 ? $" (series {group.Id})" : "";
        var chart = Charts.Simulation(a, p, name, windowStart, model.Washout,
                                      $"{name}{series}: simulated from the inputs ({what})");
        return (chart, model.SeriesIdColumnName is null ? null : group.Id);
    }
}
