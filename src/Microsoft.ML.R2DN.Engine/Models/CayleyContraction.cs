namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// A rows×cols matrix N with ‖N‖₂ &lt; 1 built from free parameters (X, Y, Z) (MODELS.md 2.3, "Eqns 31–33"), and its
/// adjoint.
/// </summary>
/// <remarks>
/// With d = min(rows, cols), X and Y d×d and Z |rows − cols|×d: M = XᵀX + Y − Yᵀ + ZᵀZ + εI_d, then
/// N = [(I−M)(I+M)⁻¹; −2Z(I+M)⁻¹] when rows ≥ cols, else N = [(I+M)⁻¹(I−M), −2(I+M)⁻¹Zᵀ].
/// The identity is sized d (the reference JAX code sizes it ny, a bug when ny &gt; nu: MODELS.md 6.7).
/// </remarks>
internal sealed class CayleyContraction
{
    private readonly Matrix _x, _y, _z, _s;
    private readonly LuDecomposition _lu; // of I + M
    private readonly bool _tall;

    public CayleyContraction(Matrix x, Matrix y, Matrix z, int rows, int cols)
    {
        int d = Math.Min(rows, cols);
        int extra = Math.Abs(rows - cols);
        if (x.Rows != d || x.Columns != d || y.Rows != d || y.Columns != d || z.Rows != extra || z.Columns != d)
            throw new ArgumentException($"A {rows}x{cols} contraction needs X, Y {d}x{d} and Z {extra}x{d}.");
        _x = x; _y = y; _z = z; _tall = rows >= cols;
        var m = Matrix.TransposeMultiply(x, x) + y - y.Transpose() + Matrix.TransposeMultiply(z, z);
        for (int i = 0; i < d; i++) m[i, i] += Numerics.Epsilon;
        var id = Matrix.Identity(d);
        _lu = new LuDecomposition(id + m);
        if (_tall)
        {
            // N = S·(I+M)⁻¹ with S = [I − M; −2Z]: Nᵀ = (I+M)⁻ᵀSᵀ.
            _s = new Matrix(rows, d);
            _s.SetBlock(0, 0, id - m);
            _s.SetBlock(d, 0, -2.0 * z);
            N = _lu.SolveTransposed(_s.Transpose()).Transpose();
        }
        else
        {
            // N = (I+M)⁻¹·S with S = [I − M, −2Zᵀ].
            _s = new Matrix(d, cols);
            _s.SetBlock(0, 0, id - m);
            _s.SetBlock(0, d, -2.0 * z.Transpose());
            N = _lu.Solve(_s);
        }
    }

    /// <summary>The contraction N (rows × cols).</summary>
    public Matrix N { get; }

    /// <summary>Adjoint: dL/dN → (dL/dX, dL/dY, dL/dZ).</summary>
    public (Matrix dX, Matrix dY, Matrix dZ) Backward(Matrix dN)
    {
        int d = _x.Rows;
        Matrix dS, dIpM;
        if (_tall)
        {
            // N = S·K, K = (I+M)⁻¹: dS = dN·Kᵀ = (K⁻ᵀ… solved), dK = Sᵀ·dN,
            // d(I+M) = −Kᵀ·dK·Kᵀ = −Kᵀ·Sᵀ·dN·Kᵀ = −Kᵀ·Sᵀ·dS.
            dS = _lu.Solve(dN.Transpose()).Transpose();          // dN·(I+M)⁻ᵀ
            dIpM = -1.0 * Matrix.TransposeMultiply(N, dS);         // −Nᵀ·dS
        }
        else
        {
            // N = K·S: dS = Kᵀ·dN, dK = dN·Sᵀ, d(I+M) = −Kᵀ·dN·Sᵀ·Kᵀ = −dS·Nᵀ.
            dS = _lu.SolveTransposed(dN);
            dIpM = -1.0 * Matrix.MultiplyTransposed(dS, N);
        }
        var dM = dIpM - (_tall ? dS.Block(0, 0, d, d) : dS.Block(0, 0, d, d));
        var dZ = _tall ? -2.0 * dS.Block(d, 0, dS.Rows - d, d) : -2.0 * dS.Block(0, d, d, dS.Columns - d).Transpose();
        var dMs = dM + dM.Transpose();
        var dX = _x * dMs;
        var dY = dM - dM.Transpose();
        dZ.AddScaled(_z * dMs);
        return (dX, dY, dZ);
    }
}
