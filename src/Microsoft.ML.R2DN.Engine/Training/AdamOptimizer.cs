using System.Numerics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>
/// The Adam optimiser with the semantics of <c>optax.adam</c>: bias-corrected moments and the update
/// <c>p ← p − lr · m̂ / (√v̂ + ε)</c>, where the step count used for bias correction starts at 1 on the first step.
/// </summary>
/// <remarks>
/// <para>Per element, with gradient g and step count t (after increment):
/// <c>m ← β₁ m + (1 − β₁) g</c>, <c>v ← β₂ v + (1 − β₂) g²</c>, <c>m̂ = m / (1 − β₁ᵗ)</c>,
/// <c>v̂ = v / (1 − β₂ᵗ)</c>, <c>p ← p − lr · m̂ / (√v̂ + ε)</c>.</para>
/// <para>The update is element-wise, so it is bit-identical whatever SIMD width the machine has.
/// <see cref="Step"/> allocates nothing. Instances are not thread-safe.</para>
/// </remarks>
public sealed class AdamOptimizer
{
    private readonly double[] _m;
    private readonly double[] _v;

    /// <summary>Creates an optimiser for <paramref name="parameterCount"/> parameters with zero moments.</summary>
    /// <param name="parameterCount">Number of parameters, at least 0.</param>
    /// <param name="beta1">First-moment decay β₁, in [0, 1). Default 0.9.</param>
    /// <param name="beta2">Second-moment decay β₂, in [0, 1). Default 0.999.</param>
    /// <param name="epsilon">ε added to √v̂, finite and &gt; 0. Default 1e-8.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its valid range.</exception>
    public AdamOptimizer(int parameterCount, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must lie in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must lie in [0, 1).");
        if (!(epsilon > 0 && double.IsFinite(epsilon)))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and > 0.");
        ParameterCount = parameterCount;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _m = new double[parameterCount];
        _v = new double[parameterCount];
    }

    /// <summary>Number of parameters this optimiser updates.</summary>
    public int ParameterCount { get; }

    /// <summary>First-moment decay β₁, in [0, 1).</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay β₂, in [0, 1).</summary>
    public double Beta2 { get; }

    /// <summary>ε added to √v̂ (finite, &gt; 0).</summary>
    public double Epsilon { get; }

    /// <summary>Number of steps taken so far (0 before the first <see cref="Step"/>). The next step uses t =
    /// StepCount + 1.</summary>
    public long StepCount { get; private set; }

    /// <summary>The first moment m (length <see cref="ParameterCount"/>), for checkpointing.</summary>
    public ReadOnlySpan<double> FirstMoment => _m;

    /// <summary>The second moment v (length <see cref="ParameterCount"/>), for checkpointing.</summary>
    public ReadOnlySpan<double> SecondMoment => _v;

    /// <summary>Zeroes both moments and the step count.</summary>
    public void Reset()
    {
        Array.Clear(_m);
        Array.Clear(_v);
        StepCount = 0;
    }

    /// <summary>Copies the moments into the given spans and returns the step count, for checkpointing.</summary>
    /// <param name="firstMoment">Receives m; length must be <see cref="ParameterCount"/>.</param>
    /// <param name="secondMoment">Receives v; length must be <see cref="ParameterCount"/>.</param>
    /// <returns><see cref="StepCount"/>.</returns>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public long GetState(Span<double> firstMoment, Span<double> secondMoment)
    {
        CheckLength(firstMoment.Length, nameof(firstMoment));
        CheckLength(secondMoment.Length, nameof(secondMoment));
        _m.CopyTo(firstMoment);
        _v.CopyTo(secondMoment);
        return StepCount;
    }

