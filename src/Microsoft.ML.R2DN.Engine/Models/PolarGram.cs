namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// H₀ = p²/l2_norm(X)²·XᵀX + εI (MODELS.md 2.1, polar parameterisation), symmetric positive definite for every X and p,
/// and its adjoint. l2_norm(X)² = ΣX² + ε, so H₀ does not change when X is rescaled and p sets the scale.
/// </summary>
internal sealed class PolarGram
{
    private readonly Matrix _x, _xtx;
    private readonly double _p, _sumSquares;

    public PolarGram(Matrix x, double p)
    {
        _x = x; _p = p;
        _sumSquares = x.SumOfSquares() + Numerics.Epsilon;
        _xtx = Matrix.TransposeMultiply(x, x);
        H0 = (p * p / _sumSquares) * _xtx;
        for (int i = 0; i < H0.Rows; i++) H0[i, i] += Numerics.Epsilon;
    }

    /// <summary>H₀ (a fresh matrix the caller may add to).</summary>
    public Matrix H0 { get; }

    /// <summary>Adjoint: dL/dH₀ (any matrix, not assumed symmetric) → (dL/dX, dL/dp).</summary>
    public (Matrix dX, double dp) Backward(Matrix dH)
    {
        double scale = _p * _p / _sumSquares;
        double dScale = Matrix.Dot(dH, _xtx);
        double radial = -2.0 * dScale * _p * _p / (_sumSquares * _sumSquares);
        var dX = (scale * (_x * (dH + dH.Transpose()))).AddScaled(_x, radial);
        return (dX, dScale * 2.0 * _p / _sumSquares);
    }

    /// <summary>l2_norm(X) = sqrt(ΣX² + ε), the initial value of p.</summary>
    public static double L2Norm(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += v * v;
        return Math.Sqrt(s + Numerics.Epsilon);
    }
}
