using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.R2DN.Engine.Kernels;

/// <summary>
/// The engine's matrix products on row-major, strided storage: C = A·Bᵀ ("NT"), C = A·B ("NN", the time loops'
/// kernel) and C += Aᵀ·B ("TN", weight gradients).
/// </summary>
/// <remarks>
/// The NT product serves the small fixed products (a layer y = x·Wᵀ with W stored [out, in], the output rows of the
/// time loop): each C[i, j] is a dot product, 4 (or 2, or 1) rows of A against 4 rows of B, with the k tail shorter
/// than a vector finished in scalar code. The NN product is the time loops' kernel (see <see cref="Multiply{T}"/>),
/// and the TN product forms weight gradients over all T·B rows. In all three each C[i, j] is summed over k in a fixed
/// order, so results do not depend on how rows are split across threads or blocked into registers.
/// </remarks>
public static class Gemm
{
    /// <summary>C[i, j] = Σ_k A[i, k]·B[j, k] for i &lt; m, j &lt; n, k &lt; k (overwrites C).</summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">Shared inner dimension.</param>
    /// <param name="a">A, row i at a[i·lda ..].</param>
    /// <param name="lda">Row stride of A (≥ k).</param>
    /// <param name="b">B, row j at b[j·ldb ..].</param>
    /// <param name="ldb">Row stride of B (≥ k).</param>
    /// <param name="c">C, row i at c[i·ldc ..].</param>
    /// <param name="ldc">Row stride of C (≥ n).</param>
    /// <param name="accumulate">When true, C += A·Bᵀ instead of C = A·Bᵀ.</param>
    public static void MultiplyTransposed<T>(int m, int n, int k, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b,
                                             int ldb, Span<T> c, int ldc, bool accumulate = false)
        where T : unmanaged, INumber<T>
    {
        if (m == 0 || n == 0) return;
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), "Matrix sizes must be non-negative.");
        if (lda < k || ldb < k || ldc < n) throw new ArgumentException("A row stride is smaller than the row length.");
        if (a.Length < (m - 1) * lda + k || b.Length < (n - 1) * ldb + k || c.Length < (m - 1) * ldc + n)
            throw new ArgumentException("A matrix span is too short for its shape and stride.");
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rc = ref MemoryMarshal.GetReference(c);

        int i = 0;
        bool acc = accumulate;
        for (; i + 4 <= m; i += 4)
            Rows4(ref Unsafe.Add(ref ra, i * lda), lda, ref rb, ldb, ref Unsafe.Add(ref rc, i * ldc), ldc, n, k, acc);
        for (; i + 2 <= m; i += 2)
            Rows2(ref Unsafe.Add(ref ra, i * lda), lda, ref rb, ldb, ref Unsafe.Add(ref rc, i * ldc), ldc, n, k, acc);
        for (; i < m; i++)
            Rows1(ref Unsafe.Add(ref ra, i * lda), ref rb, ldb, ref Unsafe.Add(ref rc, i * ldc), n, k, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Fma<T>(Vector<T> x, Vector<T> y, Vector<T> acc) where T : unmanaged, INumber<T>
    {
        // The JIT removes the untaken branches for each T, leaving one fused multiply-add instruction.
        if (typeof(T) == typeof(float))
        {
            var r = Vector.FusedMultiplyAdd(Unsafe.As<Vector<T>, Vector<float>>(ref x),
                                            Unsafe.As<Vector<T>, Vector<float>>(ref y),
                                            Unsafe.As<Vector<T>, Vector<float>>(ref acc));
            return Unsafe.As<Vector<float>, Vector<T>>(ref r);
        }
        if (typeof(T) == typeof(double))
        {
            var r = Vector.FusedMultiplyAdd(Unsafe.As<Vector<T>, Vector<double>>(ref x),
                                            Unsafe.As<Vector<T>, Vector<double>>(ref y),
                                            Unsafe.As<Vector<T>, Vector<double>>(ref acc));
            return Unsafe.As<Vector<double>, Vector<T>>(ref r);
        }
        return x * y + acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Load<T>(ref T r, int offset) where T : unmanaged, INumber<T>
        => Unsafe.ReadUnaligned<Vector<T>>(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref r, offset)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(ref T c, T value, bool accumulate) where T : unmanaged, INumber<T>
        => c = accumulate ? c + value : value;

    // Four neighbouring entries c[0..3] of a row of C.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4<T>(ref T c, T t0, T t1, T t2, T t3, bool accumulate) where T : unmanaged, INumber<T>
    {
        Store(ref c, t0, accumulate); Store(ref Unsafe.Add(ref c, 1), t1, accumulate);
        Store(ref Unsafe.Add(ref c, 2), t2, accumulate); Store(ref Unsafe.Add(ref c, 3), t3, accumulate);
    }

    private static void Rows4<T>(ref T a, int lda, ref T b, int ldb, ref T c, int ldc, int n, int k, bool acc)
        where T : unmanaged, INumber<T>
    {
        int w = Vector<T>.Count;
        int kv = k - k % w;
        ref T a0 = ref a; ref T a1 = ref Unsafe.Add(ref a, lda);
        ref T a2 = ref Unsafe.Add(ref a, 2 * lda); ref T a3 = ref Unsafe.Add(ref a, 3 * lda);
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            ref T b0 = ref Unsafe.Add(ref b, j * ldb); ref T b1 = ref Unsafe.Add(ref b0, ldb);
            ref T b2 = ref Unsafe.Add(ref b0, 2 * ldb); ref T b3 = ref Unsafe.Add(ref b0, 3 * ldb);
            Vector<T> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector<T> s10 = default, s11 = default, s12 = default, s13 = default;
            Vector<T> s20 = default, s21 = default, s22 = default, s23 = default;
            Vector<T> s30 = default, s31 = default, s32 = default, s33 = default;
            for (int p = 0; p < kv; p += w)
            {
                var vb0 = Load(ref b0, p); var vb1 = Load(ref b1, p);
                var vb2 = Load(ref b2, p); var vb3 = Load(ref b3, p);
                var va = Load(ref a0, p);
                s00 = Fma(va, vb0, s00); s01 = Fma(va, vb1, s01); s02 = Fma(va, vb2, s02); s03 = Fma(va, vb3, s03);
                va = Load(ref a1, p);
                s10 = Fma(va, vb0, s10); s11 = Fma(va, vb1, s11); s12 = Fma(va, vb2, s12); s13 = Fma(va, vb3, s13);
                va = Load(ref a2, p);
                s20 = Fma(va, vb0, s20); s21 = Fma(va, vb1, s21); s22 = Fma(va, vb2, s22); s23 = Fma(va, vb3, s23);
                va = Load(ref a3, p);
                s30 = Fma(va, vb0, s30); s31 = Fma(va, vb1, s31); s32 = Fma(va, vb2, s32); s33 = Fma(va, vb3, s33);
            }
            T t00 = Vector.Sum(s00), t01 = Vector.Sum(s01), t02 = Vector.Sum(s02), t03 = Vector.Sum(s03);
            T t10 = Vector.Sum(s10), t11 = Vector.Sum(s11), t12 = Vector.Sum(s12), t13 = Vector.Sum(s13);
            T t20 = Vector.Sum(s20), t21 = Vector.Sum(s21), t22 = Vector.Sum(s22), t23 = Vector.Sum(s23);
            T t30 = Vector.Sum(s30), t31 = Vector.Sum(s31), t32 = Vector.Sum(s32), t33 = Vector.Sum(s33);
            for (int p = kv; p < k; p++)
            {
                T x0 = Unsafe.Add(ref b0, p), x1 = Unsafe.Add(ref b1, p);
                T x2 = Unsafe.Add(ref b2, p), x3 = Unsafe.Add(ref b3, p);
                T y = Unsafe.Add(ref a0, p); t00 += y * x0; t01 += y * x1; t02 += y * x2; t03 += y * x3;
                y = Unsafe.Add(ref a1, p); t10 += y * x0; t11 += y * x1; t12 += y * x2; t13 += y * x3;
                y = Unsafe.Add(ref a2, p); t20 += y * x0; t21 += y * x1; t22 += y * x2; t23 += y * x3;
                y = Unsafe.Add(ref a3, p); t30 += y * x0; t31 += y * x1; t32 += y * x2; t33 += y * x3;
            }
            ref T c0 = ref Unsafe.Add(ref c, j);
            Store4(ref c0, t00, t01, t02, t03, acc);
            Store4(ref Unsafe.Add(ref c0, ldc), t10, t11, t12, t13, acc);
            Store4(ref Unsafe.Add(ref c0, 2 * ldc), t20, t21, t22, t23, acc);
            Store4(ref Unsafe.Add(ref c0, 3 * ldc), t30, t31, t32, t33, acc);
        }
        for (; j < n; j++)
        {
            ref T bj = ref Unsafe.Add(ref b, j * ldb);
            Store(ref Unsafe.Add(ref c, j), Dot(ref a0, ref bj, k), acc);
            Store(ref Unsafe.Add(ref c, ldc + j), Dot(ref a1, ref bj, k), acc);
            Store(ref Unsafe.Add(ref c, 2 * ldc + j), Dot(ref a2, ref bj, k), acc);
            Store(ref Unsafe.Add(ref c, 3 * ldc + j), Dot(ref a3, ref bj, k), acc);
        }
    }

    private static void Rows2<T>(ref T a, int lda, ref T b, int ldb, ref T c, int ldc, int n, int k, bool acc)
        where T : unmanaged, INumber<T>
    {
        int w = Vector<T>.Count;
        int kv = k - k % w;
        ref T a0 = ref a; ref T a1 = ref Unsafe.Add(ref a, lda);
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            ref T b0 = ref Unsafe.Add(ref b, j * ldb); ref T b1 = ref Unsafe.Add(ref b0, ldb);
            ref T b2 = ref Unsafe.Add(ref b0, 2 * ldb); ref T b3 = ref Unsafe.Add(ref b0, 3 * ldb);
            Vector<T> s00 = default, s01 = default, s02 = default, s03 = default;
            Vector<T> s10 = default, s11 = default, s12 = default, s13 = default;
            for (int p = 0; p < kv; p += w)
            {
                var vb0 = Load(ref b0, p); var vb1 = Load(ref b1, p);
                var vb2 = Load(ref b2, p); var vb3 = Load(ref b3, p);
                var va = Load(ref a0, p);
                s00 = Fma(va, vb0, s00); s01 = Fma(va, vb1, s01); s02 = Fma(va, vb2, s02); s03 = Fma(va, vb3, s03);
                va = Load(ref a1, p);
                s10 = Fma(va, vb0, s10); s11 = Fma(va, vb1, s11); s12 = Fma(va, vb2, s12); s13 = Fma(va, vb3, s13);
            }
            T t00 = Vector.Sum(s00), t01 = Vector.Sum(s01), t02 = Vector.Sum(s02), t03 = Vector.Sum(s03);
            T t10 = Vector.Sum(s10), t11 = Vector.Sum(s11), t12 = Vector.Sum(s12), t13 = Vector.Sum(s13);
            for (int p = kv; p < k; p++)
            {
                T x0 = Unsafe.Add(ref b0, p), x1 = Unsafe.Add(ref b1, p);
                T x2 = Unsafe.Add(ref b2, p), x3 = Unsafe.Add(ref b3, p);
                T y = Unsafe.Add(ref a0, p); t00 += y * x0; t01 += y * x1; t02 += y * x2; t03 += y * x3;
                y = Unsafe.Add(ref a1, p); t10 += y * x0; t11 += y * x1; t12 += y * x2; t13 += y * x3;
            }
            ref T c0 = ref Unsafe.Add(ref c, j);
            Store4(ref c0, t00, t01, t02, t03, acc);
            Store4(ref Unsafe.Add(ref c0, ldc), t10, t11, t12, t13, acc);
        }
        for (; j < n; j++)
        {
            ref T bj = ref Unsafe.Add(ref b, j * ldb);
            Store(ref Unsafe.Add(ref c, j), Dot(ref a0, ref bj, k), acc);
            Store(ref Unsafe.Add(ref c, ldc + j), Dot(ref a1, ref bj, k), acc);
        }
    }

    private static void Rows1<T>(ref T a, ref T b, int ldb, ref T c, int n, int k, bool acc)
        where T : unmanaged, INumber<T>
    {
        int w = Vector<T>.Count;
        int kv = k - k % w;
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            ref T b0 = ref Unsafe.Add(ref b, j * ldb); ref T b1 = ref Unsafe.Add(ref b0, ldb);
            ref T b2 = ref Unsafe.Add(ref b0, 2 * ldb); ref T b3 = ref Unsafe.Add(ref b0, 3 * ldb);
            Vector<T> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int p = 0; p < kv; p += w)
            {
                var va = Load(ref a, p);
                s0 = Fma(va, Load(ref b0, p), s0); s1 = Fma(va, Load(ref b1, p), s1);
                s2 = Fma(va, Load(ref b2, p), s2); s3 = Fma(va, Load(ref b3, p), s3);
            }
            T t0 = Vector.Sum(s0), t1 = Vector.Sum(s1), t2 = Vector.Sum(s2), t3 = Vector.Sum(s3);
            for (int p = kv; p < k; p++)
            {
                T y = Unsafe.Add(ref a, p);
                t0 += y * Unsafe.Add(ref b0, p); t1 += y * Unsafe.Add(ref b1, p);
                t2 += y * Unsafe.Add(ref b2, p); t3 += y * Unsafe.Add(ref b3, p);
            }
            Store4(ref Unsafe.Add(ref c, j), t0, t1, t2, t3, acc);
        }
        for (; j < n; j++) Store(ref Unsafe.Add(ref c, j), Dot(ref a, ref Unsafe.Add(ref b, j * ldb), k), acc);
    }

    // Same summation order as the blocked kernels: vector lanes first, then the scalar tail.
    private static T Dot<T>(ref T x, ref T y, int k) where T : unmanaged, INumber<T>
    {
        int w = Vector<T>.Count;
        int kv = k - k % w;
        Vector<T> s = default;
        for (int p = 0; p < kv; p += w) s = Fma(Load(ref x, p), Load(ref y, p), s);
        T t = Vector.Sum(s);
        for (int p = kv; p < k; p++) t += Unsafe.Add(ref x, p) * Unsafe.Add(ref y, p);
        return t;
    }

    /// <summary>C[i, j] = Σ_k A[i, k]·B[k, j] for i &lt; m, j &lt; n, k &lt; k: the plain "NN" product C = A·B
    /// (overwrites C).</summary>
    /// <remarks>
    /// The kernel of the time loops, where m is a thread's share of the batch (4 to 64 rows) and B is a weight matrix
    /// stored k × n (the transposed weights forward, the weights themselves backward). Each A[i, p] is broadcast
    /// against whole vectors of a row of B, so no horizontal sums and no scalar k tail are needed: 4 rows of C by 3
    /// vectors of columns stay in registers (12 accumulators, 16 vector registers in all, as AVX2 has). A column tail
    /// shorter than a vector is recomputed as the last full vector of the row (the lanes it shares with the previous
    /// block get the same values again). Each C[i, j] is one chain of fused multiply-adds over k in order, so results
    /// do not depend on how rows are split across threads.
    /// </remarks>
    public static void Multiply<T>(int m, int n, int k, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb,
                                   Span<T> c, int ldc)
        where T : unmanaged, INumber<T>
    {
        if (m == 0 || n == 0) return;
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), "Matrix sizes must be non-negative.");
        if (lda < k || ldb < n || ldc < n) throw new ArgumentException("A row stride is smaller than the row length.");
        if (a.Length < (m - 1) * lda + k || (k > 0 && b.Length < (k - 1) * ldb + n) || c.Length < (m - 1) * ldc + n)
            throw new ArgumentException("A matrix span is too short for its shape and stride.");
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rc = ref MemoryMarshal.GetReference(c);
        int w = Vector<T>.Count;
        if (n < w)
        {
            // Narrower than one vector (a handful of outputs): plain sums in the same k order.
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    T s = T.Zero;
                    for (int p = 0; p < k; p++)
                        s += Unsafe.Add(ref ra, i * lda + p) * Unsafe.Add(ref rb, p * ldb + j);
                    Unsafe.Add(ref rc, i * ldc + j) = s;
                }
            return;
        }
        for (int i = 0; i < m; i += 4)
        {
            int rows = Math.Min(4, m - i);
            ref T ai = ref Unsafe.Add(ref ra, i * lda);
            ref T ci = ref Unsafe.Add(ref rc, i * ldc);
            int j = 0;
            for (; j + 3 * w <= n; j += 3 * w)
                NnBlock(ref ai, lda, ref Unsafe.Add(ref rb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, rows, 3, k);
            for (; j + w <= n; j += w)
                NnBlock(ref ai, lda, ref Unsafe.Add(ref rb, j), ldb, ref Unsafe.Add(ref ci, j), ldc, rows, 1, k);
            int last = n - w; // a column tail is the row's last full vector again
            if (j < n)
                NnBlock(ref ai, lda, ref Unsafe.Add(ref rb, last), ldb, ref Unsafe.Add(ref ci, last), ldc, rows, 1, k);
        }
    }

    // rows (≤ 4) of C by `vectors` (1 or 3) vectors of columns, starting at a, b and c.
    private static void NnBlock<T>(ref T a, int lda, ref T b, int ldb, ref T c, int ldc, int rows, int vectors, int k)
        where T : unmanaged, INumber<T>
    {
        int w = Vector<T>.Count;
        Vector<T> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector<T> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        ref T a0 = ref a; ref T a1 = ref Unsafe.Add(ref a, lda);
        ref T a2 = ref Unsafe.Add(ref a, 2 * lda); ref T a3 = ref Unsafe.Add(ref a, 3 * lda);
        if (rows == 4 && vectors == 3)
        {
            for (int p = 0; p < k; p++)
            {
                ref T brow = ref Unsafe.Add(ref b, p * ldb);
                var b0 = Load(ref brow, 0); var b1 = Load(ref brow, w); var b2 = Load(ref brow, 2 * w);
                var x = new Vector<T>(Unsafe.Add(ref a0, p));
                s00 = Fma(x, b0, s00); s01 = Fma(x, b1, s01); s02 = Fma(x, b2, s02);
                x = new Vector<T>(Unsafe.Add(ref a1, p));
                s10 = Fma(x, b0, s10); s11 = Fma(x, b1, s11); s12 = Fma(x, b2, s12);
                x = new Vector<T>(Unsafe.Add(ref a2, p));
                s20 = Fma(x, b0, s20); s21 = Fma(x, b1, s21); s22 = Fma(x, b2, s22);
                x = new Vector<T>(Unsafe.Add(ref a3, p));
                s30 = Fma(x, b0, s30); s31 = Fma(x, b1, s31); s32 = Fma(x, b2, s32);
            }
        }
        else if (rows == 4)
        {
            for (int p = 0; p < k; p++)
            {
                var b0 = Load(ref b, p * ldb);
                s00 = Fma(new Vector<T>(Unsafe.Add(ref a0, p)), b0, s00);
                s10 = Fma(new Vector<T>(Unsafe.Add(ref a1, p)), b0, s10);
                s20 = Fma(new Vector<T>(Unsafe.Add(ref a2, p)), b0, s20);
                s30 = Fma(new Vector<T>(Unsafe.Add(ref a3, p)), b0, s30);
            }
        }
        else
        {
            // The last 1–3 rows of C.
            for (int p = 0; p < k; p++)
            {
                ref T brow = ref Unsafe.Add(ref b, p * ldb);
                var b0 = Load(ref brow, 0);
                var b1 = vectors == 3 ? Load(ref brow, w) : default;
                var b2 = vectors == 3 ? Load(ref brow, 2 * w) : default;
                var x = new Vector<T>(Unsafe.Add(ref a0, p));
                s00 = Fma(x, b0, s00); s01 = Fma(x, b1, s01); s02 = Fma(x, b2, s02);
                if (rows > 1)
                {
                    x = new Vector<T>(Unsafe.Add(ref a1, p));
                    s10 = Fma(x, b0, s10); s11 = Fma(x, b1, s11); s12 = Fma(x, b2, s12);
                }
                if (rows > 2)
                {
                    x = new Vector<T>(Unsafe.Add(ref a2, p));
                    s20 = Fma(x, b0, s20); s21 = Fma(x, b1, s21); s22 = Fma(x, b2, s22);
                }
            }
        }
        StoreRow(ref c, s00, s01, s02, vectors);
        if (rows > 1) StoreRow(ref Unsafe.Add(ref c, ldc), s10, s11, s12, vectors);
        if (rows > 2) StoreRow(ref Unsafe.Add(ref c, 2 * ldc), s20, s21, s22, vectors);
        if (rows > 3) StoreRow(ref Unsafe.Add(ref c, 3 * ldc), s30, s31, s32, vectors);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<T>(ref T dst, Vector<T> v0, Vector<T> v1, Vector<T> v2, int vectors)
        where T : unmanaged, INumber<T>
    {
        Store(ref dst, 0, v0);
        if (vectors == 3) { Store(ref dst, Vector<T>.Count, v1); Store(ref dst, 2 * Vector<T>.Count, v2); }
    }

    /// <summary>C[i, j] += Σ_k A[k, i]·B[k, j] for i &lt; m, j &lt; n, k &lt; k: the "TN" product C += Aᵀ·B.</summary>
    /// <remarks>
    /// Used for weight gradients, dW = Σ over all T·B rows of dyᵀ·x, where both operands are long and row-major:
    /// rows of A and B are streamed in order, with no transposed copies. 4 rows of C by up to 3 vectors of columns
    /// stay in registers; a column tail shorter than 3 vectors is done one vector at a time, and the last partial
    /// vector overlaps columns already done (only its new lanes are stored). Sums run over k in order.
    /// </remarks>
    public static void MultiplyTransposeA<T>(int m, int n, int k, ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b,
                                             int ldb, Span<T> c, int ldc)
        where T : unmanaged, INumber<T>
    {
        if (m == 0 || n == 0 || k == 0) return;
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), "Matrix sizes must be non-negative.");
        if (lda < m || ldb < n || ldc < n) throw new ArgumentException("A row stride is smaller than the row length.");
        if (a.Length < (k - 1) * lda + m || b.Length < (k - 1) * ldb + n || c.Length < (m - 1) * ldc + n)
            throw new ArgumentException("A matrix span is too short for its shape and stride.");
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T rc = ref MemoryMarshal.GetReference(c);
        int w = Vector<T>.Count;
        for (int i = 0; i < m; i += 4)
        {
            int rowsHere = Math.Min(4, m - i);
            int j = 0;
            for (; j + 3 * w <= n; j += 3 * w) TnBlock(ref ra, lda, ref rb, ldb, ref rc, ldc, i, rowsHere, j, 3, 0, k);
            for (; j + w <= n; j += w) TnBlock(ref ra, lda, ref rb, ldb, ref rc, ldc, i, rowsHere, j, 1, 0, k);
            if (j < n)
            {
                if (n >= w) TnBlock(ref ra, lda, ref rb, ldb, ref rc, ldc, i, rowsHere, n - w, 1, j - (n - w), k);
                else
                    for (int r = 0; r < rowsHere; r++)
                        for (int jj = j; jj < n; jj++)
                        {
                            T s = T.Zero;
                            for (int p = 0; p < k; p++)
                                s += Unsafe.Add(ref ra, p * lda + i + r) * Unsafe.Add(ref rb, p * ldb + jj);
                            Unsafe.Add(ref rc, (i + r) * ldc + jj) += s;
                        }
            }
        }
    }

    // One register block: rows i..i+rows−1 of C (rows ≤ 4) by `vectors` vectors of columns from j; lanes below
    // `skipLanes` of the (single) vector are not stored, because an earlier block already did those columns.
    private static void TnBlock<T>(ref T a, int lda, ref T b, int ldb, ref T c, int ldc, int i, int rows, int j,
                                   int vectors, int skipLanes, int k)
        where T : unmanaged, INumber<T>
    {
        int w = Vector<T>.Count;
        Vector<T> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector<T> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        ref T ai = ref Unsafe.Add(ref a, i);
        ref T bj = ref Unsafe.Add(ref b, j);
        if (vectors == 3 && rows == 4)
        {
            for (int p = 0; p < k; p++)
            {
                ref T arow = ref Unsafe.Add(ref ai, p * lda);
                ref T brow = ref Unsafe.Add(ref bj, p * ldb);
                var b0 = Load(ref brow, 0); var b1 = Load(ref brow, w); var b2 = Load(ref brow, 2 * w);
                var x = new Vector<T>(arow);
                s00 = Fma(x, b0, s00); s01 = Fma(x, b1, s01); s02 = Fma(x, b2, s02);
                x = new Vector<T>(Unsafe.Add(ref arow, 1));
                s10 = Fma(x, b0, s10); s11 = Fma(x, b1, s11); s12 = Fma(x, b2, s12);
                x = new Vector<T>(Unsafe.Add(ref arow, 2));
                s20 = Fma(x, b0, s20); s21 = Fma(x, b1, s21); s22 = Fma(x, b2, s22);
                x = new Vector<T>(Unsafe.Add(ref arow, 3));
                s30 = Fma(x, b0, s30); s31 = Fma(x, b1, s31); s32 = Fma(x, b2, s32);
            }
        }
        else
        {
            // General block: any rows ≤ 4, 1 or 3 vectors.
            for (int p = 0; p < k; p++)
            {
                ref T arow = ref Unsafe.Add(ref ai, p * lda);
                ref T brow = ref Unsafe.Add(ref bj, p * ldb);
                var b0 = Load(ref brow, 0);
                var b1 = vectors == 3 ? Load(ref brow, w) : default;
                var b2 = vectors == 3 ? Load(ref brow, 2 * w) : default;
                var x = new Vector<T>(arow);
                s00 = Fma(x, b0, s00); s01 = Fma(x, b1, s01); s02 = Fma(x, b2, s02);
                if (rows > 1)
                {
                    x = new Vector<T>(Unsafe.Add(ref arow, 1));
                    s10 = Fma(x, b0, s10); s11 = Fma(x, b1, s11); s12 = Fma(x, b2, s12);
                }
                if (rows > 2)
                {
                    x = new Vector<T>(Unsafe.Add(ref arow, 2));
                    s20 = Fma(x, b0, s20); s21 = Fma(x, b1, s21); s22 = Fma(x, b2, s22);
                }
                if (rows > 3)
                {
                    x = new Vector<T>(Unsafe.Add(ref arow, 3));
                    s30 = Fma(x, b0, s30); s31 = Fma(x, b1, s31); s32 = Fma(x, b2, s32);
                }
            }
        }
        StoreAdd(ref c, ldc, i, j, s00, s01, s02, vectors, skipLanes);
        if (rows > 1) StoreAdd(ref c, ldc, i + 1, j, s10, s11, s12, vectors, skipLanes);
        if (rows > 2) StoreAdd(ref c, ldc, i + 2, j, s20, s21, s22, vectors, skipLanes);
        if (rows > 3) StoreAdd(ref c, ldc, i + 3, j, s30, s31, s32, vectors, skipLanes);
    }

    private static void StoreAdd<T>(ref T c, int ldc, int row, int j, Vector<T> v0, Vector<T> v1, Vector<T> v2,
                                    int vectors, int skipLanes)
        where T : unmanaged, INumber<T>
    {
        int w = Vector<T>.Count;
        ref T dst = ref Unsafe.Add(ref c, row * ldc + j);
        if (skipLanes == 0)
        {
            Store(ref dst, 0, Load(ref dst, 0) + v0);
            if (vectors == 3)
            {
                Store(ref dst, w, Load(ref dst, w) + v1);
                Store(ref dst, 2 * w, Load(ref dst, 2 * w) + v2);
            }
        }
        else
            for (int l = skipLanes; l < w; l++) Unsafe.Add(ref dst, l) += v0[l];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(ref T r, int offset, Vector<T> v) where T : unmanaged, INumber<T>
        => Unsafe.WriteUnaligned(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref r, offset)), v);

    /// <summary>Writes the transpose of the m×n row-major matrix <paramref name="src"/> (row stride lds) into dst (n×m,
    /// row stride ldd).</summary>
    public static void Transpose<T>(int m, int n, ReadOnlySpan<T> src, int lds, Span<T> dst, int ldd)
        where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        if (src.Length < (m - 1) * lds + n || dst.Length < (n - 1) * ldd + m)
            throw new ArgumentException("A matrix span is too short for its shape and stride.");
        const int Block = 32; // cache blocking keeps both sides in L1
        ref T rs = ref MemoryMarshal.GetReference(src);
        ref T rd = ref MemoryMarshal.GetReference(dst);
        for (int i0 = 0; i0 < m; i0 += Block)
        {
            int i1 = Math.Min(m, i0 + Block);
            for (int j0 = 0; j0 < n; j0 += Block)
            {
                int j1 = Math.Min(n, j0 + Block);
                for (int i = i0; i < i1; i++)
                {
                    ref T row = ref Unsafe.Add(ref rs, i * lds);
                    for (int j = j0; j < j1; j++)
                        Unsafe.Add(ref rd, j * ldd + i) = Unsafe.Add(ref row, j);
                }
            }
        }
    }
}
