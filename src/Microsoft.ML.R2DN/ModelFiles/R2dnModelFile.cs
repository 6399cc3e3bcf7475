using System.Text;

namespace Microsoft.ML.R2DN;

/// <summary>The R2DN/REN part of a model file as plain files: its JSON manifest and every parameter as a NumPy
/// <c>.npy</c> array, named as in the paper's code (<c>transformers/0/model/X.npy</c>, …), for NumPy, PyTorch or JAX
/// users who read the weights without this package.</summary>
public static class R2dnModelFile
{
    /// <summary>Writes <c>manifest.json</c> and <c>parameters/…/*.npy</c> of the R2DN/REN transformer in
    /// <paramref name="model"/> (in memory, or loaded with <c>mlContext.Model.Load</c>) under
    /// <paramref name="directory"/>, which is created if needed.</summary>
    /// <param name="model">The model; not null.</param>
    /// <param name="directory">The folder to write to; not null or empty.</param>
    /// <returns>The paths written, manifest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no R2DN/REN transformer.</exception>
    /// <exception cref="IOException">A file cannot be written.</exception>
    public static IReadOnlyList<string> ExportNpy(ITransformer model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!MlNetCarrier.TryRecover(model, out _, out var found) || found is null)
            throw new ArgumentException($"The model holds no R2DN/REN transformer (it is '{model.GetType().Name}').",
                                        nameof(model));
        var (manifest, arrays) = TransformerArchive.Describe(found);
        manifest["format"] = ModelArchive.FormatName;
        manifest["formatVersion"] = ModelArchive.FormatVersion;
        var written = new List<string>();
        Directory.CreateDirectory(directory);
        string manifestPath = Path.Combine(directory, ModelArchive.ManifestEntryName);
        File.WriteAllText(manifestPath,
                          manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }),
                          // no BOM: Python's json.load rejects one
                          new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        written.Add(manifestPath);
        foreach (var (name, shape, data) in arrays)
        {
            string path =
                Path.Combine(directory, ModelArchive.EntryName(name).Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write))
                NpyFormat.Write(stream, shape, data);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Loads the model file at <paramref name="modelPath"/> with <paramref name="ml"/> and exports its
    /// R2DN/REN part (see <see cref="ExportNpy(ITransformer, string)"/>).</summary>
    /// <param name="ml">The context that loads; not null.</param>
    /// <param name="modelPath">An ML.NET model file saved with this package's transformer; not null or empty.</param>
    /// <param name="directory">The folder to write to.</param>
    /// <returns>The paths written, manifest first.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="FormatException">The file is damaged or exceeds the bounds of
    /// <see cref="Load(MLContext, string, out DataViewSchema, ModelArchiveLimits?)"/>.</exception>
    public static IReadOnlyList<string> ExportNpy(MLContext ml, string modelPath, string directory)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return ExportNpy(Load(ml, modelPath, out _), directory);
    }

    /// <summary>Loads an ML.NET model file that may come from an untrusted source, with bounds ML.NET's own loader
    /// lacks: at most <see cref="ModelArchiveLimits.MaxArchiveBytes"/> bytes and
    /// <see cref="ModelArchiveLimits.MaxEntries"/>
    /// entries, declared sizes within <see cref="ModelArchiveLimits.MaxTotalBytes"/> (zip bombs), no entry that climbs
    /// out of the archive; then <c>ml.Model.Load</c>, and the R2DN/REN part rebuilt at once (its certificate
    /// re-verified) so that a damaged model fails here rather than at its first row.</summary>
    /// <param name="ml">The context that loads; not null.</param>
    /// <param name="modelPath">The model file; not null or empty.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <param name="limits">The bounds; <see cref="ModelArchiveLimits.Default"/> when null.</param>
    /// <returns>The model, as <c>ml.Model.Load</c> returns it.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="modelPath"/>.</exception>
    /// <exception cref="FormatException">The file is not a model file, is damaged, exceeds a bound, is too new, or its
    /// R2DN/REN part fails to rebuild or to verify; the message says which.</exception>
    public static ITransformer Load(MLContext ml, string modelPath, out DataViewSchema inputSchema,
                                    ModelArchiveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"Could not find the model file '{modelPath}'.", modelPath);
        using var stream = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(ml, stream, out inputSchema, limits);
    }

    /// <summary>Loads a model from a stream with the bounds of
    /// <see cref="Load(MLContext, string, out DataViewSchema, ModelArchiveLimits?)"/>.</summary>
    /// <param name="ml">The context that loads; not null.</param>
    /// <param name="stream">The model file's bytes, read to its end; not null.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <param name="limits">The bounds; <see cref="ModelArchiveLimits.Default"/> when null.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FormatException">See the path overload.</exception>
    public static ITransformer Load(MLContext ml, Stream stream, out DataViewSchema inputSchema,
                                    ModelArchiveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= ModelArchiveLimits.Default;
        limits.Validate();
        var bytes = BoundedStream.ReadToEnd(stream, limits.MaxArchiveBytes, 0,
            () => ModelFileErrors.Damaged($"the file is larger than the limit of {limits.MaxArchiveBytes} bytes."));
        CheckZip(bytes, limits);
        ITransformer model;
        try
        {
            using var copy = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
            model = ml.Model.Load(copy, out inputSchema);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or InvalidOperationException
                                  or ArgumentException
                                      or NotSupportedException or IndexOutOfRangeException or OverflowException
                                      or InvalidCastException
                                      or System.Reflection.TargetInvocationException or TypeLoadException)
        {
            throw e as FormatException ?? ModelFileErrors.Damaged($"ML.NET cannot load it ({Innermost(e).Message})", e);
        }
        MlNetCarrier.TryRecover(model, out _, out _);   // rebuilds and verifies the R2DN/REN part now
        return model;
    }

    // ML.NET wraps what went wrong in its own exceptions ("Error during class instantiation"): the innermost one says
    // it.
    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return e;
    }

    private static void CheckZip(ArraySegment<byte> bytes, ModelArchiveLimits limits)
    {
        System.IO.Compression.ZipArchive zip;
        var stream = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);
        try { zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Read); }
        catch (InvalidDataException e)
        {
            throw ModelFileErrors.NotAModelFile($"it is not a readable zip archive (" +
                                                                             $"{e.Message})", e);
        }
        using (zip)
        {
            IReadOnlyCollection<System.IO.Compression.ZipArchiveEntry> entries;
            // The central directory is read when the entries are first asked for: its damage shows here.
            try { entries = zip.Entries; }
            catch (InvalidDataException e)
            {
                throw ModelFileErrors.Damaged($"its zip directory is unreadable (" +
                                                                           $"{e.Message})", e);
            }
            if (entries.Count > limits.MaxEntries)
                throw ModelFileErrors.Damaged(
                    $"the archive has {entries.Count} entries, more than the limit of {limits.MaxEntries}.");
            long total = 0;
            foreach (var entry in entries)
            {
                string name = entry.FullName;
                ModelArchive.ThrowIfUnsafeEntryName(name);
                ModelArchive.AddDeclaredSize(entry, limits.MaxEntryBytes, limits, ref total);
            }
        }
    }
}
