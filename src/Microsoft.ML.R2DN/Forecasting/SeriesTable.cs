namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>A role and a name: one numeric column a forecaster or simulator reads ("input column" 'Load').</summary>
internal readonly record struct ColumnRole(string Name, string Role);

/// <summary>
/// The rows of a view split into series by an id column (in the order each id first appears), with the numeric
/// columns a model reads gathered per series, row-major, after the missing-value policy: what the trainers and
/// transformers turn into the engine's series.
/// </summary>
internal sealed class SeriesTable
{
    private SeriesTable(int width, IReadOnlyList<Series> series, int rowCount)
    {
        Width = width; Items = series; RowCount = rowCount;
    }

    /// <summary>The number of columns read.</summary>
    public int Width { get; }

    /// <summary>The series, in the order their ids first appear.</summary>
    public IReadOnlyList<Series> Items { get; }

    /// <summary>The number of rows in the view.</summary>
    public int RowCount { get; }

    /// <summary>One series: its id (empty without an id column), the view rows it holds (in order), and their values,
    /// [Rows.Length, Width] row-major.</summary>
    public sealed record Series(string Id, int[] Rows, float[] Values)
    {
        public int Length => Rows.Length;

        /// <summary>Columns [from, from + count) of every row, row-major.</summary>
        public float[] Columns(int width, int from, int count)
        {
            var result = new float[Rows.Length * count];
            for (int t = 0; t < Rows.Length; t++)
                Array.Copy(Values, t * width + from, result, t * count, count);
            return result;
        }
    }

    /// <summary>Reads <paramref name="columns"/> (whose types the caller has checked) and the id column.</summary>
    /// <param name="data">The view.</param>
    /// <param name="columns">The numeric columns, in the order of the values per row.</param>
    /// <param name="idColumn">The series id column, or null for one series.</param>
    /// <param name="policy">What to do with NaN and infinite values.</param>
    /// <param name="training">True to report bad values as <see cref="ArgumentException"/> on
    /// <paramref name="parameter"/> (fitting, scoring), false as <see cref="InvalidOperationException"/> (lazy
    /// transform outputs).</param>
    /// <param name="cancellation">Checked on every row.</param>
    /// <param name="parameter">The caller's parameter holding <paramref name="data"/>.</param>
    public static SeriesTable Read(IDataView data, IReadOnlyList<ColumnRole> columns, string? idColumn,
                                   MissingValuePolicy policy, bool training, CancellationToken cancellation,
                                   string parameter = "input")
    {
        int width = columns.Count;
        var values = width == 0
            ? []
            : DataViewReader.ReadSingleColumns(data, columns.Select(c => c.Name).ToArray(), cancellation: cancellation);
        string[]? ids = idColumn is null ? null : ReadIds(data, idColumn, cancellation);
        int rows = width > 0
            ? values[0].Length
            : ids?.Length ?? checked((int)DataViewReader.RowCount(data, cancellation));

        // Grouped as the transforms and the evaluation group them, so that every component agrees on what a series is.
        int[][] members = ids is not null ? SeriesGrouping.Group(ids)
                        : rows > 0 ? [Enumerable.Range(0, rows).ToArray()]
                        : [];
        var names = members.Select(m => ids is null ? "" : ids[m[0]]).ToArray();
        var series = new Series[members.Length];
        for (int s = 0; s < series.Length; s++)
        {
            var rowList = members[s];
            var block = new float[rowList.Length * width];
            for (int t = 0; t < rowList.Length; t++)
                for (int c = 0; c < width; c++)
                    block[t * width + c] = values[c][rowList[t]];
            string where = idColumn is null ? "the data" : $"series '{names[s]}'";
            string inSeries = idColumn is null ? "" : $" (series '{names[s]}')";
            for (int c = 0; c < width; c++)
                Clean(block, width, c, rowList, columns[c], where, inSeries, policy, training ? parameter : null);
            series[s] = new Series(names[s], rowList, block);
        }
        return new SeriesTable(width, series, rows);
    }

    // Error: the first bad value is reported. ForwardFill: a bad value takes the last finite value before it, or the
    // first finite value after it at the start of the series.
    private static void Clean(float[] block, int width, int column, int[] rows, ColumnRole role, string where,
                              string inSeries, MissingValuePolicy policy, string? parameter)
    {
        int n = rows.Length;
        float last = float.NaN;
        for (int t = 0; t < n; t++)
        {
            ref float v = ref block[t * width + column];
            if (float.IsFinite(v))
            {
                last = v;
                continue;
            }
            if (policy == MissingValuePolicy.Error)
            {
                string kind = float.IsNaN(v)
                    ? "a missing value (NaN)"
                    : $"a non-finite value ({v.ToString(CultureInfo.InvariantCulture)})";
                throw Fail($"The {role.Role} '{role.Name}' has {kind} at row {rows[t]}{inSeries}. Remove or fill it, " +
                           "or set MissingValues = MissingValuePolicy.ForwardFill to carry the last value forward.",
                           parameter);
            }
            if (float.IsFinite(last))
            {
                v = last;
                continue;
            }
            int next = t + 1;
            while (next < n && !float.IsFinite(block[next * width + column])) next++;
            if (next == n)
                throw Fail($"The {role.Role} '{role.Name}' has no finite value in {where}: " +
                           "MissingValuePolicy.ForwardFill has nothing to fill with.", parameter);
            v = last = block[next * width + column];
        }
    }

    private static Exception Fail(string message, string? parameter) =>
        parameter is not null ? new ArgumentException(message, parameter) : new InvalidOperationException(message);

    /// <summary>The id column as strings (see <see cref="DataViewReader.IdGetter"/>).</summary>
    public static string[] ReadIds(IDataView data, string column, CancellationToken cancellation) =>
        DataViewReader.ReadTextColumn(data, column, ColumnChecks.SeriesIdRole, cancellation);
}
