using System.Text.Json.Nodes;

namespace Microsoft.ML.R2DN;

/// <summary>
/// Where a transformer writes itself when a model is saved: JSON properties for the manifest and named float64 arrays
/// that become <c>.npy</c> entries. Names are relative to the transformer; the file prefixes them.
/// </summary>
internal sealed class ModelSaveContext
{
    private readonly string _prefix;
    private readonly List<(string Name, int[] Shape, double[] Data)> _arrays;

    internal ModelSaveContext(string prefix, List<(string, int[], double[])> arrays)
    {
        _prefix = prefix; _arrays = arrays;
    }

    /// <summary>The transformer's manifest entry (its "type" is set by the caller).</summary>
    public JsonObject Properties { get; } = new();

    /// <summary>Adds an array stored as <c>parameters/{prefix}{name}.npy</c>.</summary>
    public void AddArray(string name, int[] shape, double[] data) => _arrays.Add((_prefix + name, shape, data));

    /// <summary>A context for a nested component (for example the engine model inside a forecaster).</summary>
    public ModelSaveContext Nested(string name) => new(_prefix + name + "/", _arrays);
}

/// <summary>What a transformer reads back when a model is loaded. Every failure is a <see cref="FormatException"/>.</summary>
internal sealed class ModelLoadContext
{
    private readonly string _prefix;
    private readonly IReadOnlyDictionary<string, (int[] Shape, double[] Data)> _arrays;

    internal ModelLoadContext(JsonObject properties, string prefix, IReadOnlyDictionary<string, (int[] Shape, double[] Data)> arrays, MLContext? context)
    {
        Properties = properties; _prefix = prefix; _arrays = arrays; Context = context;
    }

    /// <summary>The transformer's manifest entry.</summary>
    public JsonObject Properties { get; }

    /// <summary>The context loading the model.</summary>
    public MLContext? Context { get; }

    /// <summary>The array called <paramref name="name"/>.</summary>
    /// <exception cref="FormatException">It is missing.</exception>
    public (int[] Shape, double[] Data) GetArray(string name) =>
        _arrays.TryGetValue(_prefix + name, out var a) ? a : throw new FormatException($"The model file is damaged: the array '{_prefix + name}' is missing.");

    /// <summary>Every array under <paramref name="nestedName"/>/, with the prefix removed (for the engine model's groups).</summary>
    public Dictionary<string, (int[] Shape, double[] Data)> NestedArrays(string nestedName)
    {
        string p = _prefix + nestedName + "/";
        return _arrays.Where(kv => kv.Key.StartsWith(p, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[p.Length..], kv => kv.Value);
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

    /// <summary>A required boolean property.</summary>
    public bool GetBoolean(string name) =>
        ModelFiles.ManifestValues.TryGetBoolean(Properties[name], out var b) ? b : throw Missing(name, "true or false");

    /// <summary>A required array of strings.</summary>
    public string[] GetStrings(string name)
    {
        if (Properties[name] is not JsonArray a) throw Missing(name, "a list of strings");
        return a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Missing(name, "a list of strings")).ToArray();
    }

    /// <summary>A required JSON object.</summary>
    public JsonObject GetObject(string name) => Properties[name] as JsonObject ?? throw Missing(name, "an object");

    private FormatException Missing(string name, string what) =>
        new($"The model file is damaged: the property '{name}' of a '{Properties["type"]}' transformer must be {what}.");
}

/// <summary>A transformer that can be saved in a model file, with a registered loader for its <see cref="TypeName"/>.</summary>
internal interface IPersistableTransformer : ITransformer
{
    /// <summary>The stable name stored in the file.</summary>
    string TypeName { get; }

    /// <summary>Writes the transformer's state.</summary>
    void Save(ModelSaveContext context);
}

/// <summary>
/// Marks a persistable transformer class and names it in model files. The class must have
/// <c>internal static ITransformer Load(ModelLoadContext context)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class PersistableTransformerAttribute(string typeName) : Attribute
{
    public string TypeName { get; } = typeName;
}

/// <summary>The loaders of every persistable transformer, found once by their <see cref="PersistableTransformerAttribute"/>.</summary>
internal static class TransformerRegistry
{
    private static readonly Lazy<Dictionary<string, Func<ModelLoadContext, ITransformer>>> s_loaders = new(Discover);

    private static Dictionary<string, Func<ModelLoadContext, ITransformer>> Discover()
    {
        var loaders = new Dictionary<string, Func<ModelLoadContext, ITransformer>>(StringComparer.Ordinal);
        foreach (var type in typeof(TransformerRegistry).Assembly.GetTypes())
        {
            if (type.GetCustomAttributes(typeof(PersistableTransformerAttribute), false) is not [PersistableTransformerAttribute attr]) continue;
            var method = type.GetMethod("Load", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public,
                                        [typeof(ModelLoadContext)])
                ?? throw new InvalidOperationException($"{type.Name} has no static Load(ModelLoadContext).");
            loaders.Add(attr.TypeName, method.CreateDelegate<Func<ModelLoadContext, ITransformer>>());
        }
        return loaders;
    }

    /// <summary>Loads a transformer of the given type.</summary>
    /// <exception cref="FormatException">The type is unknown, or its state is damaged.</exception>
    public static ITransformer Load(string typeName, ModelLoadContext context)
    {
        if (!s_loaders.Value.TryGetValue(typeName, out var loader))
            throw new FormatException($"The model file contains an unknown transformer type '{typeName}'.");
        try { return loader(context); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or InvalidCastException or IndexOutOfRangeException)
        {
            throw new FormatException($"The model file is damaged: the '{typeName}' transformer cannot be rebuilt ({e.Message})", e);
        }
    }
}
