using System.Numerics.Tensors;

namespace Microsoft.ML.R2DN.Engine.LinearAlgebra;

/// <summary>
/// LU factorisation with partial pivoting, PA = LU, for solving with the non-symmetric matrices of the
/// parameterisations (E, I + Z) without ever forming an inverse (MODELS.md 6.1).
/// </summary>
public sealed class LuDecomposition
{
    private readonly double[] _lu;
    private readonly int[] _pivot;

    /// <summary>Factorises the square matrix <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    /// <exception cref="InvalidOperationException">The matrix is singular to working precision.</exception>
    public LuDecomposition(Matrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rows != a.Columns)
            throw new ArgumentException($"LU needs a square matrix, got {a.Rows}x{a.Columns}.", nameof(a));
        int n = Size = a.Rows;
        _lu = (double[])a.Data.Clone();
        _pivot = new int[n];
        for (int k = 0; k < n; k++)
        {
            int p = k;
            double best = Math.Abs(_lu[k * n + k]);
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(_lu[i * n + k]);
                if (v > best) { best = v; p = i; }
            }
            if (!(best > 0))
                throw new InvalidOperationException($"The matrix is singular (pivot {k} is zero or not finite).");
            _pivot[k] = p;
            if (p != k) SwapRows(_lu.AsSpan(k * n, n), _lu.AsSpan(p * n, n));
            double inv = 1.0 / _lu[k * n + k];
            var rowK = _lu.AsSpan(k * n + k + 1, n - k - 1);
            for (int i = k + 1; i < n; i++)
            {
                double l = _lu[i * n + k] *= inv;
                var rowI = _lu.AsSpan(i * n + k + 1, n - k - 1);
                if (l != 0) TensorPrimitives.MultiplyAdd(rowK, -l, rowI, rowI);
            }
        }
    }

    /// <summary>The order n.</summary>
    public int Size { get; }

    // Row target −= factor · row source, for rows of length m stored one after the other in d.
    private static void SubtractRow(double[] d, int m, int target, int source, double factor)
    {
        var t = d.AsSpan(target * m, m);
        TensorPrimitives.MultiplyAdd(d.AsSpan(source * m, m), -factor, t, t);
    }

    private static void ScaleRow(double[] d, int m, int row, double factor)
    {
        var r = d.AsSpan(row * m, m);
        TensorPrimitives.Multiply(r, factor, r);
    }

    /// <summary>Solves A·X = B.</summary>
    public Matrix Solve(Matrix b)
    {
        CheckRhs(b);
        int n = Size, m = b.Columns;
        var x = b.Clone();
        var d = x.Data;
        for (int k = 0; k < n; k++) if (_pivot[k] != k) SwapRows(d.AsSpan(k * m, m), d.AsSpan(_pivot[k] * m, m));
        // L y = Pb (unit lower), then U x = y.
        for (int i = 0; i < n; i++)
            for (int k = 0; k < i; k++)
            {
                double l = _lu[i * n + k];
                if (l != 0) SubtractRow(d, m, i, k, l);
            }
        for (int i = n - 1; i >= 0; i--)
        {
            for (int k = i + 1; k < n; k++)
            {
                double u = _lu[i * n + k];
                if (u != 0) SubtractRow(d, m, i, k, u);
            }
            ScaleRow(d, m, i, 1.0 / _lu[i * n + i]);
        }
        return x;
    }

    /// <summary>Solves Aᵀ·X = B (used by reverse-mode rules: the adjoint of X = A⁻¹B is A⁻ᵀ·dX).</summary>
    public Matrix SolveTransposed(Matrix b)
    {
        CheckRhs(b);
        int n = Size, m = b.Columns;
        // Aᵀ = Uᵀ Lᵀ P, so solve Uᵀ z = b, Lᵀ y = z, x = Pᵀ y.
        var x = b.Clone();
        var d = x.Data;
        for (int i = 0; i < n; i++)
        {
            ScaleRow(d, m, i, 1.0 / _lu[i * n + i]);
            for (int k = i + 1; k < n; k++)
            {
                double u = _lu[i * n + k];
                if (u != 0) SubtractRow(d, m, k, i, u);
            }
        }
        for (int i = n - 1; i >= 0; i--)
            for (int k = 0; k < i; k++)
            {
                double l = _lu[i * n + k];
                if (l != 0) SubtractRow(d, m, k, i, l);
            }
        for (int k = n - 1; k >= 0; k--) if (_pivot[k] != k) SwapRows(d.AsSpan(k * m, m), d.AsSpan(_pivot[k] * m, m));
        return x;
    }

    /// <summary>
    /// Reverse-mode rule for solves with this factorisation: for X_k = A⁻¹R_k, given dX_k, returns dR_k = A⁻ᵀdX_k and
    /// dA = −Σ_k dR_k·X_kᵀ (one transposed solve for all right-hand sides together).
    /// </summary>
    public (Matrix[] dRhs, Matrix dA) SolveAdjoint(IReadOnlyList<Matrix> solutions, IReadOnlyList<Matrix> dSolutions)
    {
        ArgumentNullException.ThrowIfNull(solutions);
        ArgumentNullException.ThrowIfNull(dSolutions);
        if (solutions.Count != dSolutions.Count)
            throw new ArgumentException("One adjoint is needed per solution.", nameof(dSolutions));
        var dR = SolveTransposed(Matrix.ConcatenateColumns(dSolutions));
        var dA = -1.0 * Matrix.MultiplyTransposed(dR, Matrix.ConcatenateColumns(solutions));
        var parts = new Matrix[solutions.Count];
        for (int k = 0, c = 0; k < parts.Length; c += solutions[k].Columns, k++)
            parts[k] = dR.Block(0, c, Size, solutions[k].Columns);
        return (parts, dA);
    }

    private static void SwapRows(Span<double> a, Span<double> b)
    {
        for (int i = 0; i < a.Length; i++) (a[i], b[i]) = (b[i], a[i]);
    }

    private void CheckRhs(Matrix b)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (b.Rows != Size)
            throw new ArgumentException($"The right-hand side has {b.Rows} rows; the matrix has order {Size}.",
                                        nameof(b));
    }
}
