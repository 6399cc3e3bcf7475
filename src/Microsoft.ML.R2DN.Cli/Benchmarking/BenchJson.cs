using System.Numerics;
using System.Runtime;
using System.Runtime.InteropServices;
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

    /// <summary>An array named <paramref name="name"/> with one object per item, its fields written by
    /// <paramref name="fields"/>.</summary>
    public static void WriteObjects<T>(this Utf8JsonWriter w, string name, IEnumerable<T> items, Action<T> fields)
    {
        w.WriteStartArray(name);
        foreach (var item in items)
        {
            w.WriteStartObject();
            fields(item);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>The <c>runtime</c> object: framework, OS, architecture, cores, vector width and GC mode, with the
    /// .NET version and whether vectors are hardware-accelerated when <paramref name="detailed"/>.</summary>
    public static void WriteRuntime(this Utf8JsonWriter w, bool detailed)
    {
        w.WriteStartObject("runtime");
        if (detailed) w.WriteString("dotnet_version", Environment.Version.ToString());
        w.WriteString("framework", RuntimeInformation.FrameworkDescription);
        w.WriteString("os", RuntimeInformation.OSDescription);
        w.WriteString("architecture", RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant());
        w.WriteNumber("processor_count", Environment.ProcessorCount);
        w.WriteNumber("vector_float_count", Vector<float>.Count);
        if (detailed) w.WriteBoolean("vector_hardware_accelerated", Vector.IsHardwareAccelerated);
        w.WriteBoolean("server_gc", GCSettings.IsServerGC);
        w.WriteEndObject();
    }
}
