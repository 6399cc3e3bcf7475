namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// The one way the CLI and the benchmarks read CSV files: the columns are inferred from the header and the rows
/// (<see cref="CsvInference"/>), then ML.NET's <see cref="TextLoader"/> loads the files with those columns, numbers as
/// <c>Single</c> (or <c>Double</c>) and the rest as text, cached in memory after the first pass.
/// </summary>
/// <remarks>What the models read from the view goes through the plugin's reader (<c>DataViewReader</c>), with the
/// checks of <see cref="CsvChecks"/> that turn common mistakes into one clear message.</remarks>
internal static class CsvLoader
{
    /// <summary>The name given to the file column when several files are trained on without
    /// <c>--series-id</c>.</summary>
    public const string DefaultFileColumn = "File";

    /// <summary>Loads <paramref name="paths"/> as one data set (their headers must match).</summary>
    /// <param name="paths">The CSV files.</param>
    /// <param name="cancel">Stops reading the files.</param>
    /// <param name="numbers">The type of the numeric columns: <see cref="DataKind.Single"/> (what the models read, the
    /// default) or <see cref="DataKind.Double"/>.</param>
    /// <exception cref="UsageException">No file, a folder, or a file given twice.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FormatException">A file is not well-formed CSV (see
    /// <see cref="CsvInference.Infer"/>).</exception>
    public static CsvDataSet Load(IReadOnlyList<string> paths, CancellationToken cancel = default,
                                  DataKind numbers = DataKind.Single)
    {
        CheckPaths(paths);
        var columns = CsvInference.Infer(paths, cancel);
        var loaded = columns.Names.Select((name, i) =>
            new TextLoader.Column(name, columns.IsNumeric[i] ? numbers : DataKind.String, i)).ToArray();
        var ml = new MLContext();
        var view = ml.Data.CreateTextLoader(CsvInference.Options(loaded, hasHeader: true)).Load([.. paths]);
        return new CsvDataSet(paths, columns, ml.Data.Cache(view), null);
    }

    /// <summary>Adds a text column <paramref name="fileColumn"/> that holds each row's file name: the series id of a
    /// model trained on several files.</summary>
    /// <exception cref="UsageException">The files already have a column of that name.</exception>
    public static CsvDataSet WithFileColumn(CsvDataSet data, string fileColumn)
    {
        if (data.HasColumn(fileColumn))
            throw new UsageException($"cannot add the file name as column '{fileColumn}': {data.Origin} already " +
                                     "has a column of that name.");
        var labels = FileLabels(data.Files).Select(l => l.AsMemory()).ToArray();
        var view = new ColumnAppendingDataView.Builder(data.View)
            .AddColumn(fileColumn, TextDataViewType.Instance, row => labels[data.FileOf(row).File])
            .Build();
        return data with { View = view, FileColumn = fileColumn };
    }

    /// <summary>The value of the file column for each file: its name, or the path as given when two files share a
    /// name.</summary>
    public static string[] FileLabels(IReadOnlyList<string> paths)
    {
        var names = paths.Select(Path.GetFileName).Select(n => n ?? "").ToArray();
        return names.Distinct(StringComparer.Ordinal).Count() == names.Length ? names : [.. paths];
    }

    /// <summary>Checks the files of <c>--data</c> before anything is read.</summary>
    /// <exception cref="UsageException">No file, an empty name, a folder, or a file given twice.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static void CheckPaths(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) throw new UsageException("--data needs at least one CSV file.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            if (string.IsNullOrWhiteSpace(path)) throw new UsageException("--data was given an empty file name.");
            if (Directory.Exists(path)) throw new UsageException($"'{path}' is a folder; --data takes CSV files.");
            if (!File.Exists(path)) throw new FileNotFoundException($"Could not find the data file '{path}'.", path);
            if (!seen.Add(Path.GetFullPath(path))) throw new UsageException($"the data file '{path}' is given twice.");
        }
    }
}
