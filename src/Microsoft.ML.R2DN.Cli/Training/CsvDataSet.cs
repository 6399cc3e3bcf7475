namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>Data loaded from one or more CSV files for a command (see <see cref="CsvLoader"/>).</summary>
/// <param name="Files">The files, as given.</param>
/// <param name="Columns">The files' columns as inferred from them, and the number of data rows of each file.</param>
/// <param name="View">The rows of every file, one file after the other, as an ML.NET view (numeric columns as
/// numbers, the others as text, and the file column when one was added); or their transform by the transformers that
/// run before a loaded model's R2DN/REN part. Rows stay in the files' order.</param>
/// <param name="FileColumn">The column added to name each row's file, or null.</param>
internal sealed record CsvDataSet(IReadOnlyList<string> Files, CsvColumns Columns, IDataView View, string? FileColumn)
{
    /// <summary>The files for messages: "a.csv" or "a.csv, b.csv".</summary>
    public string Origin => string.Join(", ", Files.Select(Path.GetFileName));

    /// <summary>The number of data rows of all files together.</summary>
    public long RowCount => Columns.RowCounts.Sum(n => (long)n);

    /// <summary>Whether the files have a column called <paramref name="name"/> (an added file column is not
    /// one).</summary>
    public bool HasColumn(string name) => Columns.Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The index of the file that holds a 0-based row of the whole view, and the 0-based row within
    /// it.</summary>
    public (int File, long Row) FileOf(long row)
    {
        var counts = Columns.RowCounts;
        int file = 0;
        while (file < counts.Length - 1 && row >= counts[file]) row -= counts[file++];
        return (file, row);
    }

    /// <summary>"row 7 of a.csv (counting data rows from 1)" for a 0-based row of the whole view.</summary>
    public string Locate(long row)
    {
        var (file, inFile) = FileOf(row);
        return $"row {inFile + 1} of {Path.GetFileName(Files[file])} (counting data rows from 1)";
    }
}
