using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Transforms;

/// <summary>How <see cref="MissingValueReplacingEstimator"/> fills missing (NaN) values.</summary>
public enum MissingValueReplacementMode
{
    /// <summary>Zero, the default value of <see cref="float"/>.</summary>
    DefaultValue = 0,

    /// <summary>The mean of the training data's values (per slot of a vector column).</summary>
    Mean = 1,

    /// <summary>The smallest of the training data's values.</summary>
    Minimum = 2,

    /// <summary>The largest of the training data's values.</summary>
    Maximum = 3,

    /// <summary>The previous valid value in row order (within the series, when a series id is given); missing values
    /// before the first valid one take the first valid value.</summary>
    ForwardFill = 4,

    /// <summary>The straight line between the nearest valid values before and after, by row position (within the
    /// series, when a series id is given); missing values before the first or after the last valid one take that
    /// nearest valid value.</summary>
    LinearInterpolation = 5,
}

/// <summary>Replaces missing values (NaN) of Single and vector-of-Single columns: <c>ml.Transforms.ReplaceMissingValues</c>.</summary>
/// <remarks>
/// <para>Fitting reads the input columns once and learns, per slot, the mean, minimum and maximum of the values that are
/// not NaN (a slot without any takes 0).</para>
/// <para><see cref="MissingValueReplacementMode.DefaultValue"/>, <see cref="MissingValueReplacementMode.Mean"/>,
/// <see cref="MissingValueReplacementMode.Minimum"/> and <see cref="MissingValueReplacementMode.Maximum"/> replace each
/// NaN with a constant learned on the training data, row by row.
/// <see cref="MissingValueReplacementMode.ForwardFill"/> and <see cref="MissingValueReplacementMode.LinearInterpolation"/>
/// use the neighbouring rows of the data being transformed, in row order and per series when a series-id column is
/// given; they read the whole column (once, when a cursor first asks for the output) and keep it in memory. A series
/// whose slot has no valid value at all takes the training mean.</para>
/// <para>Only NaN counts as missing; infinities are kept.</para>
/// </remarks>
public sealed class MissingValueReplacingEstimator : IEstimator<MissingValueReplacingTransformer>
{
    private readonly MLContext _context;
    private readonly InputOutputColumnPair[] _columns;
    private readonly MissingValueReplacementMode _mode;
    private readonly string? _seriesIdColumnName;

    internal MissingValueReplacingEstimator(MLContext context, InputOutputColumnPair[] columns, MissingValueReplacementMode mode,
                                            string? seriesIdColumnName)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown missing-value replacement mode.");
        if (seriesIdColumnName is { Length: 0 })
            throw new ArgumentException("The series id column name must not be empty; pass null for a single series.",
                                        nameof(seriesIdColumnName));
        _context = context;
        _columns = columns;
        _mode = mode;
        _seriesIdColumnName = seriesIdColumnName;
    }

    /// <summary>Learns the replacement values.</summary>
    /// <param name="input">The training data; not null.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="OperationCanceledException">The context was cancelled.</exception>
    public MissingValueReplacingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var token = _context.CancellationToken;
        var found = _columns.Select(p => TransformUtils.FindSingleOrVector(input.Schema, p.InputColumnName, out _, out _)).ToArray();
        var slots = found.Select(c => TransformUtils.SlotCount(c.Type, out _)).ToArray();
        var count = slots.Select(n => new long[n]).ToArray();
        var sum = slots.Select(n => new double[n]).ToArray();
        var min = slots.Select(n => Enumerable.Repeat(double.PositiveInfinity, n).ToArray()).ToArray();
        var max = slots.Select(n => Enumerable.Repeat(double.NegativeInfinity, n).ToArray()).ToArray();
        using (var cursor = input.GetRowCursor(found.Distinct()))
        {
            var getters = found.Select(c => TransformUtils.SlotsGetter(cursor, c, c.Type is VectorDataViewType)).ToArray();
            while (cursor.MoveNext())
            {
                token.ThrowIfCancellationRequested();
                for (int j = 0; j < getters.Length; j++)
                {
                    var values = TransformUtils.CheckLength(getters[j](), slots[j], found[j].Name);
                    for (int i = 0; i < values.Length; i++)
                    {
                        double x = values[i];
                        if (double.IsNaN(x))
                            continue;
                        count[j][i]++;
                        sum[j][i] += x;
                        min[j][i] = Math.Min(min[j][i], x);
                        max[j][i] = Math.Max(max[j][i], x);
                    }
                }
            }
        }
        var columns = new MissingValueReplacingTransformer.ReplacedColumn[_columns.Length];
        for (int j = 0; j < columns.Length; j++)
        {
            var fill = new float[slots[j]];
            for (int i = 0; i < fill.Length; i++)
            {
                if (count[j][i] == 0)
                    continue;
                double value = _mode switch
                {
                    MissingValueReplacementMode.DefaultValue => 0,
                    MissingValueReplacementMode.Minimum => min[j][i],
                    MissingValueReplacementMode.Maximum => max[j][i],
                    _ => sum[j][i] / count[j][i],
                };
                fill[i] = double.IsNaN(value) ? 0 : (float)value;
            }
            columns[j] = new MissingValueReplacingTransformer.ReplacedColumn(
                _columns[j].OutputColumnName, _columns[j].InputColumnName, found[j].Type is VectorDataViewType, fill);
        }
        return new MissingValueReplacingTransformer(_context, columns, _mode, _seriesIdColumnName);
    }

    /// <summary>The input schema followed by the output columns (of the input columns' types).</summary>
    /// <param name="inputSchema">The schema of the training data; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        MissingValueReplacingTransformer.CheckSeriesId(inputSchema, _mode, _seriesIdColumnName);
        var builder = new DataViewSchema.Builder().AddColumns(inputSchema);
        foreach (var pair in _columns)
            builder.AddColumn(pair.OutputColumnName, TransformUtils.FindSingleOrVector(inputSchema, pair.InputColumnName, out _, out _).Type);
        return builder.ToSchema();
    }
}

