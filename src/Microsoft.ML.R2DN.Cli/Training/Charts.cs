using System.Globalization;
using Microsoft.ML.R2DN.Plotting;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>One series of a forecaster's output, for a chart: the observed target and the forecast vectors (with their
/// bounds) made after each row.</summary>
/// <param name="Name">The series id ("" for a single series).</param>
/// <param name="Actual">The observed values of the plotted target, one per row.</param>
/// <param name="Forecasts">The forecast vector of every row (horizon × targets, target-major).</param>
/// <param name="Lower">The lower bounds, laid out as the forecasts, or null.</param>
/// <param name="Upper">The upper bounds, or null.</param>
internal sealed record ForecastSeries(string Name, float[] Actual, float[][] Forecasts, float[][]? Lower, float[][]? Upper);

/// <summary>The SVG charts of the commands: forecasts against what happened (with the interval band), simulations
/// against measurements, and training curves.</summary>
internal static class Charts
{
    private const string ActualColor = "#222222";
    private const string ForecastColor = "#1f77b4";
    private const string FutureColor = "#d62728";

    /// <summary>Multi-step forecasts against the observed values of one series.</summary>
    /// <remarks>From each origin row o the forecaster's path o + 1 … o + h is drawn with its interval; the origins are
    /// <paramref name="origins"/> (h apart, so that the paths tile the window, each starting again from an observed
    /// row). With <paramref name="future"/>, the forecast made after the last row is drawn beyond the data.</remarks>
    /// <param name="series">The series.</param>
    /// <param name="target">The index of the plotted target.</param>
    /// <param name="targetName">Its column name.</param>
    /// <param name="horizon">The forecaster's horizon h.</param>
    /// <param name="level">The intervals' confidence level, or null.</param>
    /// <param name="windowStart">The first row shown.</param>
    /// <param name="origins">The rows the drawn paths start after.</param>
    /// <param name="future">Whether to draw the forecast beyond the last row.</param>
    /// <param name="marker">A vertical marker (x and label), or null.</param>
    /// <param name="title">The chart's title.</param>
    public static SvgChart Forecast(ForecastSeries series, int target, string targetName, int horizon, double? level, int windowStart,
                                    IEnumerable<int> origins, bool future, (double X, string Label)? marker, string title)
    {
        int n = series.Actual.Length;
        var chart = new SvgChart
        {
            Title = title, XLabel = "time step (row of the series)", YLabel = targetName,
            MarkerX = marker?.X, MarkerLabel = marker?.Label ?? "",
        };
        var xs = new List<double>();
        var ys = new List<double>();
        var bx = new List<double>();
        var lo = new List<double>();
        var hi = new List<double>();
        bool bands = series.Lower is not null && series.Upper is not null;
        foreach (int o in origins.Where(o => o >= 0 && o < n - 1))
        {
            if (xs.Count > 0) { xs.Add(o + 0.5); ys.Add(double.NaN); }   // lift the pen: each path restarts from data
            for (int k = 1; k <= horizon && o + k < n; k++)
            {
                int i = target * horizon + k - 1;
                xs.Add(o + k);
                ys.Add(series.Forecasts[o][i]);
                if (!bands) continue;
                bx.Add(o + k);
                lo.Add(series.Lower![o][i]);
                hi.Add(series.Upper![o][i]);
            }
        }
        if (future && n > 0)
        {
            // The band runs on into the future (it joins the last path's band); the future forecast has its own line.
            for (int k = 1; k <= horizon && bands; k++)
            {
                int i = target * horizon + k - 1;
                bx.Add(n - 1 + k);
                lo.Add(series.Lower![n - 1][i]);
                hi.Add(series.Upper![n - 1][i]);
            }
        }
        string interval = level is double c ? $"{(c * 100).ToString("0.#", CultureInfo.InvariantCulture)}% interval" : "interval";
        int entries = 1 + (bx.Count > 0 ? 1 : 0) + (xs.Count > 0 ? 1 : 0) + (future ? 1 : 0);
        if (bx.Count > 0) chart.Add(new BandSeries(interval, [.. bx], [.. lo], [.. hi], ForecastColor));
        var actual = Enumerable.Range(windowStart, n - windowStart).Select(t => (double)t).ToList();
        var values = series.Actual[windowStart..].Select(v => (double)v).ToList();
        AddHeadroom(actual, values, [.. values, .. ys, .. hi, .. lo], entries, chart.Height);
        chart.Add(new LineSeries("actual", [.. actual], [.. values], ActualColor));
        if (xs.Count > 0)
            chart.Add(new LineSeries($"forecast (1-{horizon} steps ahead)", [.. xs], [.. ys], ForecastColor));
        if (future && n > 0)
        {
            int from = target * horizon;
            chart.Add(new LineSeries("forecast after the last row", Enumerable.Range(n, horizon).Select(t => (double)t).ToArray(),
                                     series.Forecasts[n - 1][from..(from + horizon)].Select(v => (double)v).ToArray(), FutureColor, Dashed: true));
        }
        return chart;
    }

