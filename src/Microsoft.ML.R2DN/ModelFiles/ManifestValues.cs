using System.Text.Json;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>
/// Reads typed values out of manifest JSON nodes, whether they were parsed from a file or built in code, without the
/// exceptions <see cref="JsonNode.GetValue{T}"/> throws on a mismatch.
/// </summary>
internal static class ManifestValues
{
    /// <summary>A JSON number that is an integer in the range of <see cref="long"/>.</summary>
    public static bool TryGetInt64(JsonNode? node, out long value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
               && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture,
                                out value);
    }

    /// <summary>A JSON number that is an integer in the range of <see cref="int"/>.</summary>
    public static bool TryGetInt32(JsonNode? node, out int value)
    {
        value = 0;
        if (!TryGetInt64(node, out long l) || l < int.MinValue || l > int.MaxValue) return false;
        value = (int)l;
        return true;
    }

    /// <summary>A JSON number, read exactly as written
    /// (the shortest round-trip form is read back bit-identical).</summary>
    public static bool TryGetDouble(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
               && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A JSON true or false.</summary>
    public static bool TryGetBoolean(JsonNode? node, out bool value)
    {
        var kind = node is JsonValue v ? v.GetValueKind() : JsonValueKind.Undefined;
        value = kind == JsonValueKind.True;
        return kind is JsonValueKind.True or JsonValueKind.False;
    }

    /// <summary>A JSON string.</summary>
    public static bool TryGetString(JsonNode? node, out string value)
    {
        value = "";
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return false;
        value = v.GetValue<string>();
        return true;
    }

    /// <summary>A finite double as a JSON number, or null for NaN and infinities (which JSON cannot hold).</summary>
    public static JsonNode? FromDouble(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
