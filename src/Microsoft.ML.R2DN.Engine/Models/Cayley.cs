namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The Cayley transform of MODELS.md 2.1 with its reverse-mode rule. For W = [U; V] ((n+m)×n), with
/// Z = U − Uᵀ + VᵀV, it gives Aᵀ = (I+Z)⁻¹(I−Z) (n×n) and B = −2(I+Z)⁻ᵀVᵀ (n×m), so that AAᵀ + BBᵀ = I.
/// I + Z is always invertible: its symmetric part is I + VᵀV ≻ 0.
/// </summary>
internal sealed class Cayley
{
    private readonly LuDecomposition _lu;   // of M = I + Z
    private readonly Matrix _v;             // m×n

    /// <summary>Transforms <paramref name="w"/> ((n+m)×n).</summary>
    public Cayley(Matrix w)
    {
        int n = w.Columns, m = w.Rows - n;
        if (m < 0)
            throw new ArgumentException(
                $"The Cayley transform needs at least as many rows as columns, got {w.Rows}x{w.Columns}.", nameof(w));
        var u = w.Block(0, 0, n, n);
        _v = w.Block(n, 0, m, n);
        var z = u - u.Transpose() + Matrix.TransposeMultiply(_v, _v);
        var id = Matrix.Identity(n);
        _lu = new LuDecomposition(id + z);
        AT = _lu.Solve(id - z);
        B = -2.0 * _lu.SolveTransposed(_v.Transpose());
    }

    /// <summary>Aᵀ (the code's A_T), n×n.</summary>
    public Matrix AT { get; }

    /// <summary>B = (B_T)ᵀ, n×m.</summary>
    public Matrix B { get; }

    /// <summary>Maps the adjoints of <see cref="AT"/> and <see cref="B"/> (either may be null) to the adjoint of
    /// W.</summary>
    public Matrix Backward(Matrix? dAT, Matrix? dB)
    {
        int n = AT.Rows, m = _v.Rows;
        var dM = new Matrix(n, n);
        var dZ = new Matrix(n, n);
        var dV = new Matrix(m, n);
        if (dAT is not null)
        {
            // Aᵀ = M⁻¹N with N = I − Z: dN = M⁻ᵀ dAᵀ, dM = −dN·A_Tᵀ... written with the solve's adjoint.
            var dN = _lu.SolveTransposed(dAT);
            dM.AddScaled(Matrix.MultiplyTransposed(dN, AT), -1);
            dZ.AddScaled(dN, -1);
        }
        if (dB is not null)
        {
            // B = −2Q with MᵀQ = Vᵀ: dQ = −2dB, d(Vᵀ) = M⁻¹dQ, dM = −Q(M⁻¹dQ)ᵀ.
            var r = _lu.Solve(-2.0 * dB);
            dV.AddScaled(r.Transpose());
            var q = -0.5 * B;
            dM.AddScaled(Matrix.MultiplyTransposed(q, r), -1);
        }
        dZ.AddScaled(dM);
        // Z = U − Uᵀ + VᵀV.
        var dW = new Matrix(n + m, n);
        dW.SetBlock(0, 0, dZ - dZ.Transpose());
        dV.AddScaled(_v * (dZ + dZ.Transpose()));
        dW.SetBlock(n, 0, dV);
        return dW;
    }
}
