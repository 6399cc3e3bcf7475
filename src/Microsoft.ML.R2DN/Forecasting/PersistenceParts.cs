using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>How the forecasting and simulation transformers write and read their parts: the engine model (through
/// <see cref="EngineModelFile"/>, certificate re-verified on load), standardisers, column lists and float
/// arrays.</summary>
internal static class PersistenceParts
{
    public static void SaveModel(ArchiveSaveContext context, string name, RecurrentModel model)
    {
        context.Properties[name] = EngineModelFile.Describe(model);
        var nested = context.Nested(name);
        foreach (var (arrayName, shape, data) in EngineModelFile.GetArrays(model))
            nested.AddArray(arrayName, shape, data);
    }

    /// <exception cref="FormatException">The model is damaged or its certificate does not verify.</exception>
    public static RecurrentModel LoadModel(ArchiveLoadContext context, string name, out Certificate certificate) =>
        EngineModelFile.Create(context.GetObject(name), context.NestedArrays(name), out certificate);

    public static void SaveStandardizer(ArchiveSaveContext context, string name, Standardizer s)
    {
        context.AddArray(name + "Mean", [s.Columns], (double[])s.Mean.Clone());
        context.AddArray(name + "Std", [s.Columns], (double[])s.Std.Clone());
    }

    public static Standardizer LoadStandardizer(ArchiveLoadContext context, string name, int columns)
    {
        var mean = Vector(context, name + "Mean", columns);
        var std = Vector(context, name + "Std", columns);
        if (mean.Any(v => !double.IsFinite(v)) || std.Any(v => !(v > 0) || !double.IsFinite(v)))
            throw ModelFileErrors.Damaged($"the standardisation '{name}' has a non-finite mean or a standard " +
                                          $"deviation that is not finite and positive.");
        return new Standardizer(mean, std);
    }

    public static void SaveFloats(ArchiveSaveContext context, string name, int[] shape, float[] values) =>
        context.AddArray(name, shape, Array.ConvertAll(values, v => (double)v));

    /// <summary>An array of exactly <paramref name="length"/> elements (any rank-1 shape).</summary>
    public static double[] Vector(ArchiveLoadContext context, string name, int length)
    {
        var (shape, data) = context.GetArray(name);
        if (shape.Length != 1 || data.Length != length)
            throw ModelFileErrors.Damaged($"the array '{name}' has shape ({string.Join(", ", shape)}) but (" +
                                          $"{length},) is needed.");
        return data;
    }

    /// <summary>An array of shape (<paramref name="rows"/>, <paramref name="columns"/>), row-major.</summary>
    public static double[] Vector2(ArchiveLoadContext context, string name, int rows, int columns)
    {
        var (shape, data) = context.GetArray(name);
        if (shape.Length != 2 || shape[0] != rows || shape[1] != columns)
            throw ModelFileErrors.Damaged($"the array '{name}' has shape ({string.Join(", ", shape)}) but ({rows}, " +
                                          $"{columns}) is needed.");
        if (data.Any(v => !double.IsFinite(v)))
            throw ModelFileErrors.Damaged($"the array '{name}' has a value that is not finite.");
        return data;
    }

    /// <summary>A [rows, columns] array, with the column count read from the file when <paramref name="columns"/> is
    /// negative.</summary>
    public static float[][] Matrix(ArchiveLoadContext context, string name, int rows, int columns = -1)
    {
        var (shape, data) = context.GetArray(name);
        if (shape.Length != 2 || shape[0] != rows || (columns >= 0 && shape[1] != columns))
            throw ModelFileErrors.Damaged($"the array '{name}' has shape ({string.Join(", ", shape)}) but ({rows}, " +
                                          $"{(columns >= 0 ? columns : "n")}) is needed.");
        int n = shape[1];
        var result = new float[rows][];
        for (int r = 0; r < rows; r++)
            result[r] = Array.ConvertAll(data[(r * n)..((r + 1) * n)], v => (float)v);
        return result;
    }

    public static JsonArray Strings(IEnumerable<string> values) =>
        new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>A string property that may be JSON null.</summary>
    public static string? OptionalString(ArchiveLoadContext context, string name)
    {
        var node = context.Properties[name];
        if (node is null) return null;
        return ManifestValues.TryGetString(node, out var s)
            ? s : throw ModelFileErrors.Damaged($"the property '{name}' must be a string or null.");
    }

    public static T Enum<T>(ArchiveLoadContext context, string name) where T : struct, Enum
    {
        string text = context.GetString(name);
        return System.Enum.TryParse<T>(text, ignoreCase: false, out var value) && System.Enum.IsDefined(value)
            && !char.IsDigit(text[0]) && text[0] != '-'
            ? value
            : throw ModelFileErrors.Damaged($"the property '{name}' is '{text}', not a {typeof(T).Name}.");
    }

    public static int Positive(ArchiveLoadContext context, string name)
    {
        int value = context.GetInt32(name);
        return value >= 1
            ? value : throw ModelFileErrors.Damaged($"the property '{name}' is {value}; it must be at least 1.");
    }
}
