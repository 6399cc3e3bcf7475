using System.Text;

namespace Microsoft.ML.R2DN.Engine;

/// <summary>
/// Writes a file in one step or not at all: to a new temporary file in the same folder (so that the final move is a
/// rename within one file system), flushed to disk, then moved over the destination. If anything fails, the temporary
/// file is deleted and a file already at the destination is left untouched.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The file to create or replace; its folder must exist.</param>
    /// <param name="write">Writes the content to the stream it is given (it must not close it).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> names no file (it ends with a separator).
    /// </exception>
    /// <exception cref="IOException">The file cannot be written (the folder is missing or read-only, the disk is
    /// full, or a folder stands at <paramref name="path"/>).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string fileName = Path.GetFileName(full);
        if (fileName.Length == 0) throw new ArgumentException($"'{path}' names a folder, not a file.", nameof(path));
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.",
                                                                                   nameof(path));
        // Unique, so concurrent saves cannot collide; a leading dot hides it; the name stays short of the 255-byte
        // limit of most file systems.
        string stem = fileName.Length > 100 ? fileName[..100] : fileName;
        string temp = Path.Combine(folder, $".{stem}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes UTF-8 text (no byte-order mark) to <paramref name="path"/>, atomically (see
    /// <see cref="Write(string, Action{Stream})"/>).</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            write(writer);
        });
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write failed already; that error is the one to report.
        }
    }
}
