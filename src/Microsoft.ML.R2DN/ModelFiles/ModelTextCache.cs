namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Decoded models by their text, so that each cursor of a loaded model does not re-read and re-verify
/// it.</summary>
internal static class ModelTextCache
{
    private const int Capacity = 8;
    private static readonly Lock s_lock = new();
    private static readonly List<(string Text, ITransformer Model)> s_entries = [];

    public static ITransformer Get(ReadOnlyMemory<char> text)
    {
        lock (s_lock)
            foreach (var (t, m) in s_entries)
                if (text.Span.SequenceEqual(t)) return m;
        string s = text.ToString();
        var model = TransformerArchive.Decode(s);
        lock (s_lock)
        {
            if (s_entries.Count == Capacity) s_entries.RemoveAt(0);
            s_entries.Add((s, model));
        }
        return model;
    }
}
