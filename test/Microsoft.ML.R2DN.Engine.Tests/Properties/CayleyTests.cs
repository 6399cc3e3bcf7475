using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// The Cayley transform (MODELS.md 2.1) gives Aᵀ (n×n) and B (n×m) with A·Aᵀ + B·Bᵀ = I_n, where A = (A_T)ᵀ, i.e. the
/// stacked [A_T; Bᵀ] has orthonormal columns, for every W, badly scaled ones included.
/// </summary>
public class CayleyTests
{
    /// <summary>max |A·Aᵀ + B·Bᵀ − I| with A = (A_T)ᵀ, i.e. (A_T)ᵀA_T + B·Bᵀ − I.</summary>
    private static double OrthogonalityDefect(Matrix at, Matrix b)
    {
        var gram = Matrix.TransposeMultiply(at, at) + Matrix.MultiplyTransposed(b, b);
        return (gram - Matrix.Identity(at.Rows)).MaxAbs();
    }

    public static TheoryData<int, int, double, double> Cases() => new()
    {
        // n, m, scale of W, tolerance
        { 1, 1, 1.0, 1e-12 },
        { 4, 3, 1.0, 1e-12 },
        { 5, 7, 1.0, 1e-12 },
        { 6, 2, 1.0, 1e-12 },
        { 8, 8, 1.0, 1e-12 },
        { 12, 20, 1.0, 1e-12 },
        { 5, 0, 1.0, 1e-12 },      // square W: Z = U − Uᵀ is skew, A_T is orthogonal and B is empty
        { 4, 3, 1e-3, 1e-12 },
        { 12, 20, 1e-3, 1e-12 },
        // ×1e3: Z = U − Uᵀ + VᵀV has entries ~1e6. With m < n, VᵀV is singular and on its null space I + Z is
        // I plus a ~1e6 skew part, so κ(I + Z) reaches ~1e7 in these draws and a backward-stable solve leaves a
        // defect of order eps·κ (measured 0.003–0.4·eps·κ, up to 8e-10). The test therefore allows
        // max(tolerance, 2·eps·κ(I+Z)) — a condition-aware bound, not a looser identity; well-conditioned
        // cases (m ≥ n) are still held to 1e-10.
        { 4, 3, 1e3, 1e-10 },
        { 9, 3, 1e3, 1e-10 },
        { 8, 8, 1e3, 1e-10 },
        { 12, 20, 1e3, 1e-10 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CayleyDirect_IsOrthonormal(int n, int m, double scale, double tolerance)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var rng = new Random(1000 * n + 10 * m + seed);
            var w = rng.RandomMatrix(n + m, n, scale);
            var c = new Cayley(w);
            Assert.Equal(n, c.AT.Rows);
            Assert.Equal(n, c.AT.Columns);
            Assert.Equal(n, c.B.Rows);
            Assert.Equal(m, c.B.Columns);
            Assert.All(c.AT.Data.Concat(c.B.Data), v => Assert.True(double.IsFinite(v)));
            // I + Z is invertible: its symmetric part I + VᵀV ⪰ I, so λ_min((I+Z)+(I+Z)ᵀ)/2 ≥ 1.
            var u = w.Block(0, 0, n, n);
            var v = w.Block(n, 0, m, n);
            var iz = Matrix.Identity(n) + u - u.Transpose() + Matrix.TransposeMultiply(v, v);
            Assert.True(SymmetricEigen.MinEigenvalue(iz) >= 1 - 1e-9 * Math.Max(1, iz.MaxAbs()));
            var sv2 = SymmetricEigen.Eigenvalues(Matrix.TransposeMultiply(iz, iz));
            double kappa = Math.Sqrt(sv2[^1] / sv2[0]);
            double allowed = Math.Max(tolerance, 2 * 2.220446049250313e-16 * kappa);
            if (scale <= 1 || m >= n) Assert.True(allowed <= 1e-10, $"κ(I+Z) = {kappa:G3} unexpectedly large");
            double defect = OrthogonalityDefect(c.AT, c.B);
            Assert.True(defect <= allowed, $"n={n} m={m} scale={scale:G} seed={seed}: max|AAᵀ + BBᵀ − I| = " +
                                           $"{defect:G3} > {allowed:G3} (κ(I+Z) = {kappa:G3})");
        }
    }

