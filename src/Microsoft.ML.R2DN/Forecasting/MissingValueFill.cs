namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>What both scorers do with a NaN or infinite value at scoring time, where rows come one at a time.</summary>
internal static class MissingValueFill
{
    /// <summary>The value to use instead of <paramref name="value"/>: the series' last value under
    /// <see cref="MissingValuePolicy.ForwardFill"/>.</summary>
    /// <exception cref="InvalidOperationException">The policy is <see cref="MissingValuePolicy.Error"/>, or there is no
    /// earlier value to carry forward (the message names the column and the row).</exception>
    public static float Fill(MissingValuePolicy policy, float value, float last, string role, string name, string where,
                             long row)
    {
        if (policy == MissingValuePolicy.Error)
        {
            string kind = float.IsNaN(value)
                ? "a missing value (NaN)" : $"a non-finite value ({value.ToString(CultureInfo.InvariantCulture)})";
            throw new InvalidOperationException($"The {role} '{name}' has {kind} at row {row}{where}. Remove or fill " +
                                                $"it " +
                "(for example with mlContext.Transforms.ReplaceMissingValues), or train with MissingValues = " +
                "MissingValuePolicy.ForwardFill.");
        }
        if (!float.IsFinite(last))
            throw new InvalidOperationException($"The {role} '{name}' is missing at row {row}{where} and there is no " +
                                                $"earlier " +
                                                "value in its series to carry forward.");
        return last;
    }
}
