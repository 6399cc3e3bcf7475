namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>Per-column mean and standard deviation, and the maps to and from standard units.</summary>
public sealed class Standardizer
{
    /// <summary>Creates a standardiser from known means and standard deviations (each &gt; 0).</summary>
    public Standardizer(double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length != std.Length)
            throw new ArgumentException("mean and std must have the same length.", nameof(std));
        if (std.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw new ArgumentOutOfRangeException(nameof(std), "Every std must be finite and greater than 0.");
        Mean = (double[])mean.Clone(); Std = (double[])std.Clone();
    }

    /// <summary>Column means.</summary>
    public double[] Mean { get; }

    /// <summary>Column standard deviations (population), floored so that a constant column maps to 0, not
    /// NaN.</summary>
    public double[] Std { get; }

    /// <summary>Number of columns.</summary>
    public int Columns => Mean.Length;

    /// <summary>Fits to rows of <paramref name="columns"/> values in each of the arrays (row-major).</summary>
    public static Standardizer Fit(IEnumerable<float[]> rowMajorBlocks, int columns)
    {
        ArgumentNullException.ThrowIfNull(rowMajorBlocks);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (columns == 0) return new Standardizer([], []);
        var mean = new double[columns]; var m2 = new double[columns];
        long n = 0;
        foreach (var block in rowMajorBlocks)
            for (int r = 0; r + columns <= block.Length; r += columns)
            {
                n++;
                for (int c = 0; c < columns; c++)
                {
                    double v = block[r + c], d = v - mean[c];
                    mean[c] += d / n; m2[c] += d * (v - mean[c]);
                }
            }
        var std = new double[columns];
        for (int c = 0; c < columns; c++)
        {
            double s = n > 0 ? Math.Sqrt(m2[c] / n) : 1;
            std[c] = s > 1e-12 * Math.Max(1, Math.Abs(mean[c])) ? s : 1;
        }
        return new Standardizer(mean, std);
    }

    /// <summary>(v − mean)/std for column <paramref name="column"/>.</summary>
    public float Forward(double v, int column) => (float)((v - Mean[column]) / Std[column]);

    /// <summary>v·std + mean for column <paramref name="column"/>.</summary>
    public double Inverse(double v, int column) => v * Std[column] + Mean[column];
}
