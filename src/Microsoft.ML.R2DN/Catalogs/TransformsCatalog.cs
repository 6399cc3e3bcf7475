using Microsoft.ML.R2DN.Transforms;

namespace Microsoft.ML.R2DN;

/// <summary>Data preparation estimators: <c>MLContext.Transforms</c>, as ML.NET's <c>ml.Transforms</c>.</summary>
/// <remarks>
/// <para>Every estimator here returns a transformer that is lazy (it computes its columns when a cursor reads them),
/// checks its input columns with the shared schema messages (<c>Could not find input column 'X'</c>, <c>Schema mismatch
/// for input column 'X': expected Single, got String</c>), and is saved and loaded with <c>ml.Model.Save</c> and
/// <c>ml.Model.Load</c>, alone or as part of a chain built with <c>Append</c>.</para>
/// <para>An output column named like an input column hides it, as in ML.NET: <c>NormalizeMeanVariance("Load")</c>
/// replaces <c>Load</c> with its normalised values.</para>
/// </remarks>
/// <example><code>
/// var pipeline = ml.Transforms.ReplaceMissingValues("Load", mode: MissingValueReplacementMode.LinearInterpolation)
///     .Append(ml.Transforms.NormalizeMeanVariance("Temperature"))
///     .Append(ml.Forecasting.R2DN(outputColumnName: "Forecast", inputColumnName: "Load", horizon: 24,
///                                 featureColumnNames: new[] { "Temperature" }));
/// </code></example>
public sealed class TransformsCatalog
{
    private readonly MLContext _context;

