namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Decoded models by their text, so that each cursor of a loaded model does not re-read and re-verify
/// it.</summary>
internal static class ModelTextCache
{
    private const int Capacity = 8;
    private static readonly Lock Gate = new();
    private static readonly List<(string Text, ITransformer Model)> Entries = [];

    public static ITransformer Get(ReadOnlyMemory<char> text)
    {
        lock (Gate)
            foreach (var (t, m) in Entries)
                if (text.Span.SequenceEqual(t)) return m;
        string s = text.ToString();
        var model = TransformerArchive.Decode(s);
        lock (Gate)
        {
            if (Entries.Count == Capacity) Entries.RemoveAt(0);
            Entries.Add((s, model));
        }
        return model;
    }
}
