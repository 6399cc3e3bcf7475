using Microsoft.ML.R2DN.Data;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>One observation: a store's load, a second target, a temperature feature, and its id in three
/// types.</summary>
public sealed class LoadRow
{
    public string Store { get; set; } = "";
    public int StoreNumber { get; set; }
    public long StoreCode { get; set; }
    public float StoreSingle { get; set; }
    public double StoreDouble { get; set; }
    public float Load { get; set; }
    public float Load2 { get; set; }
    public float Temperature { get; set; }
    public float Noise { get; set; }
}

/// <summary>A forecast with its bounds.</summary>
public sealed class LoadForecast
{
    public float[] Forecast { get; set; } = [];
    public float[] Lower { get; set; } = [];
    public float[] Upper { get; set; } = [];
}

/// <summary>One sample of an input/output system.</summary>
public sealed class SystemRow
{
    public string Experiment { get; set; } = "";
    public float U { get; set; }
    public float Y { get; set; }
}

/// <summary>Series the tests generate: seasonal loads driven by a temperature, and a nonlinear dynamical
/// system.</summary>
internal static class ForecastingTestData
{
    public const int Period = 24;

    /// <summary>
    /// Seasonal series: Load_t = 2 sin(2πt/24 + φ_s) + 0.8 T_t + 0.1 ε, Load2_t = cos(2πt/24 + φ_s) + 0.1 ε, with the
    /// temperature T_t = cos(2πt/60 + φ_s). Rows of the series interleave (row i belongs to series i mod count) when
    /// <paramref name="interleave"/>.
    /// </summary>
    public static List<LoadRow> Seasonal(int length, int seriesCount = 1, int seed = 1, bool interleave = false,
                                         int start = 0)
    {
        var rng = new Random(seed);
        var perSeries = new List<LoadRow>[seriesCount];
        for (int s = 0; s < seriesCount; s++)
        {
            perSeries[s] = [];
            double phase = 0.7 * s;
            for (int t = start; t < start + length; t++)
            {
                double temperature = Math.Cos(2 * Math.PI * t / 60 + phase);
                perSeries[s].Add(new LoadRow
                {
                    Store = "store-" + (char)('A' + s), StoreNumber = 10 + s, StoreCode = 1L << 40 | (uint)s,
                    StoreSingle = 0.5f + s, StoreDouble = -1e10 - s,
                    Load = (float)(2 * Math.Sin(2 * Math.PI * t / Period + phase) + 0.8 * temperature
                                   + 0.1 * Normal(rng)),
                    Load2 = (float)(Math.Cos(2 * Math.PI * t / Period + phase) + 0.1 * Normal(rng)),
                    Temperature = (float)temperature,
                    Noise = (float)Normal(rng),
                });
            }
        }
        if (!interleave) return perSeries.SelectMany(s => s).ToList();
        var rows = new List<LoadRow>();
        for (int t = 0; t < length; t++)
            for (int s = 0; s < seriesCount; s++) rows.Add(perSeries[s][t]);
        return rows;
    }

    /// <summary>A series whose next value is the current feature: Load_{t+1} = 2·Noise_t + 0.05 ε, with Noise i.i.d.
    /// standard normal; only a model that reads the feature can forecast it.</summary>
    public static List<LoadRow> DrivenByFeature(int length, int seed = 3)
    {
        var rng = new Random(seed);
        var rows = new List<LoadRow>();
        float previous = 0;
        for (int t = 0; t < length; t++)
        {
            float noise = (float)Normal(rng);
            rows.Add(new LoadRow { Load = 2 * previous + (float)(0.05 * Normal(rng)), Noise = noise });
            previous = noise;
        }
        return rows;
    }

    /// <summary>A nonlinear system: x_{t+1} = 0.8 x_t + 0.5 tanh(u_t), y_t = x_t + 0.2 x_t², driven by a smoothed
    /// random input, one experiment per series.</summary>
    public static List<SystemRow> NonlinearSystem(int length, int experiments = 1, int seed = 5)
    {
        var rng = new Random(seed);
        var rows = new List<SystemRow>();
        for (int e = 0; e < experiments; e++)
        {
            double x = 0, u = 0;
            for (int t = 0; t < length; t++)
            {
                u = 0.8 * u + 0.6 * Normal(rng);
                rows.Add(new SystemRow { Experiment = "run" + e, U = (float)u, Y = (float)(x + 0.2 * x * x) });
                x = 0.8 * x + 0.5 * Math.Tanh(u);
            }
        }
        return rows;
    }

    public static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Small, fast settings for the tests. Robustness and learning rate are set, so the estimator trains one
    /// setting instead of searching (the search has its own tests); validation, early stopping and the linear path stay
    /// at their defaults.</summary>
    public static R2dnForecastingOptions SmallR2dn(string output = "Forecast", string input = "Load",
                                                   int horizon = 6)
    {
        return new()
        {
            OutputColumnName = output, InputColumnName = input, Horizon = horizon, Robustness = Robustness.Contracting,
            StateSize = 12, NonlinearWidth = 12, HiddenSizes = [16], Epochs = 40, LearningRate = 1e-2,
            SegmentLength = 64, Seed = 11,
        };
    }

    /// <summary>Like <see cref="SmallR2dn"/> with the recurrent model alone: no linear path and no validation (so the
    /// recurrent correction is never dropped), for the tests of what the recurrent model and its seed do.</summary>
    public static R2dnForecastingOptions RecurrentOnly(int horizon = 2)
    {
        var o = SmallR2dn(horizon: horizon);
        o.LinearLookback = 0;
        o.ValidationFraction = 0;
        return o;
    }

    /// <summary>The forecast column of a transformed view, one vector per row.</summary>
    public static float[][] Column(MLContext ml, IDataView view, string column) =>
        DataViewReader.ReadVectorColumn(view, column);

    /// <summary>Mean absolute error of the forecasts at rows [from, to) against the targets y_{t+1..t+h} (one target,
    /// one series in row order), and of the naive forecast y_t.</summary>
    public static (double Model, double Naive) Errors(float[][] forecasts, IReadOnlyList<float> y, int horizon,
                                                      int from, int to)
    {
        double model = 0, naive = 0;
        int n = 0;
        for (int t = from; t < to; t++)
            for (int k = 0; k < horizon; k++)
            {
                if (t + 1 + k >= y.Count) continue;
                model += Math.Abs(forecasts[t][k] - y[t + 1 + k]);
                naive += Math.Abs(y[t] - y[t + 1 + k]);
                n++;
            }
        return (model / n, naive / n);
    }
}
