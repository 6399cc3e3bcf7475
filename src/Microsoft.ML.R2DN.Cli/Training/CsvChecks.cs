using System.Numerics;
using System.Text.RegularExpressions;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>The checks of loaded CSV data that turn common mistakes into one clear message naming the option, the
/// column, the file and the row.</summary>
internal static class CsvChecks
{
    /// <summary>Checks that every named column exists (and is numeric, when asked), naming the option that asked for
    /// it and the columns the files do have.</summary>
    /// <exception cref="UsageException">A column is missing or not numeric.</exception>
    public static void RequireColumns(CsvDataSet data, IEnumerable<(string Name, string Role)> columns, bool numeric)
    {
        var schema = data.View.Schema;
        foreach (var (name, role) in columns)
        {
            if (schema.GetColumnOrNull(name) is not { } column)
                throw new UsageException($"column '{name}' ({role}) is not in {data.Origin}; its columns are: " +
                                         $"{ColumnList(schema)}.");
            if (numeric && !DataViewReader.IsNumeric(column.Type))
                throw new UsageException($"column '{name}' ({role}) in {data.Origin} is not numeric: " +
                                         $"{WhyText(data, name)} (missing values must be empty, '?', 'NA' or 'N/A').");
        }
    }

    /// <summary>The column names of a schema, for messages.</summary>
    public static string ColumnList(DataViewSchema schema) =>
        string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name));

    /// <summary>A column name not in <paramref name="schema"/>: <paramref name="preferred"/>, or it with a
    /// number.</summary>
    public static string UniqueName(DataViewSchema schema, string preferred, params string[] taken)
    {
        string name = preferred;
        for (int i = 1; schema.GetColumnOrNull(name) is not null || taken.Contains(name, StringComparer.Ordinal); i++)
            name = $"{preferred}{i}";
        return name;
    }

    /// <summary>With several files and a series id column, checks that no series id appears in two files: their rows
    /// would be merged into one series.</summary>
    /// <exception cref="UsageException">An id appears in two files.</exception>
    public static void CheckIdsPerFile(CsvDataSet data, string seriesId, string option)
    {
        if (data.Files.Count < 2 || data.FileColumn is not null) return;
        var ids = DataViewReader.ReadTextColumn(data.View, seriesId, "series id column");
        var fileOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int row = 0; row < ids.Length; row++)
        {
            int file = data.FileOf(row).File;
            if (fileOf.TryGetValue(ids[row], out int first) && first != file)
                throw new UsageException($"series '{ids[row]}' (column '{seriesId}', {option}) appears in both " +
                                         $"{Path.GetFileName(data.Files[first])} and " +
                                         $"{Path.GetFileName(data.Files[file])}: the rows of one series must come " +
                                         $"from one file. Give each file its own ids, or leave out {option} to use " +
                                         "the file name as the series id.");
            fileOf[ids[row]] = file;
        }
    }

    /// <summary>Checks that the named columns hold no missing (NaN) or infinite value, naming the file and row of the
    /// first one: done before training, when missing values are errors.</summary>
    /// <exception cref="UsageException">A value is missing or infinite.</exception>
    public static void CheckFinite(CsvDataSet data, IEnumerable<(string Name, string Role)> columns)
    {
        foreach (var (name, role) in columns)
            RequireFinite(data, name, role, DataViewReader.ReadSingleColumn(data.View, name),
                          "; fill it, or use --missing-values forward-fill to carry the last value forward.");
    }

    /// <summary>Checks that <paramref name="values"/>, the values of column <paramref name="name"/>, are all
    /// finite.</summary>
    /// <param name="data">The data they were read from (to name the file and row).</param>
    /// <param name="name">The column.</param>
    /// <param name="role">What the column is for, in parentheses after its name.</param>
    /// <param name="values">The column's values, one per row of <paramref name="data"/>.</param>
    /// <param name="advice">The end of the message: what to do about it.</param>
    /// <exception cref="UsageException">A value is missing or infinite.</exception>
    public static void RequireFinite<T>(CsvDataSet data, string name, string role, T[] values, string advice)
        where T : IFloatingPointIeee754<T>
    {
        int row = Array.FindIndex(values, v => !T.IsFinite(v));
        if (row < 0) return;
        string what = T.IsNaN(values[row]) ? "a missing value"
            : $"an infinite value ({values[row].ToString(null, CultureInfo.InvariantCulture)})";
        throw new UsageException($"column '{name}' ({role}) has {what} in {data.Locate(row)}{advice}");
    }

    /// <summary>Rewrites the library's "at row N" (a 0-based row of the whole view) as a file and row, and its advice
    /// about the missing-value policy as the command-line option.</summary>
    public static string DescribeRows(CsvDataSet data, string message)
    {
        message = Regex.Replace(message, @"\bat row (\d+)", m =>
            long.TryParse(m.Groups[1].ValueSpan, out long row) ? "in " + data.Locate(row) : m.Value);
        return message.Replace("or set MissingValues = MissingValuePolicy.ForwardFill to carry the last value forward",
                               "or train the model with --missing-values forward-fill", StringComparison.Ordinal);
    }

    // Why a column of the files is text: its first value that is not a number.
    private static string WhyText(CsvDataSet data, string name) =>
        data.Columns.FirstText.TryGetValue(name, out var first)
            ? $"{data.Locate(first.Row)} holds '{Shorten(first.Value)}'"
            : "some of its values are not numbers";

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..37] + "...";
}
