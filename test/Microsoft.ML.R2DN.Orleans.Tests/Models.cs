using ServingCluster;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>The tiny models of the tests, trained once per test run into a temporary folder.</summary>
internal static class Models
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("r2dn-orleans-tests-").FullName;
    private static readonly Lazy<string> LazyR2dn = new(() => Train("r2dn.zip", ren: false, seed: 7));
    private static readonly Lazy<string> LazyR2dnRetrained = new(() => Train("r2dn-v2.zip", ren: false, seed: 8));
    private static readonly Lazy<string> LazyRen = new(() => Train("ren.zip", ren: true, seed: 7));
    private static readonly Lazy<string> LazyLoadOnly =
        new(() => Train("load-only.zip", ren: false, seed: 7, temperature: false));

    /// <summary>R2DN, horizon 4, feature Temperature, 90 % bounds, series id Store.</summary>
    public static string R2dn => LazyR2dn.Value;

    /// <summary>The same R2DN trained with another seed: the same inputs and state layout, other weights.</summary>
    public static string R2dnRetrained => LazyR2dnRetrained.Value;

    /// <summary>REN, no linear path.</summary>
    public static string Ren => LazyRen.Value;

    /// <summary>R2DN on the load alone (another input schema).</summary>
    public static string LoadOnly => LazyLoadOnly.Value;

    private static string Train(string name, bool ren, int seed, bool temperature = true)
    {
        string path = Path.Combine(Folder, name);
        Workload.TrainModel(path, ren, seed, temperature);
        return path;
    }
}