/// <summary>Replaces missing values (NaN) as learned by <see cref="MissingValueReplacingEstimator"/>, lazily.</summary>
[PersistableTransformer(PersistedName)]
public sealed class MissingValueReplacingTransformer : ITransformer, IPersistableTransformer
{
    private const string PersistedName = "ReplaceMissingValues";
    private readonly MLContext? _context;
    private readonly ReplacedColumn[] _columns;

    internal MissingValueReplacingTransformer(MLContext? context, ReplacedColumn[] columns, MissingValueReplacementMode mode,
                                              string? seriesIdColumnName)
    {
        _context = context;
        _columns = columns;
        Mode = mode;
        SeriesIdColumnName = seriesIdColumnName;
    }

    /// <summary>How missing values are filled.</summary>
    public MissingValueReplacementMode Mode { get; }

    /// <summary>The column whose values separate the series for <see cref="MissingValueReplacementMode.ForwardFill"/>
    /// and <see cref="MissingValueReplacementMode.LinearInterpolation"/>; null for a single series.</summary>
    public string? SeriesIdColumnName { get; }

    /// <summary>The columns with their learned replacement values, in order.</summary>
    public IReadOnlyList<ReplacedColumn> Columns => _columns;

    string IPersistableTransformer.TypeName => PersistedName;

    private bool IsSequential => Mode is MissingValueReplacementMode.ForwardFill or MissingValueReplacementMode.LinearInterpolation;

