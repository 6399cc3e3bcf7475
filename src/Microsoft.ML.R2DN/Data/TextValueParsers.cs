using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.R2DN.Data;

/// <summary>Parsing of one text field per <see cref="DataKind"/>, in the invariant culture, with the missing-value
/// rules documented on <see cref="DataKind"/>.</summary>
internal static partial class TextValueParsers
{
    private const DateTimeStyles DateStyles = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AdjustToUniversal;

    /// <summary>Empty, <c>?</c> (ML.NET's marker), <c>NA</c> or <c>N/A</c> (R's and spreadsheets'): a missing number.</summary>
    public static bool IsMissingNumber(ReadOnlySpan<char> s) =>
        s.IsEmpty || s is "?" || s.Equals("NA", StringComparison.OrdinalIgnoreCase) || s.Equals("N/A", StringComparison.OrdinalIgnoreCase);

    public static bool TryParseSingle(ReadOnlySpan<char> s, out float value)
    {
        s = s.Trim();
        if (IsMissingNumber(s))
        {
            value = float.NaN;
            return true;
        }
        return float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseDouble(ReadOnlySpan<char> s, out double value)
    {
        s = s.Trim();
        if (IsMissingNumber(s))
        {
            value = double.NaN;
            return true;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseInt32(ReadOnlySpan<char> s, out int value)
    {
        s = s.Trim();
        value = 0;
        return s.IsEmpty || int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseInt64(ReadOnlySpan<char> s, out long value)
    {
        s = s.Trim();
        value = 0;
        return s.IsEmpty || long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseBoolean(ReadOnlySpan<char> s, out bool value)
    {
        s = s.Trim();
        value = false;
        if (s.IsEmpty || Is(s, "false") || Is(s, "f") || Is(s, "no") || Is(s, "n") || s is "0")
            return true;
        value = true;
        return Is(s, "true") || Is(s, "t") || Is(s, "yes") || Is(s, "y") || s is "1";

        static bool Is(ReadOnlySpan<char> s, string word) => s.Equals(word, StringComparison.OrdinalIgnoreCase);
    }

    public static bool TryParseDateTime(ReadOnlySpan<char> s, out DateTime value)
    {
        s = s.Trim();
        value = default;
        return s.IsEmpty || DateTime.TryParse(s, CultureInfo.InvariantCulture, DateStyles, out value);
    }

    /// <summary>Whether <paramref name="s"/> is an ISO 8601 date, optionally with a time and an offset
    /// (<c>2024-01-31</c>, <c>2024-01-31T13:00</c>, <c>2024-01-31 13:00:00.5+02:00</c>, ...), for column inference.</summary>
    public static bool IsIsoDate(ReadOnlySpan<char> s)
    {
        s = s.Trim();
        return IsoDate().IsMatch(s) && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateStyles, out _);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();
}