    // The legend sits in the top right corner of the plot: raise the top of the y axis so that the data stays below it.
    // The extra point is a lone move-to in the SVG path (after a NaN lifts the pen), so nothing is drawn for it.
    private static void AddHeadroom(List<double> x, List<double> y, IEnumerable<double> all, int legendEntries, int height)
    {
        var finite = all.Where(double.IsFinite).ToList();
        if (finite.Count == 0 || x.Count == 0) return;
        double min = finite.Min(), max = finite.Max(), plotHeight = height - 95;   // SvgChart's top and bottom margins
        double legend = Math.Min(0.45, (20 + 18.0 * legendEntries) / plotHeight);
        double top = max + (max - min) * 1.1 * legend / (1 - legend);
        x.Add(x[0]); y.Add(double.NaN);
        x.Add(x[0]); y.Add(top);
    }

    /// <summary>A simulator's predicted output against the measured one over rows [<paramref name="windowStart"/>, n).</summary>
    public static SvgChart Simulation(float[] actual, float[] predicted, string outputName, int windowStart, int washout, string title)
    {
        var x = Enumerable.Range(windowStart, actual.Length - windowStart).Select(t => (double)t).ToArray();
        var chart = new SvgChart
        {
            Title = title, XLabel = "time step (row of the series)", YLabel = outputName,
            MarkerX = washout > windowStart && washout < actual.Length ? washout : null, MarkerLabel = "end of washout",
        };
        var mx = x.ToList();
        var measured = actual[windowStart..].Select(v => (double)v).ToList();
        var simulated = predicted[windowStart..].Select(v => (double)v).ToArray();
        AddHeadroom(mx, measured, [.. measured, .. simulated], 2, chart.Height);
        chart.Add(new LineSeries("measured", [.. mx], [.. measured], ActualColor));
        chart.Add(new LineSeries("simulated from the inputs", x, simulated, ForecastColor));
        return chart;
    }

    /// <summary>The training loss per epoch, on a log scale when every value is positive.</summary>
    public static SvgChart Loss(IReadOnlyList<double> loss, string title)
    {
        if (loss.Count == 0) throw new UsageException("the model holds no training curve (no epoch loss was recorded).");
        bool log = loss.All(v => v > 0 || !double.IsFinite(v)) && loss.Any(v => v > 0);
        var chart = new SvgChart { Title = title, XLabel = "epoch", YLabel = "training loss (standardised)", LogY = log };
        chart.Add(new LineSeries("training loss", Enumerable.Range(1, loss.Count).Select(e => (double)e).ToArray(), [.. loss], ForecastColor));
        return chart;
    }

    /// <summary>Writes a chart atomically.</summary>
    public static void Save(SvgChart chart, string path)
    {
        string svg = chart.Render();
        CsvData.WriteAtomically(path, w => w.Write(svg));
    }
}
