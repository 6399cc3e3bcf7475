namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>The parts of <c>r2dn train</c>'s report that both tasks share: the data, the model, the training, the files
/// written and what to try next; as JSON and as text.</summary>
internal static class TrainReport
{
    /// <summary>The rows of the data, how many were trained on, and the number of series.</summary>
    public sealed record Counts(long Rows, long TrainRows, int Series)
    {
        public static Counts Of(CsvDataSet data, IDataView train, string? seriesId)
        {
            int series = seriesId is null ? 1
                : DataViewReader.ReadTextColumn(data.View, seriesId, "series id column")
                                .Distinct(StringComparer.Ordinal).Count();
            return new Counts(DataViewReader.RowCount(data.View), DataViewReader.RowCount(train), series);
        }
    }

    public static JsonObject DataJson(CsvDataSet data, Counts counts, string? seriesId) => new()
    {
        ["files"] = new JsonArray([.. data.Files.Select(f => (JsonNode)f)]),
        ["rows"] = counts.Rows,
        ["series"] = counts.Series,
        ["trainRows"] = counts.TrainRows,
        ["testRows"] = counts.Rows - counts.TrainRows,
        ["seriesIdColumn"] = seriesId,
        ["fileColumnAdded"] = data.FileColumn is not null,
    };

    public static string DataText(CsvDataSet data, Counts c, string? seriesId, double testFraction)
    {
        string fileNames = data.FileColumn is not null ? ", the file names" : "";
        string series = seriesId is null ? "1 series"
            : $"{Report.Count(c.Series)} series (column '{seriesId}'{fileNames})";
        string test = (testFraction * 100).ToString("0.#", CultureInfo.InvariantCulture);
        string train = (100 - testFraction * 100).ToString("0.#", CultureInfo.InvariantCulture);
        return $"Data:  {data.Origin}: {Report.Count(c.Rows)} rows in {series}.\n" +
               $"       Trained on the first {train}% of each series ({Report.Count(c.TrainRows)} rows), tested on " +
               $"the last {test}% ({Report.Count(c.Rows - c.TrainRows)} rows).\n";
    }

    public static JsonObject ModelJson(LoadedModel m) => new()
    {
        ["kind"] = Report.KindName(m.Kind),
        ["description"] = m.Description(),
        ["robustness"] = m.Setting("robustness")?.DeepClone(),
        ["gamma"] = m.Certificate.Gamma is double g ? Report.Json(g) : null,
        ["stateSize"] = m.Setting("stateSize")?.DeepClone(),
        ["features"] = m.Setting("features")?.DeepClone(),
        ["hiddenSizes"] = m.Kind == ModelKind.R2dn ? m.Setting("hiddenSizes")?.DeepClone() : null,
        ["activation"] = m.Setting("activation")?.DeepClone(),
        ["parameterCount"] = m.ParameterCount,
    };

    public static string ModelText(LoadedModel m, IReadOnlyList<double> loss, double seconds) =>
        $"Model: {m.Description()} ({m.SizeText()}), {Report.Count(m.ParameterCount)} parameters; trained " +
        $"{loss.Count} epochs in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s, final training loss " +
        $"{Report.Num(FinalLoss(loss), "G3")} (standardised units).";

    public static JsonObject TrainingJson(IReadOnlyList<double> loss, double seconds) => new()
    {
        ["epochs"] = loss.Count,
        ["seconds"] = Math.Round(seconds, 3),
        ["finalLoss"] = Report.Json(FinalLoss(loss)),
        ["loss"] = new JsonArray([.. loss.Select(Report.Json)]),
    };

    public static JsonObject OutputsJson(TrainSettings s) => new()
    {
        ["model"] = s.ModelPath,
        ["plot"] = s.PlotPath,
        ["lossPlot"] = s.LossPlotPath,
        ["data"] = s.IsExample ? s.Files[0] : null,
    };

    /// <summary>The files written, and the commands to try next.</summary>
    public static string SavedText(TrainSettings s, ITrainTask task, string? plotNote)
    {
        var text = new StringBuilder();
        if (s.IsExample) text.AppendLine($"Wrote the example data to  {s.Files[0]}");
        text.AppendLine($"Saved the model to          {s.ModelPath}");
        if (s.PlotPath is { } plot)
            text.AppendLine($"Wrote the test plot to      {plot}{(plotNote is null ? "" : $" ({plotNote})")}");
        if (s.LossPlotPath is { } loss) text.AppendLine($"Wrote the training curve to {loss}");
        string model = Quote(s.ModelPath), data = string.Join(' ', s.Files.Select(Quote));
        text.AppendLine();
        text.AppendLine("Next:");
        text.AppendLine($"  r2dn inspect --model {model}");
        foreach (string command in task.NextCommands(model, data))
            text.AppendLine("  " + command);
        text.AppendLine($"  r2dn plot --model {model} --data {data} --output plot.svg");
        string npy = Quote(Path.ChangeExtension(s.ModelPath, null) + "-npy");
        text.AppendLine($"  r2dn export --model {model} --npy {npy}");
        return text.ToString();
    }

    private static double FinalLoss(IReadOnlyList<double> loss) => loss.Count > 0 ? loss[^1] : double.NaN;

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;
}
