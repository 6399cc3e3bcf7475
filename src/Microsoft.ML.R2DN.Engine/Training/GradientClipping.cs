using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>How the trainer clips a gradient before the optimiser step.</summary>
public enum ClipMode
{
    /// <summary>No clipping.</summary>
    None = 0,

    /// <summary>Each entry is clipped to [−c, c] (<c>optax.clip</c>; the paper's default, MODELS.md §6.9).</summary>
    ElementWise = 1,

    /// <summary>The whole gradient is rescaled so that its Euclidean norm is at most c
    /// (<c>optax.clip_by_global_norm</c>).</summary>
    GlobalNorm = 2,
}

/// <summary>Gradient clipping in place. Nothing here allocates.</summary>
public static class GradientClipping
{
    /// <summary>Clips <paramref name="gradient"/> in place as <paramref name="mode"/> says.</summary>
    /// <param name="mode">The clipping rule.</param>
    /// <param name="gradient">The gradient; modified in place.</param>
    /// <param name="value">The clip value c, finite and &gt; 0 (ignored for <see cref="ClipMode.None"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is undefined or <paramref name="value"/>
    /// is out of range.</exception>
    public static void Apply(ClipMode mode, Span<double> gradient, double value)
    {
        switch (mode)
        {
            case ClipMode.None:
                return;
            case ClipMode.ElementWise:
                ClipElementWise(gradient, value);
                return;
            case ClipMode.GlobalNorm:
                ClipByGlobalNorm(gradient, value);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown clip mode.");
        }
    }

    /// <summary>Clips every entry to [−<paramref name="maxAbs"/>, <paramref name="maxAbs"/>]
    /// (<c>optax.clip</c>).</summary>
    /// <param name="gradient">The gradient; modified in place. Entries should be finite (NaN handling is
    /// unspecified).</param>
    /// <param name="maxAbs">The bound c, finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAbs"/> is not finite and positive.</exception>
    public static void ClipElementWise(Span<double> gradient, double maxAbs)
    {
        CheckValue(maxAbs, nameof(maxAbs));
        int i = 0;
        if (Vector.IsHardwareAccelerated && gradient.Length >= Vector<double>.Count)
        {
            var hi = new Vector<double>(maxAbs);
            var lo = new Vector<double>(-maxAbs);
            var gv = MemoryMarshal.Cast<double, Vector<double>>(gradient);
            for (int k = 0; k < gv.Length; k++)
                gv[k] = Vector.Min(Vector.Max(gv[k], lo), hi);
            i = gv.Length * Vector<double>.Count;
        }
        for (; i < gradient.Length; i++)
            gradient[i] = Math.Clamp(gradient[i], -maxAbs, maxAbs);
    }

    /// <summary>
    /// Rescales the gradient by <c>maxNorm / ‖g‖₂</c> when its Euclidean norm exceeds <paramref name="maxNorm"/>
    /// (<c>optax.clip_by_global_norm</c>); otherwise leaves it unchanged.
    /// </summary>
    /// <param name="gradient">The gradient; modified in place.</param>
    /// <param name="maxNorm">The largest allowed norm, finite and &gt; 0.</param>
    /// <returns>The norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not finite and positive.</exception>
    public static double ClipByGlobalNorm(Span<double> gradient, double maxNorm)
    {
        CheckValue(maxNorm, nameof(maxNorm));
        double norm = GlobalNorm(gradient);
        if (norm > maxNorm)
            TensorPrimitives.Multiply(gradient, maxNorm / norm, gradient);
        return norm;
    }

    /// <summary>The Euclidean norm √(Σ gᵢ²). The summation order is fixed for a given machine, so the result is
    /// reproducible.</summary>
    /// <param name="gradient">The vector.</param>
    public static double GlobalNorm(ReadOnlySpan<double> gradient) =>
        Math.Sqrt(TensorPrimitives.SumOfSquares(gradient));

    /// <summary>Whether every entry of <paramref name="values"/> is finite (no NaN, no ±∞).</summary>
    /// <param name="values">The values to check.</param>
    public static bool AllFinite(ReadOnlySpan<double> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<double>.Count)
        {
            var vv = MemoryMarshal.Cast<double, Vector<double>>(values);
            var acc = Vector<double>.Zero;
            for (int k = 0; k < vv.Length; k++)
                acc += vv[k] - vv[k]; // 0 for finite entries, NaN for NaN or ±∞
            if (!Vector.EqualsAll(acc, Vector<double>.Zero)) return false;
            i = vv.Length * Vector<double>.Count;
        }
        for (; i < values.Length; i++)
            if (!double.IsFinite(values[i])) return false;
        return true;
    }

    private static void CheckValue(double value, string name)
    {
        if (!(value > 0) || !double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, "The clip value must be finite and > 0.");
    }
}
