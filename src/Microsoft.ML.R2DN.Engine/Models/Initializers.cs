namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>Seeded random initialisers (MODELS.md section 3).</summary>
internal sealed class Initializers
{
    private readonly Random _random;

    public Initializers(int seed) => _random = new Random(seed);

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public double Normal()
    {
        double u1 = 1.0 - _random.NextDouble();
        double u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>U(0, 1).</summary>
    public double Uniform() => _random.NextDouble();

    /// <summary>
    /// Flax's lecun_normal for a (rows × cols) matrix: a normal truncated to ±2 standard deviations, scaled so that
    /// the variance is 1/fan_in, with fan_in = rows (Flax reads shape[−2]; the matrices are stored (out, in)).
    /// </summary>
    public void LecunNormal(Span<double> destination, int rows)
    {
        const double TruncatedStd = 0.87962566103423978; // std of N(0,1) truncated to [−2, 2]
        double scale = Math.Sqrt(1.0 / rows) / TruncatedStd;
        for (int i = 0; i < destination.Length; i++)
        {
            double z;
            do z = Normal(); while (Math.Abs(z) > 2.0);
            destination[i] = scale * z;
        }
    }
}
