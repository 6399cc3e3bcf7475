namespace Microsoft.ML.R2DN.Engine.LinearAlgebra;

/// <summary>Cholesky factorisation A = LLᵀ of a symmetric positive definite matrix.</summary>
public sealed class CholeskyDecomposition
{
    private readonly Matrix _l;

    /// <summary>Factorises <paramref name="a"/> (only its lower triangle is read).</summary>
    /// <exception cref="ArgumentException">The matrix is not square, or not positive definite.</exception>
    public CholeskyDecomposition(Matrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rows != a.Columns)
            throw new ArgumentException($"Cholesky needs a square matrix, got {a.Rows}x{a.Columns}.", nameof(a));
        int n = a.Rows;
        _l = new Matrix(n, n);
        var l = _l.Data;
        for (int j = 0; j < n; j++)
        {
            double s = a[j, j];
            for (int k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
            if (!(s > 0))
                throw new ArgumentException($"The matrix is not positive definite (pivot {j} is {s:G4}).", nameof(a));
            double d = Math.Sqrt(s);
            l[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double t = a[i, j];
                for (int k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = t / d;
            }
        }
    }

    /// <summary>The lower-triangular factor L.</summary>
    public Matrix Lower => _l.Clone();

    /// <summary>The upper-triangular factor U = Lᵀ, so that A = UᵀU (the convention of MODELS.md 3.2).</summary>
    public Matrix Upper => _l.Transpose();

    /// <summary>Solves A·X = B.</summary>
    public Matrix Solve(Matrix b)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = _l.Rows, m = b.Columns;
        if (b.Rows != n)
            throw new ArgumentException($"The right-hand side has {b.Rows} rows; the matrix has order {n}.", nameof(b));
        var x = b.Clone();
        var l = _l.Data; var d = x.Data;
        for (int c = 0; c < m; c++)
        {
            for (int i = 0; i < n; i++)
            {
                double s = d[i * m + c];
                for (int k = 0; k < i; k++) s -= l[i * n + k] * d[k * m + c];
                d[i * m + c] = s / l[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = d[i * m + c];
                for (int k = i + 1; k < n; k++) s -= l[k * n + i] * d[k * m + c];
                d[i * m + c] = s / l[i * n + i];
            }
        }
        return x;
    }
}
