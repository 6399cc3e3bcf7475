using System.Globalization;
using System.Security;
using System.Text;

namespace Microsoft.ML.R2DN.Plotting;

/// <summary>A line series for <see cref="SvgChart"/>.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X values.</param>
/// <param name="Y">Y values (NaN breaks the line).</param>
/// <param name="Color">A CSS colour.</param>
/// <param name="Dashed">Draw dashed.</param>
public sealed record LineSeries(string Name, double[] X, double[] Y, string Color, bool Dashed = false);

/// <summary>A shaded band between two curves (an interval) for <see cref="SvgChart"/>.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X values.</param>
/// <param name="Lower">Lower edge.</param>
/// <param name="Upper">Upper edge.</param>
/// <param name="Color">A CSS colour (drawn at 25% opacity).</param>
public sealed record BandSeries(string Name, double[] X, double[] Lower, double[] Upper, string Color);

/// <summary>
/// A small, dependency-free SVG line chart: axes with round ticks, lines, shaded bands, a legend and an optional
/// vertical marker (for example where the forecast starts). Output is self-contained SVG 1.1 text.
/// </summary>
public sealed class SvgChart
{
    private readonly List<LineSeries> _lines = new();
    private readonly List<BandSeries> _bands = new();

    /// <summary>Chart title.</summary>
    public string Title { get; init; } = "";
    /// <summary>X-axis label.</summary>
    public string XLabel { get; init; } = "";
    /// <summary>Y-axis label.</summary>
    public string YLabel { get; init; } = "";
    /// <summary>Width in pixels (≥ 200). Default 900.</summary>
    public int Width { get; init; } = 900;
    /// <summary>Height in pixels (≥ 150). Default 420.</summary>
    public int Height { get; init; } = 420;
    /// <summary>Use a log₁₀ y axis (for loss curves); non-positive values are skipped. Default false.</summary>
    public bool LogY { get; init; }
    /// <summary>Draw a dashed vertical line at this x (null: none).</summary>
    public double? MarkerX { get; init; }
    /// <summary>Text beside the marker.</summary>
    public string MarkerLabel { get; init; } = "";

    /// <summary>Adds a line.</summary>
    public SvgChart Add(LineSeries line) { ArgumentNullException.ThrowIfNull(line); Check(line.X, line.Y, line.Name); _lines.Add(line); return this; }

    /// <summary>Adds a band.</summary>
    public SvgChart Add(BandSeries band)
    {
        ArgumentNullException.ThrowIfNull(band);
        Check(band.X, band.Lower, band.Name); Check(band.X, band.Upper, band.Name);
        _bands.Add(band); return this;
    }

