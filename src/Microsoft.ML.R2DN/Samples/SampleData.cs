namespace Microsoft.ML.R2DN.Samples;

/// <summary>One row of <see cref="SampleData.NonlinearSystem(int, int, int, double)"/>.</summary>
public sealed class SystemSample
{
    /// <summary>Series name ("unit-1", "unit-2", …).</summary>
    public string Series { get; set; } = "";
    /// <summary>Time step within the series (0, 1, …).</summary>
    public int Step { get; set; }
    /// <summary>The exogenous input (a daily drive with random load changes), known in advance.</summary>
    public float Drive { get; set; }
    /// <summary>The measured output of the system: what is forecast.</summary>
    public float Output { get; set; }
}

/// <summary>Data the package generates itself, so examples, tests and the README's first command need no
/// files.</summary>
public static class SampleData
{
    /// <summary>
    /// A simulated nonlinear system: a damped oscillator with a cubic spring (a Duffing oscillator) driven through a
    /// saturating actuator by a daily (period 24) cycle plus piecewise-constant load changes, observed with noise.
    /// It is stable and forgets its initial condition, so a contracting model fits it and its certificate means
    /// something; its output depends on the drive, so the drive is a useful exogenous feature.
    /// </summary>
    /// <param name="length">Steps per series (&gt; 0).</param>
    /// <param name="series">Number of independent series, each with its own load changes (&gt; 0).</param>
    /// <param name="seed">Seed of the load changes and the noise.</param>
    /// <param name="noise">Standard deviation of the measurement noise (≥ 0). Default 0.02.</param>
    public static IEnumerable<SystemSample> NonlinearSystem(int length = 2000, int series = 1, int seed = 0,
                                                            double noise = 0.02)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(series);
        if (!(noise >= 0) || !double.IsFinite(noise))
            throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be finite and non-negative.");
        for (int s = 0; s < series; s++)
        {
            var rnd = new Random(seed * 7919 + s);
            double pos = 0, vel = 0, load = 0;
            const double Dt = 0.25;
            for (int t = 0; t < length; t++)
            {
                if (t % 36 == 0) load = 0.6 * (2 * rnd.NextDouble() - 1);
                double drive = Math.Sin(2 * Math.PI * t / 24.0) + load;
                // Two explicit half-steps of m·x'' = −c·x' − k·x − k₃·x³ + tanh(2·drive).
                for (int k = 0; k < 2; k++)
                {
                    double acc = -0.35 * vel - 1.2 * pos - 0.8 * pos * pos * pos + 1.5 * Math.Tanh(2 * drive);
                    vel += Dt * acc; pos += Dt * vel;
                }
                double y = 20 + 5 * pos + noise * 5 * Gaussian(rnd);
                yield return new SystemSample
                {
                    Series = $"unit-{s + 1}", Step = t, Drive = (float)drive, Output = (float)y,
                };
            }
        }
    }

    /// <summary><see cref="NonlinearSystem(int, int, int, double)"/> as an <see cref="IDataView"/> with columns Series,
    /// Step, Drive, Output.</summary>
    public static IDataView LoadNonlinearSystem(this DataOperationsCatalog catalog, int length = 2000, int series = 1,
                                                int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.LoadFromEnumerable(NonlinearSystem(length, series, seed).ToList());
    }

    // Box–Muller.
    private static double Gaussian(Random r) =>
        Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
