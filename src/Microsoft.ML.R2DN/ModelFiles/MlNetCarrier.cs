using Microsoft.ML.Transforms;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>
/// How an R2DN/REN transformer becomes a real ML.NET model file with public API only. ML.NET's <c>ModelSaveContext</c>
/// has no public member, so a transformer cannot write itself; instead it hands the save to a small chain of saveable
/// ML.NET transformers: a custom mapping that makes a constant key, a <c>ValueMapping</c> from that key to the model's
/// own archive (base64, stored inside the zip), type conversions that gather the value columns into one vector, a
/// stateful custom mapping from this assembly that scores the rows in order, a count-based slot selection that gives
/// the
/// forecast vector its exact size, and copies and drops that restore the user's column names.
/// <c>mlContext.Model.Load</c>
/// rebuilds that chain (finding the factories by contract name in this assembly), so a loaded model scores without any
/// help, and <see cref="TryRecover"/> recovers the transformer from it.
/// </summary>
internal static partial class MlNetCarrier
{
    /// <summary>The chain that stands for <paramref name="model"/> in a model file and after loading.</summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not an R2DN/REN transformer.</exception>
    public static TransformerChain<ITransformer> Build(ITransformer model, DataViewSchema inputs,
                                                       string[] valueColumns, string? seriesId) =>
        CarrierChain.Build(model, inputs, valueColumns, seriesId);

    /// <summary>Whether <paramref name="part"/> is the chain <see cref="Build"/> made.</summary>
    public static bool IsCarrier(ITransformer part) =>
        part is TransformerChain<ITransformer> chain
            && chain.FirstOrDefault() is CustomMappingTransformer<CarrierKeyInput, CarrierKey>;

    /// <summary>Finds the R2DN/REN transformer in a model, as built in memory or as <c>mlContext.Model.Load</c>
    /// returned
    /// it: <paramref name="prefix"/> gets the transformers that run before it.</summary>
    public static bool TryRecover(ITransformer model, out ITransformer[] prefix, out ITransformer? recovered)
    {
        var parts = Flatten(model).ToList();
        for (int i = parts.Count - 1; i >= 0; i--)
        {
            ITransformer? found = parts[i] switch
            {
                ForecastingTransformer f => f,
                SimulationTransformer s => s,
                _ when IsCarrier(parts[i]) =>
                    TransformerArchive.Decode(ReadModelText((TransformerChain<ITransformer>)parts[i])),
                _ => null,
            };
            if (found is null) continue;
            if (i != parts.Count - 1)
                throw new ArgumentException("The model has transformers after the R2DN/REN transformer; a " +
                                            "time-series engine needs it last.", nameof(model));
            prefix = [.. parts.Take(i)];
            recovered = found;
            return true;
        }
        prefix = [];
        recovered = null;
        return false;
    }

    // Transformer chains nest (a chain saved inside a chain); the carrier is itself a chain and stays whole.
    private static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain && !IsCarrier(model))
        {
            foreach (var t in chain)
                foreach (var inner in Flatten(t))
                    yield return inner;
        }
        else
            yield return model;
    }

    private static string ReadModelText(TransformerChain<ITransformer> carrier)
    {
        var ml = new MLContext(seed: 0);
        var keyView = ml.Data.LoadFromEnumerable(new[] { new CarrierKey { Key = 1 } });
        var mapped = carrier.ElementAt(1).Transform(keyView);
        var column = mapped.Schema.GetColumnOrNull(CarrierColumns.Model)
            ?? throw new FormatException("The model file is damaged: its R2DN/REN part holds no model.");
        using var cursor = mapped.GetRowCursor([column]);
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        if (!cursor.MoveNext())
            throw new FormatException("The model file is damaged: its R2DN/REN part holds no model.");
        get(ref value);
        return value.ToString();
    }
}
