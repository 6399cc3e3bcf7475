namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>The columns of one or more CSV files with the same header, as <see cref="CsvInference"/> found
/// them.</summary>
/// <param name="Names">The header's names, in order; an empty name is <c>Column{i}</c> (its 0-based index).</param>
/// <param name="IsNumeric">Whether every value of each column is a number or missing.</param>
/// <param name="RowCounts">The number of data rows of each file.</param>
/// <param name="FirstText">For each text column, its first value that is not a number and the 0-based row of all
/// files together where it stands: to say why the column is text.</param>
internal sealed record CsvColumns(string[] Names, bool[] IsNumeric, int[] RowCounts,
                                  IReadOnlyDictionary<string, (long Row, string Value)> FirstText);