    internal TransformsCatalog(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <summary>Copies a column under a new name.</summary>
    /// <param name="outputColumnName">The name of the copy; not null or empty.</param>
    /// <param name="inputColumnName">The column to copy, of any type; not null or empty.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException">A name is null or empty.</exception>
    public ColumnCopyingEstimator CopyColumns(string outputColumnName, string inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        return new ColumnCopyingEstimator(_context, TransformUtils.Pair(outputColumnName, inputColumnName));
    }

    /// <summary>Copies several columns under new names.</summary>
    /// <param name="columns">The copies to make (output and input names); not null or empty.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException"><paramref name="columns"/> is null, empty or holds null.</exception>
    public ColumnCopyingEstimator CopyColumns(params InputOutputColumnPair[] columns) =>
        new(_context, TransformUtils.CheckPairs(columns, nameof(columns)));

    /// <summary>Joins Single and vector-of-Single columns into one vector-of-Single column, in the order given.</summary>
    /// <param name="outputColumnName">The name of the joined column; not null or empty.</param>
    /// <param name="inputColumnNames">The columns to join, each Single or a vector of Single; at least one, none null
    /// or empty. A column may be listed more than once.</param>
    /// <returns>The estimator. The output is <c>Vector&lt;Single, n&gt;</c> with n the total size, or
    /// <c>Vector&lt;Single&gt;</c> when an input vector's size is not known.</returns>
    /// <exception cref="ArgumentException">A name is null or empty, or no input column is given.</exception>
    public ColumnConcatenatingEstimator Concatenate(string outputColumnName, params string[] inputColumnNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        CheckNames(inputColumnNames, nameof(inputColumnNames));
        return new ColumnConcatenatingEstimator(_context, outputColumnName, [.. inputColumnNames]);
    }

    /// <summary>Normalises a column to mean 0 and standard deviation 1 on the training data:
    /// <c>(x - mean) / std</c>, per slot of a vector column.</summary>
    /// <param name="outputColumnName">The name of the normalised column; not null or empty.</param>
    /// <param name="inputColumnName">The column to read (Single or a known-size vector of Single); null to read
    /// <paramref name="outputColumnName"/>, which is then replaced.</param>
    /// <param name="fixZero">False (the default here; ML.NET's default is true) to centre the values; true to keep
    /// zero at zero by only scaling, by 1 / root mean square.</param>
    /// <returns>The estimator; see <see cref="NormalizingEstimator"/> for how statistics are learned.</returns>
    /// <exception cref="ArgumentException"><paramref name="outputColumnName"/> is null or empty, or
    /// <paramref name="inputColumnName"/> is empty.</exception>
    public NormalizingEstimator NormalizeMeanVariance(string outputColumnName, string? inputColumnName = null, bool fixZero = false) =>
        new(_context, TransformUtils.Pair(outputColumnName, inputColumnName), fixZero);

    /// <summary>Normalises several columns to mean 0 and standard deviation 1 on the training data, learned in one pass.</summary>
    /// <param name="columns">The columns (output and input names); not null or empty.</param>
    /// <param name="fixZero">False to centre the values; true to keep zero at zero by only scaling.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException"><paramref name="columns"/> is null, empty or holds null.</exception>
    public NormalizingEstimator NormalizeMeanVariance(InputOutputColumnPair[] columns, bool fixZero = false) =>
        new(_context, TransformUtils.CheckPairs(columns, nameof(columns)), fixZero);

    /// <summary>Replaces missing values (NaN) of a Single or vector-of-Single column.</summary>
    /// <param name="outputColumnName">The name of the output column; not null or empty.</param>
    /// <param name="inputColumnName">The column to read; null to read <paramref name="outputColumnName"/>, which is
    /// then replaced.</param>
    /// <param name="mode">How to fill: <see cref="MissingValueReplacementMode.ForwardFill"/> (the default),
    /// <see cref="MissingValueReplacementMode.LinearInterpolation"/>, or a constant learned on the training data
    /// (<see cref="MissingValueReplacementMode.Mean"/>, <see cref="MissingValueReplacementMode.Minimum"/>,
    /// <see cref="MissingValueReplacementMode.Maximum"/>, <see cref="MissingValueReplacementMode.DefaultValue"/>).</param>
    /// <param name="seriesIdColumnName">For the forward-fill and interpolation modes, a String, Int32, Int64, Single or
    /// Double column that separates independent series (values never flow from one series to another); null for one
    /// series. Ignored by the constant modes.</param>
    /// <returns>The estimator; see <see cref="MissingValueReplacingEstimator"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="outputColumnName"/> is null or empty, or a column name is
    /// empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined value.</exception>
    public MissingValueReplacingEstimator ReplaceMissingValues(string outputColumnName, string? inputColumnName = null,
                                                               MissingValueReplacementMode mode = MissingValueReplacementMode.ForwardFill,
                                                               string? seriesIdColumnName = null) =>
        new(_context, TransformUtils.Pair(outputColumnName, inputColumnName), mode, seriesIdColumnName);

    /// <summary>Replaces missing values (NaN) of several columns in the same way.</summary>
    /// <param name="columns">The columns (output and input names); not null or empty.</param>
    /// <param name="mode">How to fill; see <see cref="ReplaceMissingValues(string, string, MissingValueReplacementMode, string)"/>.</param>
    /// <param name="seriesIdColumnName">The column that separates series for the forward-fill and interpolation
    /// modes; null for one series.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException"><paramref name="columns"/> is null, empty or holds null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined value.</exception>
    public MissingValueReplacingEstimator ReplaceMissingValues(InputOutputColumnPair[] columns,
                                                               MissingValueReplacementMode mode = MissingValueReplacementMode.ForwardFill,
                                                               string? seriesIdColumnName = null) =>
        new(_context, TransformUtils.CheckPairs(columns, nameof(columns)), mode, seriesIdColumnName);

    /// <summary>Removes the named columns (hidden columns of those names too); the others keep their order.</summary>
    /// <param name="columnNames">The columns to remove; at least one, none null or empty.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException">No name is given, or one is null or empty.</exception>
    public ColumnSelectingEstimator DropColumns(params string[] columnNames)
    {
        CheckNames(columnNames, nameof(columnNames));
        return new ColumnSelectingEstimator(_context, [.. columnNames], keep: false);
    }

    /// <summary>Keeps only the named columns, in the order given.</summary>
    /// <param name="columnNames">The columns to keep; at least one, none null or empty, no name twice.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException">No name is given, one is null or empty, or one is repeated.</exception>
    public ColumnSelectingEstimator SelectColumns(params string[] columnNames)
    {
        CheckNames(columnNames, nameof(columnNames));
        if (columnNames.Distinct(StringComparer.Ordinal).Count() != columnNames.Length)
            throw new ArgumentException("Each column may be selected only once.", nameof(columnNames));
        return new ColumnSelectingEstimator(_context, [.. columnNames], keep: true);
    }

    private static void CheckNames(string[] names, string paramName)
    {
        ArgumentNullException.ThrowIfNull(names, paramName);
        if (names.Length == 0)
            throw new ArgumentException("At least one column name is needed.", paramName);
        if (names.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Column names must not be null or empty.", paramName);
    }
}
