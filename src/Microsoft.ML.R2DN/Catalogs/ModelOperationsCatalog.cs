using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Data;
using Microsoft.ML.R2DN.ModelFiles;

namespace Microsoft.ML.R2DN;

/// <summary>Saving and loading trained models: <c>MLContext.Model</c>.</summary>
/// <remarks>
/// A model file is a zip with a JSON manifest (format version, the input schema, every transformer's settings,
/// normalisation, training summary and certificate) and every array as a NumPy <c>.npy</c> entry, so NumPy, PyTorch or
/// JAX can read the weights without this package (API.md section 6). Saving to a path is atomic; loading re-verifies
/// every model's certificate and is safe on untrusted files (bounded sizes, no path traversal, no code execution).
/// </remarks>
public sealed class ModelOperationsCatalog
{
    private readonly MLContext _context;

    internal ModelOperationsCatalog(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
    }

    /// <summary>Saves <paramref name="model"/> and the schema of the data it was trained on to <paramref name="filePath"/>, atomically.</summary>
    /// <exception cref="ArgumentException">The model (or a part of a chain) cannot be saved.</exception>
    /// <exception cref="IOException">The file cannot be written; an existing file at the path is left unchanged.</exception>
    public void Save(ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var (manifest, arrays) = Serialize(model, inputSchema);
        ModelArchive.WriteFile(filePath, manifest, arrays);
        _context.WriteLog(ChannelMessageKind.Info, nameof(ModelOperationsCatalog), $"Saved the model to {filePath}.");
    }

    /// <summary>Saves <paramref name="model"/> to <paramref name="stream"/> (not atomic: the stream receives the bytes as they are written).</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (manifest, arrays) = Serialize(model, inputSchema);
        ModelArchive.Write(stream, manifest, arrays);
    }

    /// <summary>Loads a model saved with <see cref="Save(ITransformer, DataViewSchema, string)"/>.</summary>
    /// <param name="filePath">The .zip file.</param>
    /// <param name="inputSchema">The schema of the data the model was trained on.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is damaged, hand-edited into an invalid state, not a model file, or from a newer format.</exception>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"The model file '{filePath}' does not exist.", filePath);
        var (manifest, arrays) = ModelArchive.ReadFile(filePath);
        return Deserialize(manifest, arrays, out inputSchema);
    }

    /// <summary>Loads a model from a stream.</summary>
    /// <exception cref="FormatException">The data is damaged, not a model, or from a newer format.</exception>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (manifest, arrays) = ModelArchive.Read(stream);
        return Deserialize(manifest, arrays, out inputSchema);
    }

    private static (JsonObject, List<(string, int[], double[])>) Serialize(ITransformer model, DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var parts = model is IEnumerable<ITransformer> chain ? chain.ToList() : [model];
        var arrays = new List<(string, int[], double[])>();
        var list = new JsonArray();
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i] is not IPersistableTransformer p)
                throw new ArgumentException($"The transformer '{parts[i].GetType().Name}' cannot be saved.", nameof(model));
            var ctx = new ModelSaveContext($"transformers/{i}/", arrays);
            ctx.Properties["type"] = p.TypeName;
            p.Save(ctx);
            list.Add(ctx.Properties);
        }
        var manifest = new JsonObject
        {
            ["kind"] = model is IEnumerable<ITransformer> ? "chain" : "transformer",
            ["inputSchema"] = new JsonArray(inputSchema.Where(c => !c.IsHidden)
                .Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type.ToString() }).ToArray()),
            ["transformers"] = list,
        };
        return (manifest, arrays);
    }

    private ITransformer Deserialize(JsonObject manifest, Dictionary<string, (int[] Shape, double[] Data)> arrays, out DataViewSchema inputSchema)
    {
        if (manifest["transformers"] is not JsonArray list || list.Count == 0)
            throw new FormatException("The model file is damaged: it lists no transformers.");
        var builder = new DataViewSchema.Builder();
        if (manifest["inputSchema"] is not JsonArray columns) throw new FormatException("The model file is damaged: the input schema is missing.");
        foreach (var c in columns)
        {
            if (c is not JsonObject o || !ManifestValues.TryGetString(o["name"], out var name) || !ManifestValues.TryGetString(o["type"], out var type))
                throw new FormatException("The model file is damaged: an input schema column has no name or type.");
            builder.AddColumn(name, ParseType(type));
        }
        inputSchema = builder.ToSchema();
        var parts = new ITransformer[list.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (list[i] is not JsonObject props || !ManifestValues.TryGetString(props["type"], out var typeName))
                throw new FormatException($"The model file is damaged: transformer {i} has no type.");
            parts[i] = TransformerRegistry.Load(typeName, new ModelLoadContext(props, $"transformers/{i}/", arrays, _context));
        }
        bool isChain = ManifestValues.TryGetString(manifest["kind"], out var kind) && kind == "chain";
        return isChain ? new TransformerChain<ITransformer>(parts) : parts.Length == 1 ? parts[0]
            : throw new FormatException("The model file is damaged: a single transformer is listed as several.");
    }

    /// <summary>Parses a type name as DataViewType.ToString() writes it.</summary>
    internal static DataViewType ParseType(string name)
    {
        switch (name)
        {
            case "Single": return NumberDataViewType.Single;
            case "Double": return NumberDataViewType.Double;
            case "Int32": return NumberDataViewType.Int32;
            case "Int64": return NumberDataViewType.Int64;
            case "Boolean": return BooleanDataViewType.Instance;
            case "String": return TextDataViewType.Instance;
            case "DateTime": return DateTimeDataViewType.Instance;
        }
        const string Prefix = "Vector<Single";
        if (name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith('>'))
        {
            string rest = name[Prefix.Length..^1].Trim(',', ' ');
            if (rest.Length == 0) return new VectorDataViewType(NumberDataViewType.Single);
            if (int.TryParse(rest, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int size) && size > 0)
                return new VectorDataViewType(NumberDataViewType.Single, size);
        }
        throw new FormatException($"The model file is damaged: unknown column type '{name}'.");
    }
}
