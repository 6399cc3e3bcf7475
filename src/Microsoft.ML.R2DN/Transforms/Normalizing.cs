using Microsoft.ML.R2DN.Data;

namespace Microsoft.ML.R2DN.Transforms;

/// <summary>Learns an affine map per column (and per slot of a vector column) that gives the training data mean 0 and
/// standard deviation 1: <c>ml.Transforms.NormalizeMeanVariance</c>.</summary>
/// <remarks>
/// <para>Fitting reads the input columns once and computes, per slot, the mean and the population standard deviation
/// (divisor n, as ML.NET) of the finite values; NaN and infinite values are skipped. The transformer then maps
/// <c>x</c> to <c>(x - Offset) * Scale</c> with <c>Offset</c> = mean and <c>Scale</c> = 1 / standard deviation. With
/// <c>fixZero</c>, <c>Offset</c> is 0 and <c>Scale</c> = 1 / sqrt(mean² + variance) (the root mean square), so zero
/// stays zero.</para>
/// <para>A slot that is constant, or has no finite value, gets <c>Offset</c> = <c>Scale</c> = 0 (as in ML.NET): its
/// finite values map to 0. NaN stays NaN.</para>
/// <para>Columns must be Single or a vector of Single of known size; the output has the input's type.</para>
/// </remarks>
public sealed class NormalizingEstimator : IEstimator<NormalizingTransformer>
{
    private readonly MLContext _context;
    private readonly InputOutputColumnPair[] _columns;
    private readonly bool _fixZero;

    internal NormalizingEstimator(MLContext context, InputOutputColumnPair[] columns, bool fixZero)
    {
        _context = context;
        _columns = columns;
        _fixZero = fixZero;
    }

    /// <summary>Learns the mean and standard deviation of every input column.</summary>
    /// <param name="input">The training data; not null.</param>
    /// <returns>The transformer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is neither Single nor a known-size
    /// vector of Single.</exception>
    /// <exception cref="OperationCanceledException">The context was cancelled.</exception>
    public NormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var token = _context.CancellationToken;
        var found = _columns.Select(p => TransformUtils.FindSingleOrVector(input.Schema, p.InputColumnName, out _, out _)).ToArray();
        var stats = found.Select(c => new MeanVariance(TransformUtils.SlotCount(c.Type, out _))).ToArray();
        using (var cursor = input.GetRowCursor(found.Distinct()))
        {
            var getters = found.Select(c => TransformUtils.SlotsGetter(cursor, c, c.Type is VectorDataViewType)).ToArray();
            while (cursor.MoveNext())
            {
                token.ThrowIfCancellationRequested();
                for (int j = 0; j < getters.Length; j++)
                    stats[j].Add(TransformUtils.CheckLength(getters[j](), stats[j].Slots, found[j].Name));
            }
        }
        var result = new NormalizingTransformer.NormalizedColumn[_columns.Length];
        for (int j = 0; j < result.Length; j++)
        {
            stats[j].ScaleAndOffset(_fixZero, out var offset, out var scale);
            result[j] = new NormalizingTransformer.NormalizedColumn(_columns[j].OutputColumnName, _columns[j].InputColumnName,
                                                                    found[j].Type is VectorDataViewType, offset, scale);
        }
        _context.WriteLog(ChannelMessageKind.Trace, nameof(NormalizingEstimator),
                          $"Learned mean-variance normalisation of {string.Join(", ", _columns.Select(c => c.InputColumnName))}.");
        return new NormalizingTransformer(_context, result);
    }

    /// <summary>The input schema followed by the normalised columns (of the input columns' types).</summary>
    /// <param name="inputSchema">The schema of the training data; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is neither Single nor a known-size
    /// vector of Single.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var builder = new DataViewSchema.Builder().AddColumns(inputSchema);
        foreach (var pair in _columns)
            builder.AddColumn(pair.OutputColumnName, TransformUtils.FindSingleOrVector(inputSchema, pair.InputColumnName, out _, out _).Type);
        return builder.ToSchema();
    }

    /// <summary>Welford's running mean and sum of squared deviations, per slot, over finite values.</summary>
    private sealed class MeanVariance(int slots)
    {
        private readonly long[] _count = new long[slots];
        private readonly double[] _mean = new double[slots];
        private readonly double[] _m2 = new double[slots];

        public int Slots => slots;

        public void Add(float[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double x = values[i];
                if (!double.IsFinite(x))
                    continue;
                long n = ++_count[i];
                double delta = x - _mean[i];
                _mean[i] += delta / n;
                _m2[i] += delta * (x - _mean[i]);
            }
        }

        public void ScaleAndOffset(bool fixZero, out double[] offset, out double[] scale)
        {
            offset = new double[_count.Length];
            scale = new double[_count.Length];
            for (int i = 0; i < _count.Length; i++)
            {
                if (_count[i] == 0 || _m2[i] <= 0)
                    continue;   // constant or empty: both 0, as ML.NET
                double variance = _m2[i] / _count[i];
                if (fixZero)
                    scale[i] = 1 / Math.Sqrt(variance + _mean[i] * _mean[i]);
                else
                {
                    offset[i] = _mean[i];
                    scale[i] = 1 / Math.Sqrt(variance);
                }
                if (!double.IsFinite(scale[i]))
                    offset[i] = scale[i] = 0;
            }
        }
    }
}

