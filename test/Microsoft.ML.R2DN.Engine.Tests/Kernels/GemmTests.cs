using Microsoft.ML.R2DN.Engine.Kernels;

namespace Microsoft.ML.R2DN.Engine.Tests.Kernels;

/// <summary>The three matrix products against a plain triple loop, over shapes that hit every register block and
/// tail.</summary>
public class GemmTests
{
    // Sizes around the vector widths (8 and 16 floats, 4 and 8 doubles) and the 4-row / 3-vector blocks.
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in new[] { 1, 3, 4, 5, 9, 32 })
            foreach (int n in new[] { 1, 3, 7, 8, 9, 17, 24, 25, 48, 87 })
                foreach (int k in new[] { 0, 1, 5, 16, 77 })
                    data.Add(m, n, k);
        return data;
    }

    private static double[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var r = new double[count];
        for (int i = 0; i < r.Length; i++) r[i] = rng.NextDouble() * 2 - 1;
        return r;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyEqualsTheDefinitionWithStrides(int m, int n, int k)
    {
        int lda = k + 3, ldb = n + 2, ldc = n + 5;
        var a = Random(m * lda, 1); var b = Random(Math.Max(1, k) * ldb, 2);
        var c = Random(m * ldc, 3); var before = (double[])c.Clone();
        Gemm.Multiply<double>(m, n, k, a, lda, b, ldb, c, ldc);
        var cf = Array.ConvertAll(before, v => (float)v);
        Gemm.Multiply<float>(m, n, k, Array.ConvertAll(a, v => (float)v), lda, Array.ConvertAll(b, v => (float)v),
                             ldb, cf, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < ldc; j++)
            {
                if (j >= n)
                {
                    Assert.Equal(before[i * ldc + j], c[i * ldc + j]);   // padding beyond n is untouched
                    continue;
                }
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * lda + p] * b[p * ldb + j];
                Assert.Equal(s, c[i * ldc + j], 1e-12);
                Assert.Equal(s, cf[i * ldc + j], 2e-5 * Math.Max(1, k));
            }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TransposedProductsEqualTheDefinition(int m, int n, int k)
    {
        var a = Random(m * k, 4); var b = Random(n * k, 5);
        var nt = new double[m * n];
        Gemm.MultiplyTransposed<double>(m, n, k, a, k, b, k, nt, n);
        var at = Random(k * m, 6); var bt = Random(k * n, 7);
        var tn = new double[m * n];
        Gemm.MultiplyTransposeA<double>(m, n, k, at, m, bt, n, tn, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, t = 0;
                for (int p = 0; p < k; p++) { s += a[i * k + p] * b[j * k + p]; t += at[p * m + i] * bt[p * n + j]; }
                Assert.Equal(s, nt[i * n + j], 1e-12);
                Assert.Equal(t, tn[i * n + j], 1e-12);
            }
    }

    [Fact]
    public void MultiplyGivesTheSameBitsWhateverRowsAThreadTakes()
    {
        // The time loops split the batch across threads; each row's result must not depend on the split.
        const int m = 13, n = 87, k = 77;
        var a = Array.ConvertAll(Random(m * k, 8), v => (float)v);
        var b = Array.ConvertAll(Random(k * n, 9), v => (float)v);
        var whole = new float[m * n];
        Gemm.Multiply<float>(m, n, k, a, k, b, n, whole, n);
        foreach (int split in new[] { 1, 2, 5, 6, 7 })
        {
            var parts = new float[m * n];
            Gemm.Multiply<float>(split, n, k, a, k, b, n, parts, n);
            Gemm.Multiply<float>(m - split, n, k, a.AsSpan(split * k), k, b, n, parts.AsSpan(split * n), n);
            Assert.Equal(whole, parts);
        }
    }

    [Fact]
    public void MultiplyRejectsShortSpansAndStrides()
    {
        var x = new float[10];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(2, 3, 4, x, 3, x, 3, x, 3));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(4, 4, 4, x, 4, x, 4, x, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply<float>(-1, 3, 4, x, 4, x, 3, x, 3));
    }
}
