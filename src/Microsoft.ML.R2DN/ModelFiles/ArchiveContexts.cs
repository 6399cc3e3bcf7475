namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>
/// Where a transformer writes itself when a model is saved: JSON properties for the manifest and named float64 arrays
/// that become <c>.npy</c> entries. Names are relative to the transformer; the file prefixes them.
/// </summary>
internal sealed class ArchiveSaveContext
{
    private readonly string _prefix;
    private readonly List<(string Name, int[] Shape, double[] Data)> _arrays;

    internal ArchiveSaveContext(string prefix, List<(string, int[], double[])> arrays)
    {
        _prefix = prefix; _arrays = arrays;
    }

    /// <summary>The transformer's manifest entry (its "type" is set by the caller).</summary>
    public JsonObject Properties { get; } = new();

    /// <summary>Adds an array stored as <c>parameters/{prefix}{name}.npy</c>.</summary>
    public void AddArray(string name, int[] shape, double[] data) => _arrays.Add((_prefix + name, shape, data));

    /// <summary>A context for a nested component (for example the engine model inside a forecaster).</summary>
    public ArchiveSaveContext Nested(string name) => new(_prefix + name + "/", _arrays);
}

/// <summary>What a transformer reads back when a model is loaded. Every failure is a
/// <see cref="FormatException"/>.</summary>
internal sealed class ArchiveLoadContext
{
    private readonly string _prefix;
    private readonly IReadOnlyDictionary<string, (int[] Shape, double[] Data)> _arrays;

    internal ArchiveLoadContext(JsonObject properties, string prefix, IReadOnlyDictionary<string,
                                (int[] Shape, double[] Data)> arrays)
    {
        Properties = properties; _prefix = prefix; _arrays = arrays;
    }

    /// <summary>The transformer's manifest entry.</summary>
    public JsonObject Properties { get; }

    /// <summary>The array called <paramref name="name"/>.</summary>
    /// <exception cref="FormatException">It is missing.</exception>
    public (int[] Shape, double[] Data) GetArray(string name) =>
        _arrays.TryGetValue(_prefix + name, out var a)
            ? a : throw new FormatException($"The model file is damaged: the array '{_prefix + name}' is missing.");

    /// <summary>Every array under <paramref name="nestedName"/>/, with the prefix removed (for the engine model's
    /// groups).</summary>
    public Dictionary<string, (int[] Shape, double[] Data)> NestedArrays(string nestedName)
    {
        string p = _prefix + nestedName + "/";
        return _arrays.Where(kv => kv.Key.StartsWith(p, StringComparison.Ordinal)).ToDictionary(kv =>
            kv.Key[p.Length..], kv => kv.Value);
    }

    /// <summary>A required string property.</summary>
    public string GetString(string name) =>
        Properties[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Missing(name, "a string");

    /// <summary>A required number property.</summary>
    public double GetDouble(string name) =>
        ModelFiles.ManifestValues.TryGetDouble(Properties[name], out var d) ? d : throw Missing(name, "a number");

    /// <summary>A required integer property.</summary>
    public int GetInt32(string name) =>
        ModelFiles.ManifestValues.TryGetInt32(Properties[name], out var i) ? i : throw Missing(name, "an integer");

    /// <summary>A required array of strings.</summary>
    public string[] GetStrings(string name)
    {
        if (Properties[name] is not JsonArray a) throw Missing(name, "a list of strings");
        return a.Select(n => n is JsonValue v
                        && v.TryGetValue<string>(out var s) ? s : throw Missing(name, "a list of strings")).ToArray();
    }

    /// <summary>A required JSON object.</summary>
    public JsonObject GetObject(string name) => Properties[name] as JsonObject ?? throw Missing(name, "an object");

    private FormatException Missing(string name, string what) =>
        new($"The model file is damaged: the property '{name}' of a '{Properties["type"]}' transformer must be " +
            $"{what}.");
}
