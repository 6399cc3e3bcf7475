namespace Microsoft.ML.R2DN;

/// <summary>The names of one output column and the input column it is computed from, for transforms that work on
/// several columns at once (as ML.NET's <c>InputOutputColumnPair</c>).</summary>
public sealed class InputOutputColumnPair
{
    /// <summary>Creates a pair.</summary>
    /// <param name="outputColumnName">The name of the column to write; not null or empty.</param>
    /// <param name="inputColumnName">The name of the column to read; null to read the column named
    /// <paramref name="outputColumnName"/> (the output then replaces it).</param>
    /// <exception cref="ArgumentException"><paramref name="outputColumnName"/> is null or empty, or
    /// <paramref name="inputColumnName"/> is empty.</exception>
    public InputOutputColumnPair(string outputColumnName, string? inputColumnName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        if (inputColumnName is { Length: 0 })
            throw new ArgumentException("The input column name must not be empty; pass null to use the output column's name.",
                                        nameof(inputColumnName));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName ?? outputColumnName;
    }

    /// <summary>The name of the column written by the transform.</summary>
    public string OutputColumnName { get; }

    /// <summary>The name of the column read by the transform.</summary>
    public string InputColumnName { get; }

    /// <summary>The pair as <c>Output &lt;- Input</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{OutputColumnName} <- {InputColumnName}";
}
