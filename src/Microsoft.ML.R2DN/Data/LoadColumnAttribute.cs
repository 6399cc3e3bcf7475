namespace Microsoft.ML.R2DN.Data;

/// <summary>Maps a field or property of a row class to the fields of a delimited text file, for
/// <c>LoadFromTextFile&lt;T&gt;</c>.</summary>
/// <remarks>Field indices are 0-based positions in a line. One index loads a scalar; a range
/// (<c>[LoadColumn(start, end)]</c>, both ends included) loads a <see cref="float"/>[] vector of
/// <c>end - start + 1</c> items. Every public field and property of the row class needs this attribute unless it has
/// <see cref="NoColumnAttribute"/>.</remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class LoadColumnAttribute : Attribute
{
    /// <summary>Loads the member from one field of each line.</summary>
    /// <param name="fieldIndex">The 0-based field index, &gt;= 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fieldIndex"/> is negative.</exception>
    public LoadColumnAttribute(int fieldIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldIndex);
        Start = End = fieldIndex;
    }

    /// <summary>Loads the member, a <see cref="float"/>[], from the fields <paramref name="start"/> to
    /// <paramref name="end"/> (both included) of each line.</summary>
    /// <param name="start">The first 0-based field index, &gt;= 0.</param>
    /// <param name="end">The last field index, &gt;= <paramref name="start"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is negative or <paramref name="end"/> is
    /// less than <paramref name="start"/>.</exception>
    public LoadColumnAttribute(int start, int end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        Start = start;
        End = end;
        IsRange = true;
    }

    /// <summary>The first (or only) 0-based field index.</summary>
    public int Start { get; }

    /// <summary>The last field index, included; equal to <see cref="Start"/> for a single field.</summary>
    public int End { get; }

    /// <summary>Whether the attribute was given a range, so that the member is a vector (even a range of one field).</summary>
    public bool IsRange { get; }
}
