using System.Text;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>Writing the files the commands produce (CSV, SVG, PNG).</summary>
internal static class TextFiles
{
    /// <summary>Writes UTF-8 text to <paramref name="path"/> atomically: to a temporary file beside it, then moved over
    /// it.</summary>
    /// <exception cref="IOException">The file cannot be written; an existing file is left unchanged.</exception>
    public static void WriteAtomically(string path, Action<TextWriter> write) =>
        WriteStreamAtomically(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            write(writer);
        });

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The file cannot be written; an existing file is left unchanged.</exception>
    public static void WriteAtomically(string path, byte[] bytes) => WriteStreamAtomically(path, s => s.Write(bytes));

    /// <summary>A field for a CSV line: quoted (RFC 4180) when it holds a separator, a quote or a line break.</summary>
    public static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;

    private static void WriteStreamAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = File.Create(temp))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
