namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>An R2DN/REN transformer's own archive (see <see cref="ModelArchive"/>): a manifest with its input schema
/// and its properties, and its arrays. A saved ML.NET model carries it as base64 text (see
/// <see cref="MlNetCarrier"/>); <see cref="R2dnModelFile.ExportNpy(ITransformer, string)"/> writes it as
/// files.</summary>
internal static class TransformerArchive
{
    private const string Prefix = "transformers/0/";

    /// <summary>The archive's bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not an R2DN/REN transformer.</exception>
    public static byte[] Encode(ITransformer model)
    {
        var (manifest, arrays) = Describe(model);
        using var stream = new MemoryStream();
        ModelArchive.Write(stream, manifest, arrays);
        return stream.ToArray();
    }

    /// <summary>The manifest and arrays of the transformer's archive.</summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not an R2DN/REN transformer.</exception>
    public static (JsonObject Manifest, List<(string, int[], double[])> Arrays) Describe(ITransformer model)
    {
        var arrays = new List<(string, int[], double[])>();
        var context = new ArchiveSaveContext(Prefix, arrays);
        DataViewSchema inputs;
        switch (model)
        {
            case ForecastingTransformer f:
                context.Properties["type"] = ForecastingTransformer.LoaderName;
                f.Save(context);
                inputs = f.InputTypes;
                break;
            case SimulationTransformer s:
                context.Properties["type"] = SimulationTransformer.LoaderName;
                s.Save(context);
                inputs = s.InputTypes;
                break;
            default:
                throw new ArgumentException($"'{model.GetType().Name}' is not an R2DN/REN transformer.", nameof(model));
        }
        var manifest = new JsonObject
        {
            ["kind"] = "transformer", ["inputSchema"] = DescribeInputs(inputs),
            ["transformers"] = new JsonArray(context.Properties),
        };
        return (manifest, arrays);
    }

    private static JsonArray DescribeInputs(DataViewSchema schema)
    {
        var inputs = new JsonArray();
        foreach (var c in schema)
        {
            var o = new JsonObject { ["name"] = c.Name, ["type"] = TypeNames.Format(c.Type) };
            if (InputTypes.KeyValueNames(c) is { } keys)
                o["keyValues"] = new JsonArray([.. keys.Select(k => (JsonNode?)JsonValue.Create(k))]);
            inputs.Add(o);
        }
        return inputs;
    }

    /// <summary>Rebuilds a transformer from its base64 archive.</summary>
    /// <exception cref="FormatException">The text or the archive is damaged, too new, or its certificate fails.
    /// </exception>
    public static ITransformer Decode(string text)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new FormatException("The model file is damaged: its R2DN/REN model is not valid base64.", e);
        }
        using var stream = new MemoryStream(bytes, writable: false);
        var (manifest, arrays) = ModelArchive.Read(stream);
        return FromArchive(manifest, arrays);
    }

    /// <summary>Rebuilds a transformer from a read archive.</summary>
    /// <exception cref="FormatException">The archive does not describe one R2DN/REN transformer that can be rebuilt.
    /// </exception>
    public static ITransformer FromArchive(JsonObject manifest, Dictionary<string, (int[] Shape, double[] Data)> arrays)
    {
        if (manifest["transformers"] is not JsonArray { Count: 1 } list || list[0] is not JsonObject props
            || !ManifestValues.TryGetString(props["type"], out var transformerType))
            throw new FormatException("The model file is damaged: it does not describe one R2DN/REN transformer.");
        var inputs = ReadInputs(manifest);
        var context = new ArchiveLoadContext(props, Prefix, arrays);
        try
        {
            return transformerType switch
            {
                ForecastingTransformer.LoaderName => ForecastingTransformer.Load(context, inputs),
                SimulationTransformer.LoaderName => SimulationTransformer.Load(context, inputs),
                _ => throw new FormatException(
                    $"The model file contains an unknown transformer type '{transformerType}'."),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException
                                      or InvalidCastException or IndexOutOfRangeException)
        {
            throw new FormatException(
                $"The model file is damaged: the '{transformerType}' transformer cannot be rebuilt ({e.Message})", e);
        }
    }

    private static DataViewSchema ReadInputs(JsonObject manifest)
    {
        if (manifest["inputSchema"] is not JsonArray columns)
            throw new FormatException("The model file is damaged: the input schema is missing.");
        var list = new List<(string, DataViewType, string[]?)>();
        foreach (var c in columns)
        {
            if (c is not JsonObject o || !ManifestValues.TryGetString(o["name"], out var name)
                || !ManifestValues.TryGetString(o["type"], out var typeName))
                throw new FormatException("The model file is damaged: an input schema column has no name or type.");
            var type = TypeNames.Parse(typeName);
            string[]? keys = null;
            if (o["keyValues"] is JsonArray k)
            {
                keys = [.. k.Select(v => ManifestValues.TryGetString(v, out var t) ? t
                                         : throw new FormatException("The model file is damaged: a key value is not " +
                                                                     "text."))];
                if (type is not KeyDataViewType kt || (ulong)keys.Length != kt.Count)
                    throw new FormatException(
                        $"The model file is damaged: the key values of '{name}' do not match its type.");
            }
            list.Add((name, type, keys));
        }
        try
        {
            return InputTypes.Create(list);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"The model file is damaged: its input schema is invalid ({e.Message})", e);
        }
    }
}
