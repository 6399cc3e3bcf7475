using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML;

/// <summary>R2DN and REN on ML.NET's <c>mlContext.Forecasting</c>: the trainers (forecasting and simulation), a
/// chronological split, forecast evaluation and rolling-origin cross-validation. Extension methods, found with
/// <c>using Microsoft.ML;</c> alone, as ML.NET's own packages add theirs.</summary>
/// <remarks>The trainers live in ForecastingCatalog.Trainers.cs, evaluation in
/// ForecastingCatalog.Evaluation.cs.</remarks>
public static partial class R2dnCatalog
{
    // ML.NET keeps a catalog's environment `private protected` (TrainCatalogBase.Environment). This is the one read of
    // an ML.NET non-public member in the package, pinned by a test; when a future ML.NET renames it, the estimators
    // fall back to a fresh context (progress then goes to that context's log: create the estimators with
    // `new ForecastingEstimator(mlContext, options)` to keep yours).
    private static readonly PropertyInfo? EnvironmentProperty =
        typeof(TrainCatalogBase).GetProperty("Environment", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>The environment of <paramref name="catalog"/>: the <see cref="MLContext"/>'s, whose log and seed the
    /// estimators use.</summary>
    internal static IHostEnvironment Environment(ForecastingCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return EnvironmentProperty?.GetValue(catalog) as IHostEnvironment ?? new MLContext();
    }

    /// <summary>Whether the environment is read from the catalog (false: the fallback is in use).</summary>
    internal static bool ReadsCatalogEnvironment => EnvironmentProperty?.PropertyType == typeof(IHostEnvironment);

    private static void Log(ForecastingCatalog catalog, string message)
    {
        using var channel = Environment(catalog).Register(nameof(R2dnCatalog)).Start("Evaluation");
        channel.Info(MessageSensitivity.None, message);
    }
}
