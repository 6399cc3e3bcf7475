namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// Direct-to-explicit map of one Sandwich layer (MODELS.md 1.3, 2.6) from m inputs to n outputs, and its adjoint.
/// </summary>
/// <remarks>
/// Direct parameters: XY ((m+n)×n), a (scalar), d (n), b (n). With W = a·XY/‖XY‖, (Aᵀ, B) = cayley(W) and
/// ψ = exp(clip(d, −20, 20)), the layer is h⁺ = √2·AᵀΨ·σ(√2·Ψ⁻¹B·h + b). In batch-row form this is
/// pre = h·W1ᵀ + b, h⁺ = σ(pre)·W2ᵀ with W1 = √2Ψ⁻¹B (n×m) and W2 = √2AᵀΨ (n×n).
/// A linear (output) layer is h⁺ = B·h + b and uses only B.
/// </remarks>
internal sealed class SandwichLayer
{
    internal const double DClip = 20;
    private static readonly double Sqrt2 = Math.Sqrt(2);
    private readonly Matrix _xy;
    private readonly double _a, _norm;
    private readonly double[] _d, _psi;
    private readonly Cayley _cayley;

    public SandwichLayer(Matrix xy, double a, ReadOnlySpan<double> d)
    {
        _xy = xy; _a = a; _d = d.ToArray();
        _norm = Math.Sqrt(xy.SumOfSquares() + Numerics.Epsilon);
        _cayley = new Cayley((a / _norm) * xy);
        int n = xy.Columns;
        _psi = new double[n];
        for (int i = 0; i < n; i++) _psi[i] = Math.Exp(Math.Clamp(_d[i], -DClip, DClip));
        var b = _cayley.B; var at = _cayley.AT;
        W1 = new Matrix(b.Rows, b.Columns);
        for (int i = 0; i < b.Rows; i++)
            for (int j = 0; j < b.Columns; j++) W1[i, j] = Sqrt2 * b[i, j] / _psi[i];
        W2 = new Matrix(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) W2[i, j] = Sqrt2 * at[i, j] * _psi[j];
    }

    /// <summary>√2Ψ⁻¹B, n×m.</summary>
    public Matrix W1 { get; }

    /// <summary>√2AᵀΨ, n×n.</summary>
    public Matrix W2 { get; }

    /// <summary>B, n×m (the weight of a linear layer).</summary>
    public Matrix B => _cayley.B;

    /// <summary>Aᵀ, n×n.</summary>
    public Matrix AT => _cayley.AT;

    /// <summary>
    /// Adjoint: given dL/dW1, dL/dW2 and dL/dB (any may be null), returns dL/dXY, dL/da and writes dL/dd into
    /// <paramref name="dd"/> (overwritten).
    /// </summary>
    public (Matrix dXY, double da) Backward(Matrix? dW1, Matrix? dW2, Matrix? dB, Span<double> dd)
    {
        int n = _psi.Length;
        var dPsi = new double[n];
        var b = _cayley.B; var at = _cayley.AT;
        Matrix? dBtotal = dB?.Clone();
        if (dW1 is not null)
        {
            dBtotal ??= new Matrix(b.Rows, b.Columns);
            for (int i = 0; i < b.Rows; i++)
                for (int j = 0; j < b.Columns; j++)
                {
                    dBtotal[i, j] += Sqrt2 * dW1[i, j] / _psi[i];
                    dPsi[i] -= Sqrt2 * b[i, j] * dW1[i, j] / (_psi[i] * _psi[i]);
                }
        }
        Matrix? dAT = null;
        if (dW2 is not null)
        {
            dAT = new Matrix(n, n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    dAT[i, j] = Sqrt2 * dW2[i, j] * _psi[j];
                    dPsi[j] += Sqrt2 * at[i, j] * dW2[i, j];
                }
        }
        for (int i = 0; i < n; i++)
            dd[i] = Math.Abs(_d[i]) <= DClip ? dPsi[i] * _psi[i] : 0;

        var dW = _cayley.Backward(dAT, dBtotal);
        // W = (a/‖XY‖)·XY with ‖XY‖ = sqrt(ΣXY² + ε).
        double g = Matrix.Dot(dW, _xy);
        double c = _a / _norm;
        var dXY = (c * dW).AddScaled(_xy, -_a * g / (_norm * _norm * _norm));
        return (dXY, g / _norm);
    }
}
