using System.Collections;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>One observation of one series for a <see cref="SeriesForecaster"/>: named values for the input columns the
/// model reads (the columns of the data it was trained on, before the transformers that precede the forecaster), so
/// that it can be built without a .NET class per model and sent over the wire (the Orleans package carries
/// it).</summary> <remarks> <para>Each value is a <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see
/// cref="long"/> or <see cref="bool"/>, and reaches the model as a column of that type, exactly as a member of that
/// type of the engine's observation class does: the forecaster reads any of them, and a transformer before it that
/// needs another type refuses it with ML.NET's "Schema mismatch" error, as it would in the engine. NaN is allowed: it
/// is a missing value, which the model's <see cref="MissingValuePolicy"/> fills or refuses.</para> <para>Build it with
/// a collection initializer: <c>new SeriesObservation { { "Load", 512f }, { "Temperature", 21f } }</c>. The series id
/// is not a value here: it is the state's (<see cref="SeriesState.SeriesId"/>).</para> </remarks> <threadsafety>Not
/// thread-safe while it is being built; reading it from several threads is safe.</threadsafety>
public sealed class SeriesObservation : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<KeyValuePair<string, object>> _values = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>The number of values.</summary>
    public int Count => _values.Count;

    /// <summary>The value of <paramref name="column"/>: a boxed <see cref="float"/>, <see cref="double"/>,
    /// <see cref="int"/>, <see cref="long"/> or <see cref="bool"/>.</summary>
    /// <param name="column">The column name (case-sensitive); not null.</param>
    /// <exception cref="KeyNotFoundException">The observation has no value for <paramref name="column"/>.</exception>
    public object this[string column] => TryGetValue(column, out var value) ? value
        : throw new KeyNotFoundException($"The observation has no value for column '{column}'.");

    /// <summary>Whether the observation has a value for <paramref name="column"/>, and that value.</summary>
    /// <param name="column">The column name; not null.</param>
    /// <param name="value">The boxed value, or null when there is none.</param>
    /// <returns>True when the value exists.</returns>
    public bool TryGetValue(string column, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value)
    {
        ArgumentNullException.ThrowIfNull(column);
        value = _index.TryGetValue(column, out int i) ? _values[i].Value : null;
        return value is not null;
    }

    /// <summary>Sets a Single column.</summary>
    /// <param name="column">The column name; not null or empty.</param>
    /// <param name="value">The value; NaN for a missing value.</param>
    public void Add(string column, float value) => Set(column, value);

    /// <summary>Sets a Double column.</summary>
    /// <param name="column">The column name; not null or empty.</param>
    /// <param name="value">The value; NaN for a missing value.</param>
    public void Add(string column, double value) => Set(column, value);

    /// <summary>Sets an Int32 column.</summary>
    /// <param name="column">The column name; not null or empty.</param>
    /// <param name="value">The value.</param>
    public void Add(string column, int value) => Set(column, value);

    /// <summary>Sets an Int64 column.</summary>
    /// <param name="column">The column name; not null or empty.</param>
    /// <param name="value">The value.</param>
    public void Add(string column, long value) => Set(column, value);

    /// <summary>Sets a Boolean column.</summary>
    /// <param name="column">The column name; not null or empty.</param>
    /// <param name="value">The value.</param>
    public void Add(string column, bool value) => Set(column, value);

    /// <summary>Sets <paramref name="column"/> to a boxed value of one of the supported types (for
    /// deserialisers).</summary> <param name="column">The column name; not null or empty.</param> <param name="value">A
    /// <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/> or <see cref="bool"/>; not
    /// null.</param> <exception cref="ArgumentException"><paramref name="column"/> is empty, or <paramref
    /// name="value"/> has another type.</exception> <exception cref="ArgumentNullException">An argument is
    /// null.</exception>
    public void Set(string column, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(value);
        if (value is not (float or double or int or long or bool))
            throw new ArgumentException($"The value of column '{column}' is a {value.GetType().Name}; an observation " +
                                        "holds Single, Double, Int32, Int64 or Boolean values.", nameof(value));
        var entry = new KeyValuePair<string, object>(column, value);
        if (_index.TryGetValue(column, out int i)) _values[i] = entry;
        else
        {
            _index.Add(column, _values.Count);
            _values.Add(entry);
        }
    }

    /// <summary>The values in the order they were first set.</summary>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
