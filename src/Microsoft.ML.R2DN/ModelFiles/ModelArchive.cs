using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>
/// The container of a model file: a zip archive holding <c>manifest.json</c> (format, version and everything that is
/// not an array) and one NumPy <c>.npy</c> entry per array, <c>parameters/&lt;name&gt;.npy</c>, where a name may
/// contain '/' (for example <c>parameters/network/layers_0/XY.npy</c>).
/// </summary>
/// <remarks>
/// <para>
/// The arrays are plain float64 C-order .npy files, so NumPy reads a model file as it is:
/// <c>np.load("model.zip")["parameters/X"]</c>. Writing is deterministic: the same manifest and arrays give the same
/// bytes (entries in the given order, fixed timestamps).
/// </para>
/// <para>
/// Reading is safe on untrusted files: nothing is extracted to disk; entry names that are absolute, contain '..',
/// backslashes, colons (drive letters) or control characters are refused, as are duplicate names; the entry count,
/// each entry's size and the total are capped by <see cref="ModelArchiveLimits"/>, counted on the bytes actually
/// inflated; every entry's CRC-32 is checked; the manifest is parsed as JSON only. Every failure is a
/// <see cref="FormatException"/> whose message starts "The model file is damaged: " or "The file is not a model
/// file: ", or says that the format version is too new or too old.
/// </para>
/// </remarks>
internal static class ModelArchive
{
    /// <summary>The value of the manifest's <c>format</c> property.</summary>
    public const string FormatName = "Microsoft.ML.R2DN.Model";

    /// <summary>The format version this package writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The name of the manifest entry.</summary>
    public const string ManifestEntryName = "manifest.json";

    /// <summary>The folder of the array entries.</summary>
    public const string ArrayFolder = "parameters/";

    /// <summary>The extension of the array entries.</summary>
    public const string ArrayExtension = ".npy";

    /// <summary>The longest entry name accepted.</summary>
    public const int MaxEntryNameLength = 1024;