    [Fact]
    public void CayleyDirect_MatchesDefinition()
    {
        // A_T = (I+Z)⁻¹(I−Z) and B = −2(I+Z)⁻ᵀVᵀ: check (I+Z)·A_T = I − Z and (I+Z)ᵀ·B = −2Vᵀ by multiplication.
        var rng = new Random(3);
        int n = 5, m = 3;
        var w = rng.RandomMatrix(n + m, n);
        var c = new Cayley(w);
        var u = w.Block(0, 0, n, n);
        var v = w.Block(n, 0, m, n);
        var z = u - u.Transpose() + Matrix.TransposeMultiply(v, v);
        var id = Matrix.Identity(n);
        Assert.True(((id + z) * c.AT - (id - z)).MaxAbs() <= 1e-13);
        Assert.True((Matrix.TransposeMultiply(id + z, c.B) + 2.0 * v.Transpose()).MaxAbs() <= 1e-13);
    }

    [Fact]
    public void CayleyDirect_RejectsTooFewRows()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Cayley(new Matrix(2, 3)));
        Assert.Equal("w", ex.ParamName);
    }

    [Theory]
    [InlineData(4, 3, 1.0, 1e-12)]
    [InlineData(7, 5, 1.0, 1e-12)]
    [InlineData(3, 9, 1e-3, 1e-12)]
    // The Sandwich layer normalises XY to a/‖XY‖·XY, so the scale that matters is a: a ×1e3 gives the same
    // ill-conditioned I + Z as W ×1e3 above (see there).
    [InlineData(7, 5, 1e3, 1e-10)]
    [InlineData(3, 9, 1e3, 1e-10)]
    public void SandwichLayer_IsOrthonormal_AndItsWeightsAreTheScaledCayleyFactors(int m, int n, double aScale,
                                                                                   double tolerance)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var rng = new Random(31 * m + n + seed);
            // XY itself is badly scaled too (×1e3); only its direction and a matter.
            var xy = rng.RandomMatrix(m + n, n, 1e3);
            double a = aScale * Math.Sqrt(xy.SumOfSquares()) * 1e-3 * Math.Exp(rng.Normal());
            var d = rng.Normals(n, 3);
            var layer = new SandwichLayer(xy, a, d);
            double defect = OrthogonalityDefect(layer.AT, layer.B);
            Assert.True(defect <= tolerance,
                        $"m={m} n={n} a×{aScale:G} seed={seed}: max|AAᵀ + BBᵀ − I| = {defect:G3} > {tolerance:G3}");
            // W1 = √2Ψ⁻¹B, W2 = √2AᵀΨ (MODELS.md 1.3 / 2.6), ψ = exp(d).
            for (int i = 0; i < n; i++)
            {
                double psi = Math.Exp(d[i]);
                for (int j = 0; j < m; j++)
                    Assert.Equal(Math.Sqrt(2) * layer.B[i, j] / psi, layer.W1[i, j],
                                 1e-12 * Math.Max(1, Math.Abs(layer.W1[i, j])));
                for (int j = 0; j < n; j++)
                    Assert.Equal(Math.Sqrt(2) * layer.AT[j, i] * Math.Exp(d[i]), layer.W2[j, i],
                                 1e-12 * Math.Max(1, Math.Abs(layer.W2[j, i])));
            }
        }
    }

    [Fact]
    public void SandwichLayer_ClipsDAt20()
    {
        // ψ = exp(clip(d, −20, 20)): d = ±50 behaves like ±20 and stays finite.
        var rng = new Random(8);
        var xy = rng.RandomMatrix(6, 3);
        double a = Math.Sqrt(xy.SumOfSquares());
        var clipped = new SandwichLayer(xy, a, [50, -50, 0]);
        var atLimit = new SandwichLayer(xy, a, [20, -20, 0]);
        Assert.Equal(atLimit.W1.Data, clipped.W1.Data);
        Assert.Equal(atLimit.W2.Data, clipped.W2.Data);
        Assert.All(clipped.W1.Data.Concat(clipped.W2.Data), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void EveryLayerOfAPerturbedLbdn_IsOrthonormal()
    {
        var rng = new Random(17);
        foreach (var output in new[] { LbdnOutputLayer.Nonlinear, LbdnOutputLayer.Linear })
        {
            var options = new LbdnOptions
            {
                InputSize = 6, OutputSize = 3, HiddenSizes = [10, 5, 20, 4], OutputLayer = output,
            };
            var net = new Lbdn(options, 2);
            PropertyHelpers.PerturbAll(net.Parameters, net.Layout, rng, 2.0);
            foreach (var g in net.Layout.Groups.Where(g => g.Name.EndsWith("/XY", StringComparison.Ordinal)))
                PropertyHelpers.Scale(net.Parameters, g, 1e3);
            var map = net.Map();
            Assert.Equal(5, map.Layers.Count);
            foreach (var layer in map.Layers)
            {
                double defect = OrthogonalityDefect(layer.AT, layer.B);
                Assert.True(defect <= 1e-11, $"layer defect {defect:G3}");
            }
        }
    }
}
