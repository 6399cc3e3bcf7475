using Microsoft.ML.R2DN.Engine.Kernels;

namespace Microsoft.ML.R2DN.Engine.LinearAlgebra;

/// <summary>
/// A dense row-major float64 matrix for the direct-to-explicit parameter maps and certificate checks.
/// </summary>
/// <remarks>
/// These maps run once per sequence, not once per time step, so clarity wins over avoiding allocation here;
/// products still go through the SIMD <see cref="Gemm"/> kernel because the F16 model's maps multiply
/// 150×150 matrices several times per training step.
/// </remarks>
public sealed class Matrix
{
    /// <summary>Creates a zero matrix.</summary>
    public Matrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows; Columns = columns; Data = new double[rows * columns];
    }

    /// <summary>Wraps (copies) row-major values.</summary>
    public Matrix(int rows, int columns, ReadOnlySpan<double> values) : this(rows, columns)
    {
        if (values.Length != rows * columns)
            throw new ArgumentException(
                $"Expected {rows * columns} values for a {rows}x{columns} matrix, got {values.Length}.",
                nameof(values));
        values.CopyTo(Data);
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>The row-major values.</summary>
    public double[] Data { get; }

    /// <summary>Element (i, j).</summary>
    public double this[int i, int j]
    {
        get => Data[i * Columns + j];
        set => Data[i * Columns + j] = value;
    }

    /// <summary>The n×n identity.</summary>
    public static Matrix Identity(int n)
    {
        var m = new Matrix(n, n);
        for (int i = 0; i < n; i++) m.Data[i * n + i] = 1;
        return m;
    }

    /// <summary>A copy.</summary>
    public Matrix Clone() => new(Rows, Columns, Data);

    /// <summary>Aᵀ.</summary>
    public Matrix Transpose()
    {
        var t = new Matrix(Columns, Rows);
        Gemm.Transpose<double>(Rows, Columns, Data, Columns, t.Data, Rows);
        return t;
    }

    /// <summary>A·B.</summary>
    public static Matrix operator *(Matrix a, Matrix b) => MultiplyTransposed(a, b.Transpose());

    /// <summary>A·Bᵀ.</summary>
    public static Matrix MultiplyTransposed(Matrix a, Matrix b) =>
        Product(a, b, transposeA: false,
                static (m, n, k, x, ldx, y, ldy, z, ldz) => Gemm.MultiplyTransposed(m, n, k, x, ldx, y, ldy, z, ldz));

    /// <summary>Aᵀ·B.</summary>
    public static Matrix TransposeMultiply(Matrix a, Matrix b) =>
        Product(a, b, transposeA: true, Gemm.MultiplyTransposeA<double>);

    private delegate void ProductKernel(int m, int n, int k, ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b,
                                        int ldb, Span<double> c, int ldc);

    // A·Bᵀ and Aᵀ·B differ only in which sides are transposed; both kernels take row-major A and B as stored.
    private static Matrix Product(Matrix a, Matrix b, bool transposeA, ProductKernel kernel)
    {
        int inner = transposeA ? a.Rows : a.Columns;
        if (inner != (transposeA ? b.Rows : b.Columns))
            throw new ArgumentException(transposeA
                ? $"Inner dimensions differ: ({a.Rows}x{a.Columns})ᵀ times {b.Rows}x{b.Columns}."
                : $"Inner dimensions differ: {a.Rows}x{a.Columns} times ({b.Rows}x{b.Columns})ᵀ.");
        var c = new Matrix(transposeA ? a.Columns : a.Rows, transposeA ? b.Columns : b.Rows);
        kernel(c.Rows, c.Columns, inner, a.Data, a.Columns, b.Data, b.Columns, c.Data, c.Columns);
        return c;
    }

    /// <summary>A + B.</summary>
    public static Matrix operator +(Matrix a, Matrix b) => Combine(a, b, 1, 1);

    /// <summary>A − B.</summary>
    public static Matrix operator -(Matrix a, Matrix b) => Combine(a, b, 1, -1);

    /// <summary>s·A.</summary>
    public static Matrix operator *(double s, Matrix a)
    {
        var c = new Matrix(a.Rows, a.Columns);
        for (int i = 0; i < c.Data.Length; i++) c.Data[i] = s * a.Data[i];
        return c;
    }

    /// <summary>αA + βB.</summary>
    public static Matrix Combine(Matrix a, Matrix b, double alpha, double beta)
    {
        CheckSameShape(a, b);
        var c = new Matrix(a.Rows, a.Columns);
        for (int i = 0; i < c.Data.Length; i++) c.Data[i] = alpha * a.Data[i] + beta * b.Data[i];
        return c;
    }

    /// <summary>this += s·B (in place); returns this.</summary>
    public Matrix AddScaled(Matrix b, double s = 1)
    {
        CheckSameShape(this, b);
        for (int i = 0; i < Data.Length; i++) Data[i] += s * b.Data[i];
        return this;
    }

    /// <summary>Σ A∘B (the Frobenius inner product).</summary>
    public static double Dot(Matrix a, Matrix b)
    {
        CheckSameShape(a, b);
        double s = 0;
        for (int i = 0; i < a.Data.Length; i++) s += a.Data[i] * b.Data[i];
        return s;
    }

    /// <summary>Σ A²·</summary>
    public double SumOfSquares() => Dot(this, this);

    /// <summary>The rows×cols block starting at (r0, c0).</summary>
    public Matrix Block(int r0, int c0, int rows, int cols)
    {
        CheckBlock(r0, c0, rows, cols, nameof(rows));
        var b = new Matrix(rows, cols);
        for (int i = 0; i < rows; i++) Array.Copy(Data, (r0 + i) * Columns + c0, b.Data, i * cols, cols);
        return b;
    }

    /// <summary>this[r0.., c0..] += s·B (in place).</summary>
    public void AddBlock(int r0, int c0, Matrix b, double s = 1)
    {
        CheckBlock(r0, c0, b.Rows, b.Columns, nameof(b));
        for (int i = 0; i < b.Rows; i++)
            for (int j = 0; j < b.Columns; j++)
                Data[(r0 + i) * Columns + c0 + j] += s * b.Data[i * b.Columns + j];
    }

    /// <summary>this[r0.., c0..] = B (in place).</summary>
    public void SetBlock(int r0, int c0, Matrix b)
    {
        CheckBlock(r0, c0, b.Rows, b.Columns, nameof(b));
        for (int i = 0; i < b.Rows; i++) Array.Copy(b.Data, i * b.Columns, Data, (r0 + i) * Columns + c0, b.Columns);
    }

    private void CheckBlock(int r0, int c0, int rows, int cols, string parameter)
    {
        if (r0 < 0 || c0 < 0 || r0 + rows > Rows || c0 + cols > Columns)
            throw new ArgumentOutOfRangeException(parameter, "Block outside the matrix.");
    }

    /// <summary>[A₀ A₁ …]: the matrices side by side (all with the same number of rows).</summary>
    public static Matrix ConcatenateColumns(IReadOnlyList<Matrix> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("Nothing to concatenate.", nameof(parts));
        int rows = parts[0].Rows;
        var c = new Matrix(rows, parts.Sum(p => p.Columns));
        int col = 0;
        foreach (var p in parts)
        {
            if (p.Rows != rows) throw new ArgumentException($"Row counts differ: {rows} and {p.Rows}.", nameof(parts));
            c.SetBlock(0, col, p);
            col += p.Columns;
        }
        return c;
    }

    /// <summary>½(A + Aᵀ).</summary>
    public Matrix SymmetricPart()
    {
        if (Rows != Columns) throw new InvalidOperationException("The matrix is not square.");
        var s = new Matrix(Rows, Rows);
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Rows; j++)
                s.Data[i * Rows + j] = 0.5 * (Data[i * Rows + j] + Data[j * Rows + i]);
        return s;
    }

    /// <summary>max |a_ij|.</summary>
    public double MaxAbs()
    {
        double m = 0;
        foreach (var v in Data) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    private static void CheckSameShape(Matrix a, Matrix b)
    {
        if (a.Rows != b.Rows || a.Columns != b.Columns)
            throw new ArgumentException($"Shapes differ: {a.Rows}x{a.Columns} and {b.Rows}x{b.Columns}.");
    }

    /// <inheritdoc/>
    public override string ToString() => $"Matrix {Rows}x{Columns}";
}