    /// <summary>Restores a state saved by <see cref="GetState"/>.</summary>
    /// <param name="stepCount">Number of steps already taken, at least 0.</param>
    /// <param name="firstMoment">m; length <see cref="ParameterCount"/>, all values finite.</param>
    /// <param name="secondMoment">v; length <see cref="ParameterCount"/>, all values finite and ≥ 0.</param>
    /// <exception cref="ArgumentException">A span has the wrong length or holds an invalid value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepCount"/> is negative.</exception>
    public void SetState(long stepCount, ReadOnlySpan<double> firstMoment, ReadOnlySpan<double> secondMoment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        CheckLength(firstMoment.Length, nameof(firstMoment));
        CheckLength(secondMoment.Length, nameof(secondMoment));
        for (int i = 0; i < firstMoment.Length; i++)
        {
            if (!double.IsFinite(firstMoment[i]))
                throw new ArgumentException($"firstMoment[{i}] = {firstMoment[i]} is not finite.", nameof(firstMoment));
            if (!(secondMoment[i] >= 0) || !double.IsFinite(secondMoment[i]))
                throw new ArgumentException($"secondMoment[{i}] = {secondMoment[i]} is not finite and ≥ 0.",
                                            nameof(secondMoment));
        }
        firstMoment.CopyTo(_m);
        secondMoment.CopyTo(_v);
        StepCount = stepCount;
    }

    /// <summary>Takes one Adam step in place: increments <see cref="StepCount"/> and
    /// updates <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters, length <see cref="ParameterCount"/>; updated in place.</param>
    /// <param name="gradient">The gradient, length <see cref="ParameterCount"/>.</param>
    /// <param name="learningRate">Step size, finite and ≥ 0.</param>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not
    /// finite.</exception>
    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient, double learningRate)
    {
        CheckLength(parameters.Length, nameof(parameters));
        CheckLength(gradient.Length, nameof(gradient));
        if (!(learningRate >= 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate,
                                                  "The learning rate must be finite and ≥ 0.");

        long t = StepCount + 1;
        double b1 = Beta1, b2 = Beta2, c1 = 1 - b1, c2 = 1 - b2, eps = Epsilon, lr = learningRate;
        double bc1 = 1 - Math.Pow(b1, t);
        double bc2 = 1 - Math.Pow(b2, t);

        Span<double> m = _m, v = _v;
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            var vb1 = new Vector<double>(b1);
            var vb2 = new Vector<double>(b2);
            var vc1 = new Vector<double>(c1);
            var vc2 = new Vector<double>(c2);
            var vbc1 = new Vector<double>(bc1);
            var vbc2 = new Vector<double>(bc2);
            var veps = new Vector<double>(eps);
            var vlr = new Vector<double>(lr);
            var mv = MemoryMarshal.Cast<double, Vector<double>>(m);
            var vv = MemoryMarshal.Cast<double, Vector<double>>(v);
            var pv = MemoryMarshal.Cast<double, Vector<double>>(parameters);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(gradient);
            for (int k = 0; k < pv.Length; k++)
            {
                var g = gv[k];
                var mk = vb1 * mv[k] + vc1 * g;
                var vk = vb2 * vv[k] + vc2 * (g * g);
                mv[k] = mk;
                vv[k] = vk;
                var ratio = (mk / vbc1) / (Vector.SquareRoot(vk / vbc2) + veps);
                pv[k] = pv[k] - vlr * ratio;
            }
            i = pv.Length * Vector<double>.Count;
        }
        for (; i < n; i++)
        {
            double g = gradient[i];
            double mk = b1 * m[i] + c1 * g;
            double vk = b2 * v[i] + c2 * (g * g);
            m[i] = mk;
            v[i] = vk;
            double ratio = (mk / bc1) / (Math.Sqrt(vk / bc2) + eps);
            parameters[i] = parameters[i] - lr * ratio;
        }
        StepCount = t;
    }

    private void CheckLength(int length, string name)
    {
        if (length != ParameterCount)
            throw new ArgumentException($"Expected length {ParameterCount} (the parameter count), got {length}.", name);
    }
}
