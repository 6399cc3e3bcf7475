namespace Microsoft.ML.R2DN.Engine.Certificates;

/// <summary>The result of <see cref="EmpiricalGain.Estimate"/>.</summary>
/// <param name="MaxGain">The largest ‖Δy‖/‖Δu‖ seen: a lower bound on the model's true incremental gain.</param>
/// <param name="MeanGain">The mean ratio over the pairs.</param>
/// <param name="Pairs">Number of input pairs tried.</param>
public sealed record GainEstimate(double MaxGain, double MeanGain, int Pairs);

/// <summary>
/// An empirical check of a Lipschitz bound: the multi-step incremental gain ‖y(u₁) − y(u₂)‖ / ‖u₁ − u₂‖ over random
/// input pairs from a common (zero) initial state, with 2-norms over the whole horizon. For a γ-Lipschitz model it
/// must stay ≤ γ; it complements the sampling-free <see cref="Certificate"/>.
/// </summary>
public static class EmpiricalGain
{
    /// <summary>Estimates the gain of <paramref name="model"/> from <paramref name="pairs"/> random input
    /// pairs.</summary>
    /// <param name="model">Any sequence model.</param>
    /// <param name="pairs">Number of pairs (&gt; 0).</param>
    /// <param name="timeSteps">Horizon (&gt; 0).</param>
    /// <param name="inputScale">Standard deviation of the base inputs (&gt; 0).</param>
    /// <param name="perturbationScale">Standard deviation of u₂ − u₁ (&gt; 0); small values probe the local
    /// gain.</param>
    /// <param name="seed">Seed.</param>
    public static GainEstimate Estimate(ISequenceModel model, int pairs = 64, int timeSteps = 100,
                                        double inputScale = 1.0, double perturbationScale = 0.1, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pairs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeSteps);
        if (!(inputScale > 0))
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale,
                                                  "inputScale must be greater than 0.");
        if (!(perturbationScale > 0))
            throw new ArgumentOutOfRangeException(nameof(perturbationScale), perturbationScale,
                                                  "perturbationScale must be greater than 0.");
        int nu = model.InputSize, ny = model.OutputSize, nx = model.StateSize, b = 2 * pairs;
        var init = new Initializers(seed);
        var u = new float[timeSteps * b * nu];
        for (int t = 0; t < timeSteps; t++)
            for (int k = 0; k < pairs; k++)
                for (int i = 0; i < nu; i++)
                {
                    double base_ = inputScale * init.Normal();
                    u[(t * b + k) * nu + i] = (float)base_;
                    u[(t * b + pairs + k) * nu + i] = (float)(base_ + perturbationScale * init.Normal());
                }
        var y = new float[timeSteps * b * ny];
        model.Simulate(new float[b * nx], u, timeSteps, b, y, new float[b * nx]);
        double max = 0, sum = 0;
        for (int k = 0; k < pairs; k++)
        {
            double du = 0, dy = 0;
            for (int t = 0; t < timeSteps; t++)
            {
                int first = t * b + k, second = t * b + pairs + k;
                du = AddSquaredDistance(du, u, first * nu, second * nu, nu);
                dy = AddSquaredDistance(dy, y, first * ny, second * ny, ny);
            }
            double ratio = du > 0 ? Math.Sqrt(dy / du) : 0;
            max = Math.Max(max, ratio); sum += ratio;
        }
        return new GainEstimate(max, sum / pairs, pairs);
    }

    // sum + Σ_i (v[a + i] − v[c + i])², in double, i in order.
    private static double AddSquaredDistance(double sum, float[] v, int a, int c, int n)
    {
        for (int i = 0; i < n; i++)
        {
            double d = (double)v[a + i] - v[c + i];
            sum += d * d;
        }
        return sum;
    }
}
