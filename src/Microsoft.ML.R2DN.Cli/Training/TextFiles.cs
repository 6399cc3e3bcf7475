using Microsoft.ML.R2DN.Engine;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>Writing the files the commands produce (CSV, SVG, PNG).</summary>
internal static class TextFiles
{
    /// <summary>Writes UTF-8 text to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    /// <exception cref="IOException">The file cannot be written; an existing file is left unchanged.</exception>
    public static void WriteAtomically(string path, Action<TextWriter> write) => AtomicFile.WriteText(path, write);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The file cannot be written; an existing file is left unchanged.</exception>
    public static void WriteAtomically(string path, byte[] bytes) => WriteStreamAtomically(path, s => s.Write(bytes));

    /// <summary>A field for a CSV line: quoted (RFC 4180) when it holds a separator, a quote or a line break.</summary>
    public static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;

    private static void WriteStreamAtomically(string path, Action<Stream> write) => AtomicFile.Write(path, write);
}