/// <summary>Maps each column to <c>(x - Offset) * Scale</c> with the offset and scale learned by
/// <see cref="NormalizingEstimator"/>, lazily, row by row.</summary>
[PersistableTransformer(PersistedName)]
public sealed class NormalizingTransformer : ITransformer, IPersistableTransformer
{
    private const string PersistedName = "NormalizeMeanVariance";
    private readonly MLContext? _context;
    private readonly NormalizedColumn[] _columns;

    internal NormalizingTransformer(MLContext? context, NormalizedColumn[] columns)
    {
        _context = context;
        _columns = columns;
    }

    /// <summary>The normalised columns with their learned parameters, in order.</summary>
    public IReadOnlyList<NormalizedColumn> Columns => _columns;

    string IPersistableTransformer.TypeName => PersistedName;

    /// <summary>The input schema followed by the normalised columns.</summary>
    /// <param name="inputSchema">The schema of the data to transform; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or its type differs from the training
    /// data's.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var builder = new DataViewSchema.Builder().AddColumns(inputSchema);
        foreach (var c in _columns)
            builder.AddColumn(c.OutputColumnName, TransformUtils.FindExact(inputSchema, c.InputColumnName, c.Offset.Count, c.IsVector).Type);
        return builder.ToSchema();
    }

    /// <summary>Appends the normalised columns; values are computed when a cursor reads them.</summary>
    /// <param name="input">The data; not null.</param>
    /// <returns>The lazy output view.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or its type differs from the training
    /// data's.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var builder = new ColumnAppendingDataView.Builder(input, _context?.CancellationToken ?? default);
        foreach (var c in _columns)
        {
            var offset = c.OffsetArray;
            var scale = c.ScaleArray;
            TransformUtils.AddMappedColumn(builder, c.OutputColumnName, c.InputColumnName, c.IsVector, offset.Length,
                                           (x, i) => (float)((x - offset[i]) * scale[i]));
        }
        return builder.Build();
    }

    void IPersistableTransformer.Save(ModelSaveContext context)
    {
        TransformUtils.SavePairs(context, [.. _columns.Select(c => new InputOutputColumnPair(c.OutputColumnName, c.InputColumnName))]);
        context.Properties["isVector"] = new System.Text.Json.Nodes.JsonArray([.. _columns.Select(c => (System.Text.Json.Nodes.JsonNode?)c.IsVector)]);
        for (int j = 0; j < _columns.Length; j++)
        {
            context.AddArray($"columns/{j}/offset", [_columns[j].OffsetArray.Length], [.. _columns[j].OffsetArray]);
            context.AddArray($"columns/{j}/scale", [_columns[j].ScaleArray.Length], [.. _columns[j].ScaleArray]);
        }
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        var pairs = TransformUtils.LoadPairs(context);
        var isVector = TransformUtils.GetBooleans(context, "isVector", pairs.Length);
        var columns = new NormalizedColumn[pairs.Length];
        for (int j = 0; j < pairs.Length; j++)
        {
            var (shape, _) = context.GetArray($"columns/{j}/offset");
            int slots = shape.Length == 1 ? shape[0] : -1;
            if (slots < 1 || (!isVector[j] && slots != 1))
                throw new FormatException($"The model file is damaged: column {j} of a '{PersistedName}' transformer has a bad size.");
            var offset = TransformUtils.GetVector(context, $"columns/{j}/offset", slots);
            var scale = TransformUtils.GetVector(context, $"columns/{j}/scale", slots);
            columns[j] = new NormalizedColumn(pairs[j].OutputColumnName, pairs[j].InputColumnName, isVector[j], offset, scale);
        }
        return new NormalizingTransformer(context.Context, columns);
    }

    /// <summary>One normalised column: <c>output = (input - Offset) * Scale</c>, per slot; to map a normalised value
    /// back, <c>input = output / Scale + Offset</c> (where <c>Scale</c> is not 0).</summary>
    public sealed class NormalizedColumn
    {
        internal NormalizedColumn(string outputColumnName, string inputColumnName, bool isVector, double[] offset, double[] scale)
        {
            OutputColumnName = outputColumnName;
            InputColumnName = inputColumnName;
            IsVector = isVector;
            OffsetArray = offset;
            ScaleArray = scale;
        }

        /// <summary>The name of the normalised column.</summary>
        public string OutputColumnName { get; }

        /// <summary>The name of the column read.</summary>
        public string InputColumnName { get; }

        /// <summary>Whether the column is a vector (then <see cref="Offset"/> and <see cref="Scale"/> have one value per
        /// slot) rather than a Single (one value each).</summary>
        public bool IsVector { get; }

        /// <summary>The value subtracted, per slot: the training mean (0 with <c>fixZero</c>, or for a constant slot).</summary>
        public IReadOnlyList<double> Offset => OffsetArray;

        /// <summary>The factor applied after subtracting <see cref="Offset"/>, per slot: 1 / standard deviation (1 / root
        /// mean square with <c>fixZero</c>; 0 for a constant slot).</summary>
        public IReadOnlyList<double> Scale => ScaleArray;

        internal double[] OffsetArray { get; }

        internal double[] ScaleArray { get; }
    }
}
