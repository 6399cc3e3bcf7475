namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Reads a stream to its end into memory, refusing to hold more than a fixed number of bytes.</summary>
/// <remarks>
/// Sizes declared by a file (a zip entry's uncompressed length, an .npy header's shape) are claims, not facts: a zip
/// bomb declares a small size and inflates to gigabytes. Reading through this cap stops it after at most
/// <c>maxBytes + 1</c> bytes, whatever the file declares. Memory grows with the bytes actually read, never with a
/// declared size, so a file that lies about its size cannot make the reader allocate it.
/// </remarks>
internal static class BoundedStream
{
    private const int InitialCapacity = 4096;

    /// <summary>Reads <paramref name="source"/> to its end.</summary>
    /// <param name="source">The stream, read from its current position.</param>
    /// <param name="maxBytes">The most bytes accepted (0 to <see cref="Array.MaxLength"/>).</param>
    /// <param name="sizeHint">The size the caller expects (for example a declared length), used only as a first
    /// capacity and capped by <paramref name="maxBytes"/>.</param>
    /// <param name="tooLarge">Creates the exception thrown when the stream holds more than
    /// <paramref name="maxBytes"/> bytes.</param>
    /// <returns>The bytes read, exactly as many as the stream held (a view of a possibly larger buffer).</returns>
    public static ArraySegment<byte> ReadToEnd(Stream source, long maxBytes, long sizeHint, Func<Exception> tooLarge)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, Array.MaxLength);
        // A hint beyond 16 MiB is not trusted for the first allocation: the buffer doubles as real bytes arrive.
        int capacity = (int)Math.Clamp(Math.Min(sizeHint, maxBytes) + 1, InitialCapacity, 16 << 20);
        var buffer = new byte[capacity];
        long length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes) throw tooLarge();
                long grown = Math.Min(Math.Max(2L * buffer.Length, InitialCapacity), maxBytes + 1);
                grown = Math.Min(grown, Array.MaxLength);
                if (grown <= buffer.Length) throw tooLarge();
                Array.Resize(ref buffer, (int)grown);
            }
            int read = source.Read(buffer, (int)length, buffer.Length - (int)length);
            if (read == 0) break;
            length += read;
        }
        if (length > maxBytes) throw tooLarge();
        return new ArraySegment<byte>(buffer, 0, (int)length);
    }
}
