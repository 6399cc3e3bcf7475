using Microsoft.ML;
using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Forecasting;

namespace ServingCluster;

/// <summary>One row of the generated workload: a store's load and temperature at one hour.</summary>
public sealed class StoreRow
{
    public string Store { get; set; } = "";
    public float Load { get; set; }
    public float Temperature { get; set; }
}

/// <summary>The forecast the single-process engine writes (the same columns as the cluster's).</summary>
public sealed class StoreForecast
{
    public float[] Forecast { get; set; } = [];
    public float[] Lower { get; set; } = [];
    public float[] Upper { get; set; } = [];
}

/// <summary>The generated series (deterministic in the series number and the step), a tiny model trained on a few of
/// them, and the uninterrupted single-process run the cluster is compared with.</summary>
public static class Workload
{
    /// <summary>The series that train the model (their ids start with "train-").</summary>
    public const int TrainingSeries = 6;

    /// <summary>The steps of each training series.</summary>
    public const int TrainingSteps = 160;

    /// <summary>The id of served series <paramref name="k"/>.</summary>
    public static string SeriesId(int k) => $"s{k}";

    /// <summary>Series <paramref name="id"/> at step <paramref name="t"/>: a daily cycle with a per-series phase and
    /// level, driven by a temperature, with a small deterministic wobble.</summary>
    public static StoreRow Row(string id, int t)
    {
        int k = StableHash(id);
        double phase = 2 * Math.PI * (t + k % 24) / 24.0;
        float temperature = (float)(18 + 6 * Math.Sin(phase - 0.7) + (k % 5));
        double wobble = 0.5 * Math.Sin(0.37 * t * (1 + k % 3));
        float load = (float)(40 + (k % 17) + 8 * Math.Sin(phase) + 0.4 * temperature + wobble);
        return new StoreRow { Store = id, Load = load, Temperature = temperature };
    }

    /// <summary>The observation of <paramref name="row"/> for a <see cref="SeriesForecaster"/> or the
    /// cluster.</summary>
    public static SeriesObservation Observation(StoreRow row) =>
        new() { { nameof(StoreRow.Load), row.Load }, { nameof(StoreRow.Temperature), row.Temperature } };

    /// <summary>Trains a tiny R2DN (or REN) forecaster, horizon 4 with 90 % bounds, on the training series and saves it
    /// to <paramref name="path"/>; a few seconds on one core. Without <paramref name="temperature"/> the model reads
    /// the load alone (another input schema).</summary>
    public static void TrainModel(string path, bool ren = false, int seed = 7, bool temperature = true)
    {
        string[] features = temperature ? ["Temperature"] : [];
        var ml = new MLContext(seed: seed);
        var rows = Enumerable.Range(0, TrainingSteps)
            .SelectMany(t => Enumerable.Range(0, TrainingSeries).Select(s => Row($"train-{s}", t))).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        ITransformer model = ren
            ? ml.Forecasting.REN(new RenForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Load", FeatureColumnNames = features,
                SeriesIdColumnName = "Store", Horizon = 4, ConfidenceLowerBoundColumn = "Lower",
                ConfidenceUpperBoundColumn = "Upper", ConfidenceLevel = 0.9f, StateSize = 6, Epochs = 3, Seed = seed,
                Threads = 1, LinearLookback = 0, ValidationFraction = 0,
            }).Fit(data)
            : ml.Forecasting.R2DN(new R2dnForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = "Load", FeatureColumnNames = features,
                SeriesIdColumnName = "Store", Horizon = 4, ConfidenceLowerBoundColumn = "Lower",
                ConfidenceUpperBoundColumn = "Upper", ConfidenceLevel = 0.9f, StateSize = 6, NonlinearWidth = 6,
                HiddenSizes = [8], Epochs = 3, Seed = seed, Threads = 1, LinearLookback = 24,
            }).Fit(data);
        ml.Model.Save(model, data.Schema, path);
    }

    /// <summary>The uninterrupted single-process run: <see cref="ForecastingEngine{TSrc, TDst}"/> on the same model
    /// file, every series through <paramref name="steps"/> observations, then each series' forecast.</summary>
    public static Dictionary<string, StoreForecast> SingleProcess(string modelPath, IReadOnlyList<string> series,
                                                                  int steps)
    {
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(modelPath, out _);
        var engine = ForecastingEngineExtensions.CreateTimeSeriesEngine<StoreRow, StoreForecast>(model, ml);
        var rows = Enumerable.Range(0, steps).SelectMany(t => series.Select(id => Row(id, t)));
        engine.Observe(ml.Data.LoadFromEnumerable(rows));
        return series.ToDictionary(id => id, id => engine.PredictSeries(id));
    }

    // A hash that is the same in every process (string.GetHashCode is randomised per process).
    private static int StableHash(string id)
    {
        unchecked
        {
            int h = 17;
            foreach (char c in id) h = h * 31 + c;
            return h & 0x7FFFFFFF;
        }
    }
}
