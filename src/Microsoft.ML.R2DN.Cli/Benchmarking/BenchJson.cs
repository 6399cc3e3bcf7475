using System.Text.Encodings.Web;
using System.Text.Json;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>What the benchmark reports write into their JSON in the same way.</summary>
internal static class BenchJson
{
    /// <summary>The JSON that <paramref name="write"/> writes, as text. Non-ASCII text (γ, ᾱ, →) is kept as it is
    /// rather than escaped, so that the reports read as the tables do.</summary>
    public static string Write(Action<Utf8JsonWriter> write, bool indented = false)
    {
        var buffer = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var w = new Utf8JsonWriter(buffer, options))
            write(w);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The number, or null when it is NaN or infinite (JSON has neither).</summary>
    public static void WriteFiniteOrNull(this Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>An array of integers, such as a model's hidden widths.</summary>
    public static void WriteArray(this Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (int v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
