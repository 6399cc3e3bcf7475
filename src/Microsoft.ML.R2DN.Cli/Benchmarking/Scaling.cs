namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>The estimation data's mean and population standard deviation of every input and output.</summary>
internal sealed record Scaling(double[] UMean, double[] UStd, double[] YMean, double[] YStd)
{
    public static Scaling Fit(IReadOnlyList<IoSeries> records, int nu, int ny)
    {
        var (um, us) = Moments(records.Select(r => r.U), nu);
        var (ym, ys) = Moments(records.Select(r => r.Y), ny);
        return new Scaling(um, us, ym, ys);
    }

    private static (double[] Mean, double[] Std) Moments(IEnumerable<double[]> blocks, int width)
    {
        var sum = new double[width];
        long n = 0;
        var all = blocks.ToList();
        foreach (var b in all)
        {
            for (int k = 0; k < b.Length; k++) sum[k % width] += b[k];
            n += b.Length / width;
        }
        var mean = sum.Select(v => v / n).ToArray();
        var squares = new double[width];
        foreach (var b in all)
            for (int k = 0; k < b.Length; k++)
            {
                double d = b[k] - mean[k % width];
                squares[k % width] += d * d;
            }
        // A constant column keeps its scale: dividing by a zero (or rounding-level) spread would blow it up.
        var std = squares.Select((v, c) => Math.Sqrt(v / n) is var s && s > 1e-12 * Math.Max(1, Math.Abs(mean[c]))
                                               ? s : 1).ToArray();
        return (mean, std);
    }
}
