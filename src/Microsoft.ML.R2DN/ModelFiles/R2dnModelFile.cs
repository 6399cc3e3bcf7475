using System.Text;
using Microsoft.ML.R2DN.ModelFiles;

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
            throw new ArgumentException($"The model holds no R2DN/REN transformer (it is '{model.GetType().Name}').", nameof(model));
        var (manifest, arrays) = MlNetCarrier.Describe(found);
        manifest["format"] = ModelArchive.FormatName;
        manifest["formatVersion"] = ModelArchive.FormatVersion;
        var written = new List<string>();
        Directory.CreateDirectory(directory);
        string manifestPath = Path.Combine(directory, ModelArchive.ManifestEntryName);
        File.WriteAllText(manifestPath, manifest.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), Encoding.UTF8);
        written.Add(manifestPath);
        foreach (var (name, shape, data) in arrays)
        {
            string path = Path.Combine(directory, ModelArchive.EntryName(name).Replace('/', Path.DirectorySeparatorChar));
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
    /// <exception cref="FormatException">The R2DN/REN part of the file is damaged.</exception>
    public static IReadOnlyList<string> ExportNpy(MLContext ml, string modelPath, string directory)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Could not find the model file '{modelPath}'.", modelPath);
        return ExportNpy(ml.Model.Load(modelPath, out _), directory);
    }
}
