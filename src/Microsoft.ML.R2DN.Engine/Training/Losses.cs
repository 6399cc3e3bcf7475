namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>
/// The paper's F16 loss (MODELS.md §4.1): <c>L = (1/T)·Σ_t (Σ_{b,c} (y − ŷ)² + ε)</c>, a mean over time of the
/// squared error summed over batch and channels, with ε = 2⁻²³ by default. Its gradient is <c>2(ŷ − y)/T</c>.
/// </summary>
/// <remarks>Sums are accumulated in double precision in a fixed order, so results are reproducible. Stateless and
/// thread-safe.</remarks>
public sealed class SumSquaredErrorMeanOverTime : ISequenceLoss
{
    /// <summary>The paper's ε: float32 machine epsilon, 2⁻²³ ≈ 1.19e-7.</summary>
    public const double DefaultEpsilon = 1.0 / (1 << 23);

    /// <summary>Creates the loss.</summary>
    /// <param name="epsilon">ε added per time step, finite and ≥ 0. Default 2⁻²³.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or not finite.</exception>
    public SumSquaredErrorMeanOverTime(double epsilon = DefaultEpsilon)
    {
        if (!(epsilon >= 0) || !double.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and ≥ 0.");
        Epsilon = epsilon;
    }

    /// <summary>ε added to each time step's summed squared error (finite, ≥ 0).</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public double Evaluate(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int timeSteps, int batch,
                           int outputs, Span<float> gradient)
    {
        LossShapes.Check(predicted, target, timeSteps, batch, outputs, gradient);
        double sum = 0;
        double scale = 2.0 / timeSteps;
        for (int k = 0; k < predicted.Length; k++)
        {
            double d = (double)predicted[k] - target[k];
            sum += d * d;
            gradient[k] = (float)(scale * d);
        }
        return (sum + timeSteps * Epsilon) / timeSteps;
    }

    /// <inheritdoc />
    public override string ToString() => $"SumSquaredErrorMeanOverTime(eps={Epsilon:R})";
}

/// <summary>The mean squared error over every element: <c>L = mean((ŷ − y)²)</c>, gradient <c>2(ŷ − y)/N</c> with N =
/// T·B·ny.</summary>
/// <remarks>Sums are accumulated in double precision in a fixed order. Stateless and thread-safe.</remarks>
public sealed class MeanSquaredError : ISequenceLoss
{
    /// <inheritdoc />
    public double Evaluate(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int timeSteps, int batch,
                           int outputs, Span<float> gradient)
    {
        LossShapes.Check(predicted, target, timeSteps, batch, outputs, gradient);
        double sum = 0;
        double n = predicted.Length;
        double scale = 2.0 / n;
        for (int k = 0; k < predicted.Length; k++)
        {
            double d = (double)predicted[k] - target[k];
            sum += d * d;
            gradient[k] = (float)(scale * d);
        }
        return sum / n;
    }

    /// <inheritdoc />
    public override string ToString() => "MeanSquaredError";
}

/// <summary>Evaluation metrics over [T, B, ny] sequences.</summary>
public static class Metrics
{
    /// <summary>
    /// The normalised RMSE of MODELS.md §4.1: <c>√(mean((y − ŷ)²) / mean(y²))</c>, one scalar over the time steps
    /// t ≥ <paramref name="washout"/> and every sequence and channel. It is a fraction (×100 gives the paper's %).
    /// </summary>
    /// <param name="predicted">ŷ, shape [timeSteps, batch, outputs].</param>
    /// <param name="target">y, same shape.</param>
    /// <param name="timeSteps">T, at least 1.</param>
    /// <param name="batch">B, at least 1.</param>
    /// <param name="outputs">ny, at least 1.</param>
    /// <param name="washout">Leading time steps to discard, in [0, T).</param>
    /// <returns>The NRMSE; +∞ or NaN when the kept targets are all zero.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the washout is out of range.</exception>
    public static double Nrmse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int timeSteps, int batch,
                               int outputs, int washout = 0)
    {
        LossShapes.CheckSizes(predicted, target, timeSteps, batch, outputs);
        ArgumentOutOfRangeException.ThrowIfNegative(washout);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(washout, timeSteps);
        int start = washout * batch * outputs;
        double num = 0, den = 0;
        for (int k = start; k < predicted.Length; k++)
        {
            double y = target[k];
            double d = y - predicted[k];
            num += d * d;
            den += y * y;
        }
        return Math.Sqrt(num / den);
    }
}

internal static class LossShapes
{
    public static void CheckSizes(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int timeSteps, int batch,
                                  int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        long n = (long)timeSteps * batch * outputs;
        if (predicted.Length != n)
            throw new ArgumentException($"Expected length T·B·ny = {n}, got {predicted.Length}.", nameof(predicted));
        if (target.Length != n)
            throw new ArgumentException($"Expected length T·B·ny = {n}, got {target.Length}.", nameof(target));
    }

    public static void Check(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int timeSteps, int batch,
                             int outputs, Span<float> gradient)
    {
        CheckSizes(predicted, target, timeSteps, batch, outputs);
        if (gradient.Length != predicted.Length)
            throw new ArgumentException($"Expected length T·B·ny = {predicted.Length}, got {gradient.Length}.",
                                        nameof(gradient));
    }
}
