using ScottPlot;
using ScottPlot.TickGenerators;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>The charts of the commands, drawn with ScottPlot: forecasts against what happened (with the interval
/// band), simulations against measurements, and training curves; saved as SVG, or PNG when the path ends in .png.
/// </summary>
internal static class Charts
{
    private const int Width = 900, Height = 420;
    private static readonly Color ActualColor = Color.FromHex("#222222");
    private static readonly Color ForecastColor = Color.FromHex("#1f77b4");
    private static readonly Color FutureColor = Color.FromHex("#d62728");

    // ScottPlot's Fonts.Sans is the system's default face, which is a serif one on some Linux machines.
    private static readonly string SansFont = new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" }
        .FirstOrDefault(f => Fonts.GetTypeface(f, bold: false, italic: false).FamilyName == f) ?? Fonts.Sans;

    /// <summary>Multi-step forecasts against the observed values of one series.</summary>
    /// <remarks>From each origin row o the forecaster's path o + 1 … o + h is drawn with its interval; the origins
    /// are <paramref name="origins"/> (h apart, so that the paths tile the window, each starting again from an observed
    /// row). With <paramref name="future"/>, the forecast made after the last row is drawn beyond the data.</remarks>
    /// <param name="series">The series.</param>
    /// <param name="target">The index of the plotted target.</param>
    /// <param name="targetName">Its column name (the y axis).</param>
    /// <param name="horizon">The forecaster's horizon h.</param>
    /// <param name="level">The intervals' confidence level, or null.</param>
    /// <param name="windowStart">The first row shown.</param>
    /// <param name="origins">The rows the drawn paths start after.</param>
    /// <param name="future">Whether to draw the forecast beyond the last row.</param>
    /// <param name="marker">A vertical marker (x and label), or null.</param>
    /// <param name="title">The chart's title.</param>
    public static Plot Forecast(ForecastSeries series, int target, string targetName, int horizon, double? level,
                                int windowStart, IEnumerable<int> origins, bool future,
                                (double X, string Label)? marker, string title)
    {
        int n = series.Actual.Length, from = target * horizon;
        var plot = Create(title, "time step (row of the series)", targetName);
        var path = new Path();
        var band = new Path();
        foreach (int o in origins.Where(o => o >= 0 && o < n - 1))
        {
            path.Break(o + 0.5);   // each path starts again from the data
            for (int k = 1; k <= horizon && o + k < n; k++)
            {
                path.Add(o + k, series.Forecasts[o][from + k - 1]);
                band.Add(o + k, series.Lower?[o][from + k - 1] ?? 0, series.Upper?[o][from + k - 1] ?? 0);
            }
        }
        // The band runs on into the future (it joins the last path's band); the future forecast has its own line.
        for (int k = 1; future && n > 0 && k <= horizon; k++)
            band.Add(n - 1 + k, series.Lower?[n - 1][from + k - 1] ?? 0, series.Upper?[n - 1][from + k - 1] ?? 0);
        if (series.Lower is not null && series.Upper is not null && band.X.Count > 0)
        {
            var fill = plot.Add.FillY([.. band.X], [.. band.Y], [.. band.Y2]);
            fill.FillColor = ForecastColor.WithAlpha(0.25);
            fill.LineWidth = 0;
            fill.LegendText = level is double c ? $"{(c * 100).ToString("0.#", CultureInfo.InvariantCulture)}% interval"
                                                : "interval";
        }
        Line(plot, "actual", Rows(windowStart, n), series.Actual[windowStart..], ActualColor);
        if (path.X.Count > 0)
            Line(plot, $"forecast (1-{horizon} steps ahead)", [.. path.X], [.. path.Y], ForecastColor);
        if (future && n > 0)
            Line(plot, "forecast after the last row", Rows(n, n + horizon),
                 series.Forecasts[n - 1][from..(from + horizon)], FutureColor).LinePattern = LinePattern.Dashed;
        if (marker is { } m) Marker(plot, m.X, m.Label);
        return plot;
    }

    /// <summary>A simulator's predicted output against the measured one over rows [<paramref name="windowStart"/>, n),
    /// with the end of the washout marked when it is inside.</summary>
    public static Plot Simulation(float[] actual, float[] predicted, string outputName, int windowStart, int washout,
                                  string title)
    {
        var plot = Create(title, "time step (row of the series)", outputName);
        var rows = Rows(windowStart, actual.Length);
        Line(plot, "measured", rows, actual[windowStart..], ActualColor);
        Line(plot, "simulated from the inputs", rows, predicted[windowStart..], ForecastColor);
        if (washout > windowStart && washout < actual.Length) Marker(plot, washout, "end of washout");
        return plot;
    }

    /// <summary>The training loss per epoch; on a log scale when every value is positive and they span a decade or
    /// more.</summary>
    /// <exception cref="UsageException">The model holds no training curve.</exception>
    public static Plot Loss(IReadOnlyList<double> loss, string title)
    {
        if (loss.Count == 0)
            throw new UsageException("the model holds no training curve (no epoch loss was recorded).");
        var finite = loss.Where(double.IsFinite).ToList();
        bool log = finite.Count > 0 && finite.Min() > 0 && finite.Max() >= 10 * finite.Min();
        string yLabel = log ? "training loss (standardised, log scale)" : "training loss (standardised)";
        var plot = Create(title, "epoch", yLabel);
        double[] epochs = [.. Enumerable.Range(1, loss.Count).Select(e => (double)e)];
        Line(plot, "training loss", epochs, [.. loss.Select(v => log ? Math.Log10(v) : v)], ForecastColor);
        if (log)
        {
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(), IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", CultureInfo.InvariantCulture),
            };
        }
        return plot;
    }

    /// <summary>Writes <paramref name="plot"/> atomically, as PNG when <paramref name="path"/> ends in .png (any case),
    /// else as SVG, and disposes it.</summary>
    public static void Save(Plot plot, string path)
    {
        using (plot)
        {
            if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                TextFiles.WriteAtomically(path, Encoding.UTF8.GetBytes(plot.GetSvgXml(Width, Height)));
                return;
            }
            using var image = plot.GetImage(Width, Height);
            TextFiles.WriteAtomically(path, image.GetImageBytes(ImageFormat.Png, 100));
        }
    }

    private static Plot Create(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, 15);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        plot.Font.Set(SansFont);   // after the labels, which it restyles
        plot.ShowLegend(Edge.Bottom);   // below the axes: the legend never hides the data
        return plot;
    }

    private static ScottPlot.Plottables.Scatter Line(Plot plot, string name, double[] x, IReadOnlyList<float> y,
                                                     Color color) =>
        Line(plot, name, x, [.. y.Select(v => (double)v)], color);

    private static ScottPlot.Plottables.Scatter Line(Plot plot, string name, double[] x, double[] y, Color color)
    {
        var line = plot.Add.ScatterLine(x, y, color);
        line.LegendText = name;
        line.LineWidth = 1.5f;
        return line;
    }

    // A dotted vertical line, named in the legend (a label on the chart would cover the title or the ticks).
    private static void Marker(Plot plot, double x, string label)
    {
        var line = plot.Add.VerticalLine(x, 1.5f, Colors.Gray, LinePattern.Dotted);
        line.LegendText = label;
        line.ExcludeFromLegend = label.Length == 0;
    }

    private static double[] Rows(int from, int to) => [.. Enumerable.Range(from, to - from).Select(t => (double)t)];

    // Points of a line (X, Y) or a band (X, Y to Y2); a NaN lifts the pen.
    private sealed class Path
    {
        public List<double> X { get; } = [];
        public List<double> Y { get; } = [];
        public List<double> Y2 { get; } = [];

        public void Add(double x, double y, double y2 = double.NaN)
        {
            X.Add(x);
            Y.Add(y);
            Y2.Add(y2);
        }

        public void Break(double x)
        {
            if (X.Count > 0) Add(x, double.NaN);
        }
    }
}
