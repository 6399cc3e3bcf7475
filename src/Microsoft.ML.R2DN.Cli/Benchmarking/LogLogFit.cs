namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// An ordinary least-squares line log(y) = intercept + slope·log(x) (natural logarithms), with the usual standard
/// error of the slope, √(Σ residual² / (n − 2) / Σ (log x − mean)²).
/// </summary>
internal sealed record LogLogFit(int Points, double Slope, double StandardError, double Intercept)
{
    /// <summary>Fits the points with positive x and y; null when fewer than two such points have distinct x.</summary>
    /// <remarks>With exactly two points the slope is exact and its standard error is NaN (no degrees of freedom
    /// left).</remarks>
    public static LogLogFit? Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException("x and y must have the same length.", nameof(y));
        var lx = new List<double>();
        var ly = new List<double>();
        for (int i = 0; i < x.Count; i++)
        {
            if (x[i] > 0 && y[i] > 0 && double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                lx.Add(Math.Log(x[i]));
                ly.Add(Math.Log(y[i]));
            }
        }
        int n = lx.Count;
        if (n < 2) return null;
        double mx = lx.Average(), my = ly.Average();
        double sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++)
        {
            sxx += (lx[i] - mx) * (lx[i] - mx);
            sxy += (lx[i] - mx) * (ly[i] - my);
        }
        if (!(sxx > 0)) return null;
        double slope = sxy / sxx, intercept = my - slope * mx;
        double ssr = 0;
        for (int i = 0; i < n; i++)
        {
            double r = ly[i] - (intercept + slope * lx[i]);
            ssr += r * r;
        }
        double se = n > 2 ? Math.Sqrt(ssr / (n - 2) / sxx) : double.NaN;
        return new LogLogFit(n, slope, se, intercept);
    }

    /// <summary>
    /// Piecewise-linear interpolation of log(y) in log(x) through points sorted by x; outside their range the end
    /// segment is extended (<paramref name="extrapolated"/> is then true).
    /// </summary>
    public static double InterpolateLogLog(IReadOnlyList<double> x, IReadOnlyList<double> y, double at,
                                           out bool extrapolated)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n = x.Count;
        if (n != y.Count || n == 0)
            throw new ArgumentException("x and y must be non-empty and of the same length.", nameof(y));
        var order = Enumerable.Range(0, n).OrderBy(i => x[i]).ToArray();
        double[] lx = order.Select(i => Math.Log(x[i])).ToArray();
        double[] ly = order.Select(i => Math.Log(y[i])).ToArray();
        double la = Math.Log(at);
        extrapolated = la < lx[0] || la > lx[n - 1];
        if (n == 1) return Math.Exp(ly[0]);
        int k = 0;
        while (k < n - 2 && la > lx[k + 1]) k++;
        double w = (la - lx[k]) / (lx[k + 1] - lx[k]);
        return Math.Exp(ly[k] + w * (ly[k + 1] - ly[k]));
    }
}