    /// <summary>The input schema followed by the output columns.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or its type differs from the training data's.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckSeriesId(inputSchema, Mode, SeriesIdColumnName);
        var builder = new DataViewSchema.Builder().AddColumns(inputSchema);
        foreach (var c in _columns)
            builder.AddColumn(c.OutputColumnName, TransformUtils.FindExact(inputSchema, c.InputColumnName, c.FillArray.Length, c.IsVector).Type);
        return builder.ToSchema();
    }

    /// <summary>Appends the output columns; values are computed when a cursor reads them.</summary>
    /// <param name="input">The data; not null.</param>
    /// <returns>The lazy output view.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or its type differs from the training data's.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var token = _context?.CancellationToken ?? default;
        var builder = new ColumnAppendingDataView.Builder(input, token);
        foreach (var c in _columns)
        {
            var fill = c.FillArray;
            if (!IsSequential)
            {
                TransformUtils.AddMappedColumn(builder, c.OutputColumnName, c.InputColumnName, c.IsVector, fill.Length,
                                               (x, i) => float.IsNaN(x) ? fill[i] : x);
                continue;
            }
            var column = input.Schema[c.InputColumnName];
            var mode = Mode;
            string? seriesId = SeriesIdColumnName;
            TransformUtils.AddComputedColumn(builder, c.OutputColumnName, c.IsVector, fill.Length, () =>
            {
                var rows = TransformUtils.ReadSlots(input, column, c.IsVector, fill.Length, token);
                var series = SeriesGrouping.Group(input, seriesId, token);
                foreach (var s in series)
                    for (int i = 0; i < fill.Length; i++)
                        FillSeries(rows, s, i, fill[i], mode == MissingValueReplacementMode.LinearInterpolation);
                return rows;
            });
        }
        return builder.Build();
    }

    void IPersistableTransformer.Save(ModelSaveContext context)
    {
        TransformUtils.SavePairs(context, [.. _columns.Select(c => new InputOutputColumnPair(c.OutputColumnName, c.InputColumnName))]);
        context.Properties["isVector"] = new JsonArray([.. _columns.Select(c => (JsonNode?)c.IsVector)]);
        context.Properties["mode"] = Mode.ToString();
        if (SeriesIdColumnName is not null)
            context.Properties["seriesIdColumn"] = SeriesIdColumnName;
        for (int j = 0; j < _columns.Length; j++)
            context.AddArray($"columns/{j}/fill", [_columns[j].FillArray.Length], [.. _columns[j].FillArray.Select(v => (double)v)]);
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        var pairs = TransformUtils.LoadPairs(context);
        var isVector = TransformUtils.GetBooleans(context, "isVector", pairs.Length);
        string modeName = context.GetString("mode");
        if (!Enum.TryParse<MissingValueReplacementMode>(modeName, ignoreCase: false, out var mode) || !Enum.IsDefined(mode)
            || modeName.Any(char.IsDigit))
            throw new FormatException($"The model file is damaged: unknown missing-value replacement mode '{modeName}'.");
        string? seriesId = TransformUtils.GetOptionalString(context, "seriesIdColumn");
        if (seriesId is { Length: 0 })
            throw new FormatException($"The model file is damaged: a '{PersistedName}' transformer has an empty series id column name.");
        var columns = new ReplacedColumn[pairs.Length];
        for (int j = 0; j < pairs.Length; j++)
        {
            var (shape, _) = context.GetArray($"columns/{j}/fill");
            int slots = shape.Length == 1 ? shape[0] : -1;
            if (slots < 1 || (!isVector[j] && slots != 1))
                throw new FormatException($"The model file is damaged: column {j} of a '{PersistedName}' transformer has a bad size.");
            var fill = TransformUtils.GetVector(context, $"columns/{j}/fill", slots).Select(v => (float)v).ToArray();
            columns[j] = new ReplacedColumn(pairs[j].OutputColumnName, pairs[j].InputColumnName, isVector[j], fill);
        }
        return new MissingValueReplacingTransformer(context.Context, columns, mode, seriesId);
    }

    internal static void CheckSeriesId(DataViewSchema schema, MissingValueReplacementMode mode, string? seriesIdColumnName)
    {
        if (mode is MissingValueReplacementMode.ForwardFill or MissingValueReplacementMode.LinearInterpolation)
            TransformUtils.CheckSeriesIdColumn(schema, seriesIdColumnName);
    }

    /// <summary>Fills slot <paramref name="slot"/> of the rows of one series in place.</summary>
    internal static void FillSeries(float[][] rows, int[] series, int slot, float fallback, bool interpolate)
    {
        int previous = -1;   // position in the series of the last valid value
        for (int p = 0; p < series.Length; p++)
        {
            float value = rows[series[p]][slot];
            if (float.IsNaN(value))
                continue;
            if (previous < 0)
            {
                for (int q = 0; q < p; q++)   // leading gap: the first valid value
                    rows[series[q]][slot] = value;
            }
            else if (p - previous > 1)
            {
                float start = rows[series[previous]][slot];
                for (int q = previous + 1; q < p; q++)
                    rows[series[q]][slot] = interpolate
                        ? (float)(start + ((double)value - start) * (q - previous) / (p - previous))
                        : start;
            }
            previous = p;
        }
        if (previous < 0)
        {
            foreach (int row in series)   // no valid value at all
                rows[row][slot] = fallback;
            return;
        }
        float last = rows[series[previous]][slot];
        for (int q = previous + 1; q < series.Length; q++)   // trailing gap: the last valid value
            rows[series[q]][slot] = last;
    }

    /// <summary>One column of a <see cref="MissingValueReplacingTransformer"/>.</summary>
    public sealed class ReplacedColumn
    {
        internal ReplacedColumn(string outputColumnName, string inputColumnName, bool isVector, float[] fill)
        {
            OutputColumnName = outputColumnName;
            InputColumnName = inputColumnName;
            IsVector = isVector;
            FillArray = fill;
        }

        /// <summary>The name of the column written.</summary>
        public string OutputColumnName { get; }

        /// <summary>The name of the column read.</summary>
        public string InputColumnName { get; }

        /// <summary>Whether the column is a vector of Single rather than a Single.</summary>
        public bool IsVector { get; }

        /// <summary>Per slot, the value that replaces NaN in the constant modes, or the fallback for a series without
        /// any valid value in <see cref="MissingValueReplacementMode.ForwardFill"/> and
        /// <see cref="MissingValueReplacementMode.LinearInterpolation"/> (the training mean).</summary>
        public IReadOnlyList<float> ReplacementValues => FillArray;

        internal float[] FillArray { get; }
    }
}