    // Fixed entry timestamps keep the output byte-for-byte reproducible (1980-01-01 is the earliest zip date).
    private static readonly DateTimeOffset EntryTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly JsonDocumentOptions ManifestParseOptions = new()
    {
        MaxDepth = 64,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    private static readonly JsonSerializerOptions ManifestWriteOptions = new() { WriteIndented = true };

    /// <summary>The zip entry name of an array: <c>parameters/&lt;name&gt;.npy</c>.</summary>
    public static string EntryName(string arrayName) => ArrayFolder + arrayName + ArrayExtension;

    /// <summary>
    /// Writes a model file to a stream. The manifest is written with <c>format</c> and <c>formatVersion</c> set by this
    /// method (first, replacing any the caller gave), followed by the caller's properties.
    /// </summary>
    /// <param name="destination">The stream written to. Not atomic: if this throws, the stream holds a partial
    /// archive (write files with <c>AtomicFile</c>).</param>
    /// <param name="manifest">The manifest's properties (copied, not modified). Numbers must be finite.</param>
    /// <param name="arrays">The arrays: a name (non-empty '/'-separated segments, see <see cref="CheckEntryName"/>), a
    /// shape (empty for a scalar) and the elements in C order.</param>
    /// <exception cref="ArgumentException">A name is invalid or repeated, a shape does not match its data, or the
    /// manifest holds a non-finite number.</exception>
    public static void Write(Stream destination, JsonObject manifest,
                             IReadOnlyList<(string Name, int[] Shape, double[] Data)> arrays)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(arrays);

        var full = new JsonObject { ["format"] = FormatName, ["formatVersion"] = FormatVersion };
        foreach (var (key, value) in manifest)
            if (key is not ("format" or "formatVersion")) full[key] = value?.DeepClone();
        byte[] manifestBytes = Encoding.UTF8.GetBytes(full.ToJsonString(ManifestWriteOptions));

        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var manifestEntry = zip.CreateEntry(ManifestEntryName, CompressionLevel.Optimal);
        manifestEntry.LastWriteTime = EntryTimestamp;
        using (var s = manifestEntry.Open()) s.Write(manifestBytes);

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < arrays.Count; i++)
        {
            var (name, shape, data) = arrays[i];
            ArgumentNullException.ThrowIfNull(name, $"{nameof(arrays)}[{i}].Name");
            ArgumentNullException.ThrowIfNull(shape, $"{nameof(arrays)}[{i}].Shape");
            ArgumentNullException.ThrowIfNull(data, $"{nameof(arrays)}[{i}].Data");
            if ((CheckArrayName(name) ?? CheckEntryName(EntryName(name))) is { } problem)
                throw new ArgumentException($"The array name '{Printable(name)}' cannot be stored: {problem}.",
                                            nameof(arrays));
            if (!names.Add(name)) throw new ArgumentException($"Two arrays are named '{name}'.", nameof(arrays));
            // Float64 values compress poorly; the fastest level gives almost the same size in a fraction of the time.
            var entry = zip.CreateEntry(EntryName(name), CompressionLevel.Fastest);
            entry.LastWriteTime = EntryTimestamp;
            using var s = entry.Open();
            try { NpyFormat.Write(s, shape, data); }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Array '{name}': {e.Message}", nameof(arrays),
                                                                      e);
            }
        }
    }

    /// <summary>Reads a model file: its manifest and every <c>parameters/*.npy</c> array.</summary>
    /// <param name="source">The archive, from its current position to its end. A stream that cannot seek is buffered in
    /// memory, up to <see cref="ModelArchiveLimits.MaxArchiveBytes"/>.</param>
    /// <param name="limits">Bounds on sizes; <see cref="ModelArchiveLimits.Default"/> when null.</param>
    /// <returns>The manifest (including <c>format</c> and <c>formatVersion</c>) and the arrays by name (the entry name
    /// without <c>parameters/</c> and <c>.npy</c>). Other entries with safe names are ignored, unread.</returns>
    /// <exception cref="FormatException">The file is damaged, is not a model file, exceeds a limit, or has an
    /// unsupported format version.</exception>
    public static (JsonObject Manifest, Dictionary<string, (int[] Shape, double[] Data)> Arrays) Read(Stream source,
        ModelArchiveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        limits ??= ModelArchiveLimits.Default;
        limits.Validate();

        Stream archive = source;
        if (!source.CanSeek || source.Position != 0)
        {
            var bytes = BoundedStream.ReadToEnd(source, limits.MaxArchiveBytes, 0,
                () => ModelFileErrors.Damaged($"the file is larger than the limit of {limits.MaxArchiveBytes} bytes."));
            archive = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
        }
        else if (source.Length > limits.MaxArchiveBytes)
            throw ModelFileErrors.Damaged($"the file is {source.Length} bytes, larger than the limit of " +
                                          $"{limits.MaxArchiveBytes} bytes.");

        try
        {
            CheckDeclaredEntryCount(archive, limits.MaxEntries);
            ZipArchive zip;
            try { zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true); }
            catch (InvalidDataException e)
            {
                // A file that starts like a zip (a local file header) but cannot be opened is a damaged, often
                // truncated, one.
                throw StartsWithZipSignature(archive)
                    ? ModelFileErrors.Damaged($"the zip archive is truncated or damaged ({e.Message})", e)
                    : ModelFileErrors.NotAModelFile("it is not a zip archive.", e);
            }
            using (zip) return ReadEntries(zip, limits);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or ArgumentException
                                      or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            // System.IO.Compression reports a damaged archive in several ways (bad headers, offsets outside the file,
            // unknown compression methods); the caller sees one kind of error.
            throw ModelFileErrors.Damaged($"the zip archive cannot be read ({e.Message}).", e);
        }
        finally
        {
            if (!ReferenceEquals(archive, source)) archive.Dispose();
        }
    }

    private static (JsonObject, Dictionary<string, (int[], double[])>) ReadEntries(ZipArchive zip,
                                                                                   ModelArchiveLimits limits)
    {
        var entries = zip.Entries;
        if (entries.Count > limits.MaxEntries)
            throw ModelFileErrors.Damaged($"the archive has {entries.Count} entries, more than the limit of " +
                                          $"{limits.MaxEntries}.");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        ZipArchiveEntry? manifestEntry = null;
        var arrayEntries = new List<(string Name, ZipArchiveEntry Entry)>();
        long declaredTotal = 0;
        foreach (var entry in entries)
        {
            string name = entry.FullName;
            ThrowIfUnsafeEntryName(name);
            if (!seen.Add(name)) throw ModelFileErrors.Damaged($"two entries are named '{name}'.");
            if (entry.Length < 0 || entry.CompressedLength < 0)
                throw ModelFileErrors.Damaged($"entry '{name}' declares a negative size.");
            if (name.EndsWith('/')) continue;   // a folder entry: nothing to read

            long limit;
            if (name == ManifestEntryName) { manifestEntry = entry; limit = limits.MaxManifestBytes; }
            else if (name.StartsWith(ArrayFolder, StringComparison.Ordinal)
                     && name.EndsWith(ArrayExtension, StringComparison.Ordinal))
            {
                string arrayName = name[ArrayFolder.Length..^ArrayExtension.Length];
                if (CheckArrayName(arrayName) is { } arrayProblem)
                    throw ModelFileErrors.Damaged($"the entry name '{name}' is not a valid array name: " +
                                                  $"{arrayProblem}.");
                arrayEntries.Add((arrayName, entry));
                limit = limits.MaxEntryBytes;
            }
            else continue;   // written by a later version or another tool: ignored, never inflated

            AddDeclaredSize(entry, limit, limits, ref declaredTotal);
        }
        if (manifestEntry is null) throw ModelFileErrors.NotAModelFile($"it has no {ManifestEntryName}.");

        long total = 0;
        var manifestBytes = ReadEntry(manifestEntry, limits.MaxManifestBytes, limits, ref total);
        var manifest = ParseManifest(manifestBytes);
        CheckFormat(manifest);

        var arrays = new Dictionary<string, (int[], double[])>(StringComparer.Ordinal);
        foreach (var (name, entry) in arrayEntries)
        {
            var bytes = ReadEntry(entry, limits.MaxEntryBytes, limits, ref total);
            try { arrays.Add(name, NpyFormat.Read(bytes, entry.FullName, limits.MaxEntryBytes / sizeof(double))); }
            catch (FormatException e) { throw ModelFileErrors.Damaged(e.Message, e); }
        }
        return (manifest, arrays);
    }

    // Inflates one entry through a cap: the size the central directory declares (itself already checked against the
    // limits), so an entry that inflates to more than it declares (a zip bomb) stops one byte past it. Then its length
    // and
    // CRC-32 are checked against the central directory.
    private static ArraySegment<byte> ReadEntry(ZipArchiveEntry entry, long entryLimit, ModelArchiveLimits limits,
                                                ref long total)
    {
        long cap = Math.Min(entry.Length, Math.Min(entryLimit, limits.MaxTotalBytes - total));
        string name = entry.FullName;
        ArraySegment<byte> bytes;
        using (var stream = entry.Open())
            bytes = BoundedStream.ReadToEnd(stream, cap, entry.Length,
                () => ModelFileErrors.Damaged($"entry '{name}' inflates to more than the {entry.Length} bytes the " +
                                              $"archive declares."));
        total += bytes.Count;
        if (bytes.Count != entry.Length)
            throw ModelFileErrors.Damaged($"entry '{name}' holds {bytes.Count} bytes, but the archive declares " +
                                          $"{entry.Length}.");
        if (Crc32.HashToUInt32(bytes) != entry.Crc32)
            throw ModelFileErrors.Damaged($"entry '{name}' fails its CRC-32 check.");
        return bytes;
    }

    private static JsonObject ParseManifest(ReadOnlySpan<byte> bytes)
    {
        // JSON strings are decoded lazily; invalid UTF-8 would otherwise surface later, from whatever reads the value.
        if (!Utf8.IsValid(bytes)) throw ModelFileErrors.Damaged($"{ManifestEntryName} is not valid UTF-8.");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];   // a BOM from a text editor
        JsonNode? node;
        try { node = JsonNode.Parse(bytes, documentOptions: ManifestParseOptions); }
        catch (JsonException e)
        {
            throw ModelFileErrors.Damaged($"{ManifestEntryName} is not valid JSON ({e.Message})",
                                                                e);
        }
        return node as JsonObject ?? throw ModelFileErrors.Damaged($"{ManifestEntryName} is not a JSON object.");
    }

    private static void CheckFormat(JsonObject manifest)
    {
        if (!ManifestValues.TryGetString(manifest["format"], out string format))
            throw ModelFileErrors.NotAModelFile($"its {ManifestEntryName} does not name the format '{FormatName}'.");
        if (format != FormatName)
            throw ModelFileErrors.NotAModelFile($"its format is '{format}', not '{FormatName}'.");
        var versionNode = manifest["formatVersion"];
        if (versionNode is null)
            throw new FormatException($"The model file has no format version: it is older than this package supports " +
                                      $"({FormatVersion}). " +
                                      "Train and save the model again with this version of Microsoft.ML.R2DN.");
        if (!ManifestValues.TryGetInt64(versionNode, out long version))
            throw ModelFileErrors.Damaged("'formatVersion' is not an integer.");
        if (version > FormatVersion)
            throw new FormatException($"The model file has format version {version}, newer than this package " +
                                      $"supports ({FormatVersion}). " +
                                      "Update Microsoft.ML.R2DN.");
        if (version < FormatVersion)
            throw new FormatException($"The model file has format version {version}, older than this package " +
                                      $"supports ({FormatVersion}). " +
                                      "Train and save the model again with this version of Microsoft.ML.R2DN.");
    }

    /// <summary>
    /// Why a zip entry name is unsafe, or null when it is safe: names are relative, '/'-separated, with no empty, '.'
    /// or
    /// '..' segment, no "..", backslash, colon or control character, at most <see cref="MaxEntryNameLength"/>
    /// characters.
    /// A trailing '/' (a folder entry) is allowed.
    /// </summary>
    public static string? CheckEntryName(string name)
    {
        if (name.Length == 0) return "it is empty";
        if (name.Length > MaxEntryNameLength) return $"it is longer than {MaxEntryNameLength} characters";
        foreach (char c in name)
        {
            if (char.IsControl(c)) return "it contains a control character";
            if (c == '\\') return "it contains a backslash";
            if (c == ':') return "it contains a colon (a drive letter or stream name)";
        }
        if (name[0] == '/') return "it is an absolute path";
        if (name.Contains("..", StringComparison.Ordinal)) return "it contains '..'";
        var body = name.EndsWith('/') ? name[..^1] : name;
        foreach (var segment in body.Split('/'))
        {
            if (segment.Length == 0) return "it has an empty path segment";
            if (segment == ".") return "it has a '.' path segment";
        }
        return null;
    }

    /// <summary>Adds an entry's declared size to <paramref name="total"/>, refusing the archive (before anything is
    /// inflated) when the entry declares more than <paramref name="limit"/> bytes or the entries more than
    /// <see cref="ModelArchiveLimits.MaxTotalBytes"/> in all.</summary>
    /// <exception cref="FormatException">A declared size is negative or over a limit.</exception>
    public static void AddDeclaredSize(ZipArchiveEntry entry, long limit, ModelArchiveLimits limits, ref long total)
    {
        if (entry.Length < 0 || entry.Length > limit)
            throw ModelFileErrors.Damaged($"entry '{entry.FullName}' declares {entry.Length} bytes, more than the " +
                                          $"limit of {limit}.");
        total += entry.Length;
        if (total > limits.MaxTotalBytes)
            throw ModelFileErrors.Damaged($"the entries declare more than the limit of {limits.MaxTotalBytes} " +
                                          $"bytes in all.");
    }

    /// <summary>Throws the damaged-file error for an entry name that <see cref="CheckEntryName"/> refuses.</summary>
    /// <exception cref="FormatException">The name is unsafe; the message says why.</exception>
    public static void ThrowIfUnsafeEntryName(string name)
    {
        if (CheckEntryName(name) is { } problem)
            throw ModelFileErrors.Damaged($"the entry name '{Printable(name)}' is not allowed: {problem}.");
    }

    private static string? CheckArrayName(string name)
    {
        if (name.Length == 0) return "the name is empty";
        foreach (var segment in name.Split('/'))
            if (segment.Length == 0) return "the name has an empty segment";
        return null;
    }

    // Before System.IO.Compression builds an object per entry, read the count the end-of-central-directory record
    // declares (and its ZIP64 form), so that an archive declaring millions of entries is refused cheaply. Anything
    // unexpected is left for ZipArchive to report.
    private static void CheckDeclaredEntryCount(Stream archive, int maxEntries)
    {
        const uint EocdSignature = 0x06054b50, Zip64LocatorSignature = 0x07064b50, Zip64EocdSignature = 0x06064b50;
        long length = archive.Length;
        if (length < 22) return;
        int tailLength = (int)Math.Min(length, 22 + 65535 + 20);
        var tail = new byte[tailLength];
        archive.Position = length - tailLength;
        archive.ReadExactly(tail);
        archive.Position = 0;
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EocdSignature) { eocd = i; break; }
        if (eocd < 0) return;

        long declared = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(eocd + 10));
        if (declared == 0xFFFF && eocd >= 20
            && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(eocd - 20)) == Zip64LocatorSignature)
        {
            ulong zip64Offset = BinaryPrimitives.ReadUInt64LittleEndian(tail.AsSpan(eocd - 20 + 8));
            if (zip64Offset <= (ulong)(length - 56))
            {
                Span<byte> record = stackalloc byte[56];
                archive.Position = (long)zip64Offset;
                archive.ReadExactly(record);
                archive.Position = 0;
                if (BinaryPrimitives.ReadUInt32LittleEndian(record) == Zip64EocdSignature)
                {
                    ulong count = BinaryPrimitives.ReadUInt64LittleEndian(record[32..]);
                    declared = count > int.MaxValue ? long.MaxValue : (long)count;
                }
            }
        }
        if (declared > maxEntries)
            throw ModelFileErrors.Damaged($"the archive declares {declared} entries, more than the limit of " +
                                          $"{maxEntries}.");
    }

    private static bool StartsWithZipSignature(Stream archive)
    {
        Span<byte> start = stackalloc byte[4];
        archive.Position = 0;
        return archive.Length >= 4 && archive.Read(start) == 4
            && BinaryPrimitives.ReadUInt32LittleEndian(start) == 0x04034b50;
    }

    private static string Printable(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
            if (char.IsControl(c)) sb.Append($"\\u{(int)c:X4}");
            else sb.Append(c);
        return sb.ToString();
    }
}