    private static void Check(double[] x, double[] y, string name)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Series '{name}' has {x.Length} x values and {y.Length} y values.");
    }

    /// <summary>Renders the chart as SVG text.</summary>
    public string Render()
    {
        if (Width < 200 || Height < 150) throw new InvalidOperationException("The chart is too small (at least 200×150).");
        const double Left = 70, Right = 20, Top = 40, Bottom = 55;
        double pw = Width - Left - Right, ph = Height - Top - Bottom;
        double Ty(double v) => LogY ? (v > 0 ? Math.Log10(v) : double.NaN) : v;
        var xs = _lines.SelectMany(l => l.X).Concat(_bands.SelectMany(b => b.X)).Where(double.IsFinite).ToArray();
        var ys = _lines.SelectMany(l => l.Y).Concat(_bands.SelectMany(b => b.Lower.Concat(b.Upper))).Select(Ty).Where(double.IsFinite).ToArray();
        if (xs.Length == 0 || ys.Length == 0) throw new InvalidOperationException("The chart has no finite points to draw.");
        var (x0, x1) = Range(xs.Min(), xs.Max());
        var (y0, y1) = Range(ys.Min(), ys.Max());
        double yPad = (y1 - y0) * 0.05; y0 -= yPad; y1 += yPad;
        double Px(double x) => Left + (x - x0) / (x1 - x0) * pw;
        double Py(double y) => Top + (1 - (Ty(y) - y0) / (y1 - y0)) * ph;

        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"Segoe UI, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"));
        sb.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        sb.Append(Inv($"<text x=\"{Width / 2.0:F1}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"600\">{Esc(Title)}</text>\n"));
        // Grid and ticks.
        foreach (double t in Ticks(x0, x1, 8))
            sb.Append(Inv($"<line x1=\"{Px(t):F1}\" y1=\"{Top:F1}\" x2=\"{Px(t):F1}\" y2=\"{Top + ph:F1}\" stroke=\"#e5e5e5\"/><text x=\"{Px(t):F1}\" y=\"{Top + ph + 16:F1}\" text-anchor=\"middle\" fill=\"#444\">{Fmt(t)}</text>\n"));
        foreach (double t in LogY ? LogTicks(y0, y1) : Ticks(y0, y1, 6))
        {
            double py = Top + (1 - (t - y0) / (y1 - y0)) * ph;
            string label = LogY ? Fmt(Math.Pow(10, t)) : Fmt(t);
            sb.Append(Inv($"<line x1=\"{Left:F1}\" y1=\"{py:F1}\" x2=\"{Left + pw:F1}\" y2=\"{py:F1}\" stroke=\"#e5e5e5\"/><text x=\"{Left - 6:F1}\" y=\"{py + 4:F1}\" text-anchor=\"end\" fill=\"#444\">{label}</text>\n"));
        }
        sb.Append(Inv($"<rect x=\"{Left:F1}\" y=\"{Top:F1}\" width=\"{pw:F1}\" height=\"{ph:F1}\" fill=\"none\" stroke=\"#888\"/>\n"));
        sb.Append(Inv($"<text x=\"{Left + pw / 2:F1}\" y=\"{Height - 12:F1}\" text-anchor=\"middle\">{Esc(XLabel)}</text>\n"));
        sb.Append(Inv($"<text transform=\"translate(16,{Top + ph / 2:F1}) rotate(-90)\" text-anchor=\"middle\">{Esc(YLabel)}</text>\n"));
        sb.Append(Inv($"<clipPath id=\"plot\"><rect x=\"{Left:F1}\" y=\"{Top:F1}\" width=\"{pw:F1}\" height=\"{ph:F1}\"/></clipPath>\n<g clip-path=\"url(#plot)\">\n"));
        foreach (var b in _bands)
        {
            var pts = new List<string>();
            for (int i = 0; i < b.X.Length; i++) if (Finite(b.X[i], b.Upper[i])) pts.Add(Inv($"{Px(b.X[i]):F1},{Py(b.Upper[i]):F1}"));
            for (int i = b.X.Length - 1; i >= 0; i--) if (Finite(b.X[i], b.Lower[i])) pts.Add(Inv($"{Px(b.X[i]):F1},{Py(b.Lower[i]):F1}"));
            sb.Append($"<polygon points=\"{string.Join(' ', pts)}\" fill=\"{Esc(b.Color)}\" fill-opacity=\"0.25\" stroke=\"none\"/>\n");
        }
        foreach (var l in _lines)
        {
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < l.X.Length; i++)
            {
                if (!Finite(l.X[i], l.Y[i])) { pen = false; continue; }
                path.Append(Inv($"{(pen ? 'L' : 'M')}{Px(l.X[i]):F1},{Py(l.Y[i]):F1} "));
                pen = true;
            }
            string dash = l.Dashed ? " stroke-dasharray=\"6,4\"" : "";
            sb.Append($"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{Esc(l.Color)}\" stroke-width=\"1.6\"{dash}/>\n");
        }
        sb.Append("</g>\n");
        if (MarkerX is double mx && mx >= x0 && mx <= x1)
            sb.Append(Inv($"<line x1=\"{Px(mx):F1}\" y1=\"{Top:F1}\" x2=\"{Px(mx):F1}\" y2=\"{Top + ph:F1}\" stroke=\"#555\" stroke-dasharray=\"3,3\"/><text x=\"{Px(mx) + 4:F1}\" y=\"{Top + 14:F1}\" fill=\"#555\">{Esc(MarkerLabel)}</text>\n"));
        // Legend, top-right inside the plot, on a translucent white box so it never hides the data it labels.
        var entries = _bands.Select(b => (b.Name, b.Color, Band: true, Dashed: false)).Concat(_lines.Select(l => (l.Name, l.Color, Band: false, l.Dashed))).ToList();
        if (entries.Count > 0)
        {
            double boxW = 48 + 7.0 * entries.Max(e => e.Name.Length), boxH = 8 + 18 * entries.Count, bx = Left + pw - boxW - 8, by = Top + 8;
            sb.Append(Inv($"<rect x=\"{bx:F1}\" y=\"{by:F1}\" width=\"{boxW:F1}\" height=\"{boxH:F1}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"));
            int row = 0;
            foreach (var (name, color, band, dashed) in entries)
            {
                double ly = by + 18 + 18 * row++;
                sb.Append(band
                    ? Inv($"<rect x=\"{bx + 8:F1}\" y=\"{ly - 9:F1}\" width=\"22\" height=\"10\" fill=\"{Esc(color)}\" fill-opacity=\"0.25\"/>")
                    : Inv($"<line x1=\"{bx + 8:F1}\" y1=\"{ly - 4:F1}\" x2=\"{bx + 30:F1}\" y2=\"{ly - 4:F1}\" stroke=\"{Esc(color)}\" stroke-width=\"2\"{(dashed ? DashAttribute : "")}/>"));
                sb.Append(Inv($"<text x=\"{bx + 36:F1}\" y=\"{ly:F1}\">{Esc(name)}</text>\n"));
            }
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Renders and writes the chart to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, Render(), new UTF8Encoding(false));

    private const string DashAttribute = " stroke-dasharray=\"6,4\"";

    private bool Finite(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!LogY || y > 0);

    private static (double, double) Range(double lo, double hi)
    {
        if (hi > lo) return (lo, hi);
        double d = Math.Max(1e-9, Math.Abs(lo) * 0.1);
        return (lo - d, hi + d);
    }

    // Round tick values ("nice numbers": 1, 2, 5 × 10ᵏ).
    internal static IEnumerable<double> Ticks(double lo, double hi, int target)
    {
        double raw = (hi - lo) / Math.Max(1, target), mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), step = mag;
        foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 }) { step = m * mag; if (raw <= step) break; }
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step) yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }

    // Log-axis ticks (in log₁₀ units) at 1, 2 and 5 × 10ᵏ, or only at decades when the range is wide.
    internal static IEnumerable<double> LogTicks(double lo, double hi)
    {
        double[] mantissas = hi - lo > 4 ? [1] : [1, 2, 5];
        for (int k = (int)Math.Floor(lo); k <= (int)Math.Ceiling(hi); k++)
            foreach (double m in mantissas)
            {
                double t = k + Math.Log10(m);
                if (t >= lo && t <= hi) yield return t;
            }
    }

    private static string Fmt(double v) => v.ToString(Math.Abs(v) >= 1e5 || (Math.Abs(v) < 1e-3 && v != 0) ? "0.##E+0" : "0.###", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";
}
