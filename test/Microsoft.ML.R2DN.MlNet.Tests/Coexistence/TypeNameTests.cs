using System.Reflection;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.MlNet.Tests.Coexistence;

/// <summary>Issue 9, item 1: no public type of ours shares a simple name with a public ML.NET type in a Microsoft.ML*
/// namespace, so a user who imports both never meets CS0104 (ambiguous reference) or CS0433.</summary>
public sealed class TypeNameTests
{
    // Public types of Microsoft.ML.TimeSeries (not served here), from its sources: a user adds it beside us.
    private static readonly string[] TimeSeriesNames =
    [
        "TimeSeriesPredictionEngine", "PredictionFunctionExtensions", "TimeSeriesCatalog", "SsaForecastingTransformer",
        "SsaForecastingEstimator", "SsaChangePointDetector", "SsaChangePointEstimator", "SsaSpikeDetector",
        "SsaSpikeEstimator", "IidChangePointDetector", "IidChangePointEstimator", "IidSpikeDetector",
        "IidSpikeEstimator", "SrCnnAnomalyDetector", "SrCnnAnomalyEstimator", "SrCnnEntireAnomalyDetectorOptions",
        "SrCnnDetectMode", "SrCnnDeseasonalityMode", "ErrorFunction", "AnomalySide", "RootCause",
        "RootCauseLocalizationInput", "RootCauseItem", "MetricSlice", "Point", "AggregateType", "AnomalyDirection",
        "DetectSeasonality", "SeasonalityDetector",
    ];

    private static string Simple(Type t) => t.Name.Split('`')[0];

    private static IEnumerable<Assembly> MlNetAssemblies()
    {
        // Every Microsoft.ML assembly the Microsoft.ML 6.0.0 package brings (Microsoft.ML.Data, Core, DataView,
        // Transforms, StandardTrainers, KMeansClustering, PCA, CpuMath), loaded from the test's output folder.
        var names = Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.ML*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => !n!.StartsWith("Microsoft.ML.R2DN", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("Microsoft.ML.Data", names);
        Assert.Contains("Microsoft.ML.Core", names);
        Assert.Contains("Microsoft.ML.DataView", names);
        Assert.Contains("Microsoft.ML.Transforms", names);
        return names.Select(n => Assembly.Load(new AssemblyName(n!)));
    }

    [Fact]
    public void No_public_type_of_ours_shares_a_name_with_a_public_ML_NET_type()
    {
        var mlNet = MlNetAssemblies()
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsNested && t.Namespace?.StartsWith("Microsoft.ML", StringComparison.Ordinal) == true)
            .Select(t => (Name: Simple(t), t.FullName))
            .Concat(TimeSeriesNames.Select(n => (Name: n, FullName: (string?)("Microsoft.ML.TimeSeries: " + n))))
            .ToLookup(t => t.Name, t => t.FullName);
        Assert.True(mlNet.Count > 300, $"only {mlNet.Count} ML.NET type names found");

        var ours = new[] { typeof(ForecastingEstimator).Assembly, typeof(Engine.Certificates.Certificate).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsNested)
            .ToList();
        Assert.Contains(ours, t => t.Name == "R2dnCatalog");
        var clashes = ours.Where(t => mlNet.Contains(Simple(t)))
            .Select(t => $"{t.FullName} vs {string.Join(", ", mlNet[Simple(t)])}")
            .ToList();
        Assert.True(clashes.Count == 0, "Public types of ours named as ML.NET's:\n" + string.Join("\n", clashes));
    }

    [Fact]
    public void Our_types_in_ML_NETs_own_namespaces_are_only_the_catalog()
    {
        // Namespaces a user imports for ML.NET (Microsoft.ML, Microsoft.ML.Data, Microsoft.ML.Transforms, ...): of
        // ours, only the catalog's extension class lives there; everything else is under Microsoft.ML.R2DN.
        var ours = typeof(ForecastingEstimator).Assembly.GetExportedTypes().Where(t => !t.IsNested).ToList();
        static bool Ours(string ns) =>
            ns == "Microsoft.ML.R2DN" || ns.StartsWith("Microsoft.ML.R2DN.", StringComparison.Ordinal);
        var outside = ours.Where(t => t.Namespace is not { } ns || !Ours(ns)).Select(t => t.FullName).ToList();
        Assert.Equal(["Microsoft.ML.R2dnCatalog"], outside);
    }
}
