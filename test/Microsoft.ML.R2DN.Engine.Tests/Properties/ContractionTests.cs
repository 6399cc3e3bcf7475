using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// The contracting R2DN (MODELS.md 2.7, section 5 items 3 and 5) is contracting for every value of its direct
/// parameters: the sampling-free certificate
/// <c>[A B1]ᵀM[A B1] − blkdiag(M, 0) + [C1 0]ᵀ[C1 0] − blkdiag(0, I_nv) ⪯ 0</c> with <c>M = EᵀP⁻¹E</c>, <c>P = H22</c>,
/// holds at initialisation, at random and at badly scaled parameters, and float32 trajectories contract in that metric.
/// </summary>
public class ContractionTests
{
    private const double Eps = Numerics.Epsilon;
    private readonly ITestOutputHelper _log;

    public ContractionTests(ITestOutputHelper log) => _log = log;

    private static R2dnOptions Options(int size, Initialization init, Activation act = Activation.Tanh,
                                       LbdnOutputLayer output = LbdnOutputLayer.Nonlinear, double rate = 1.0)
    {
        var (nu, nx, nv, ny, hidden) = size switch
        {
            0 => (2, 3, 4, 2, new[] { 5, 4 }),
            1 => (3, 8, 6, 2, new[] { 7, 5 }),
            _ => (1, 1, 1, 1, Array.Empty<int>()),
        };
        return new()
        {
            InputSize = nu, StateSize = nx, NonlinearWidth = nv, OutputSize = ny, HiddenSizes = hidden,
            Initialization = init, Activation = act, NetworkOutputLayer = output, ContractionRate = rate,
        };
    }

    /// <summary>M = EᵀP⁻¹E (symmetrised), through a Cholesky solve with P = H22.</summary>
    private static Matrix Metric(R2dnExplicit ex)
    {
        var m = Matrix.TransposeMultiply(ex.E, new CholeskyDecomposition(ex.P).Solve(ex.E));
        return m.SymmetricPart();
    }

    /// <summary>
    /// λ_max of the dissipation form [A B1]ᵀM[A B1] − ᾱ²·blkdiag(M, 0) + [C1 0]ᵀ[C1 0] − blkdiag(0, I) and the size of
    /// its terms (for a relative tolerance). With E = ½(H11 + H22/ᾱ² + Y − Yᵀ) the construction gives ᾱ²EᵀP⁻¹E ⪰ E +
    /// Eᵀ − P/ᾱ², hence this form is ⪯ 0 for every parameter value (MODELS.md 2.7 with [3P]'s rate).
    /// </summary>
    private static (double LambdaMax, double Scale) Certificate(R2dnExplicit ex, double rate = 1.0)
    {
        int nx = ex.A.Rows, nv = ex.B1.Columns;
        var m = Metric(ex);
        var ab = new Matrix(nx, nx + nv);
        ab.SetBlock(0, 0, ex.A);
        ab.SetBlock(0, nx, ex.B1);
        var first = Matrix.TransposeMultiply(ab, m * ab);
        var c1 = new Matrix(nv, nx + nv);
        c1.SetBlock(0, 0, ex.C1);
        var c1tc1 = Matrix.TransposeMultiply(c1, c1);
        var q = first + c1tc1;
        q.AddBlock(0, 0, m, -rate * rate);
        q.AddBlock(nx, nx, Matrix.Identity(nv), -1);
        double scale = PropertyHelpers.FrobeniusNorm(first) + PropertyHelpers.FrobeniusNorm(m)
            + PropertyHelpers.FrobeniusNorm(c1tc1) + Math.Sqrt(nv);
        return (SymmetricEigen.MaxEigenvalue(q), scale);
    }

    /// <summary>Checks the map's own identities against the direct parameters (MODELS.md 2.7 steps 1–3).</summary>
    private static void AssertMapIdentities(ContractingR2dn model, R2dnExplicit ex)
    {
        var par = model.Parameters; var layout = model.Layout;
        int nx = model.StateSize;
        var x = PropertyHelpers.Get(par, layout, "X");
        var c1 = PropertyHelpers.Get(par, layout, "C1");
        var b1 = PropertyHelpers.Get(par, layout, "B1");
        var y = PropertyHelpers.Get(par, layout, "Y");
        double p = par[layout["p"].Offset];
        double rate = model.Options.ContractionRate;
        var h = (p * p / (x.SumOfSquares() + Eps)) * Matrix.TransposeMultiply(x, x);
        for (int i = 0; i < 2 * nx; i++) h[i, i] += Eps;
        h.AddBlock(0, 0, Matrix.TransposeMultiply(c1, c1));
        h.AddBlock(nx, nx, Matrix.MultiplyTransposed(b1, b1));
        double hs = Math.Max(1, h.MaxAbs());
        Assert.True((h - ex.H).MaxAbs() <= 1e-13 * hs, "H differs from p²/l2(X)²·XᵀX + εI + blkdiag(C1ᵀC1, B1B1ᵀ)");
        var h11 = h.Block(0, 0, nx, nx); var h21 = h.Block(nx, 0, nx, nx); var h22 = h.Block(nx, nx, nx, nx);
        var e = 0.5 * (h11 + (1 / (rate * rate)) * h22 + y - y.Transpose());
        Assert.True((e - ex.E).MaxAbs() <= 1e-13 * Math.Max(hs / (rate * rate), y.MaxAbs()),
                    "E differs from ½(H11 + H22/ᾱ² + Y − Yᵀ)");
        Assert.True((h22 - ex.P).MaxAbs() <= 1e-13 * hs, "P differs from H22");
        // A = E⁻¹H21 and B1 = E⁻¹B1_direct, checked by multiplying back (residuals relative to ‖E‖·‖A‖).
        double ea = Math.Max(1, ex.E.MaxAbs()) * Math.Max(1, ex.A.MaxAbs()) * nx;
        Assert.True((ex.E * ex.A - h21).MaxAbs() <= 1e-12 * ea, "E·A ≠ H21");
        double eb = Math.Max(1, ex.E.MaxAbs()) * Math.Max(1, ex.B1.MaxAbs()) * nx;
        Assert.True((ex.E * ex.B1 - b1).MaxAbs() <= 1e-12 * eb, "E·B1 ≠ B1_direct");
        Assert.Equal(c1.Data, ex.C1.Data);
        Assert.Equal(PropertyHelpers.Get(par, layout, "B2").Data, ex.B2.Data);
    }

    private void AssertContracting(ContractingR2dn model, string label)
    {
        var ex = model.GetExplicit();
        AssertMapIdentities(model, ex);
        var (lambda, scale) = Certificate(ex, model.Options.ContractionRate);
        _log.WriteLine($"{label} (ᾱ = {model.Options.ContractionRate}): λ_max = {lambda:G4}, scale = {scale:G4}, " +
                       $"ratio = {lambda / scale:G3}");
        Assert.True(lambda <= 1e-8 * scale, $"{label}: λ_max of the dissipation form is {lambda:R} > 1e-8·{scale:G4}");
        // E + Eᵀ = H11 + H22/ᾱ² ⪰ 2εI, and H ⪰ εI (H₀ ⪰ εI plus PSD blocks).
        double hScale = ex.H.MaxAbs() * ex.H.Rows;
        double eSym = SymmetricEigen.MinEigenvalue(ex.E + ex.E.Transpose());
        Assert.True(eSym >= 2 * Eps - 1e-14 * hScale, $"{label}: λ_min(E + Eᵀ) = {eSym:R}");
        double hMin = SymmetricEigen.MinEigenvalue(ex.H);
        Assert.True(hMin >= Eps - 1e-14 * hScale, $"{label}: λ_min(H) = {hMin:R} < ε");
        Assert.True(SymmetricEigen.MinEigenvalue(ex.P) > 0, $"{label}: P = H22 is not positive definite");
    }

    [Theory]
    [InlineData(0, Initialization.LongMemory)]
    [InlineData(0, Initialization.Random)]
    [InlineData(1, Initialization.LongMemory)]
    [InlineData(1, Initialization.Random)]
    [InlineData(2, Initialization.LongMemory)]
    [InlineData(2, Initialization.Random)]
    public void Certificate_HoldsAtInitialisation(int size, Initialization init)
    {
        for (int seed = 0; seed < 4; seed++)
            AssertContracting(new ContractingR2dn(Options(size, init), seed), $"init {init} size {size} seed {seed}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Certificate_HoldsAtRandomParameters(int size)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var model = new ContractingR2dn(Options(size, Initialization.Random), seed);
            PropertyHelpers.PerturbAll(model.Parameters, model.Layout, new Random(seed + 50), 0.5);
            AssertContracting(model, $"random size {size} seed {seed}");
        }
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(0, 10.0)]
    [InlineData(1, 1.0)]
    [InlineData(1, 3.0)]
    [InlineData(1, 10.0)]
    [InlineData(2, 10.0)]
    public void Certificate_HoldsAtBadlyScaledParameters(int size, double noise)
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var model = new ContractingR2dn(Options(size,
                                                    seed % 2 == 0 ? Initialization.Random : Initialization.LongMemory),
                                                        seed);
            var rng = new Random(seed + 200);
            PropertyHelpers.PerturbAll(model.Parameters, model.Layout, rng, noise);
            PropertyHelpers.Scale(model.Parameters, model.Layout["X"], 1e3);
            model.Parameters[model.Layout["p"].Offset] = 1e2;
            AssertContracting(model, $"bad size {size} noise {noise} seed {seed}");
        }
    }

    [Theory]
    [InlineData(0.9, 0, 1.0)]
    [InlineData(0.5, 1, 1.0)]
    [InlineData(0.5, 1, 10.0)]
    [InlineData(0.1, 0, 3.0)]
    public void Certificate_HoldsWithAContractionRate(double rate, int size, double noise)
    {
        for (int seed = 0; seed < 4; seed++)
        {
            var model = new ContractingR2dn(Options(size,
                                                    seed % 2 == 0 ? Initialization.Random : Initialization.LongMemory,
                                                        rate: rate), seed);
            AssertContracting(model, $"rate {rate} init size {size} seed {seed}");
            PropertyHelpers.PerturbAll(model.Parameters, model.Layout, new Random(seed + 300), noise);
            if (noise > 1)
            {
                PropertyHelpers.Scale(model.Parameters, model.Layout["X"], 1e3);
                model.Parameters[model.Layout["p"].Offset] = 1e2;
            }
            AssertContracting(model, $"rate {rate} size {size} noise {noise} seed {seed}");
        }
    }

    [Fact]
    public void Certificate_DetectsANonContractingSystem()
    {
        // Sensitivity of the check itself: the same E, P, C1 with A scaled by 1.2 (long-memory A ≈ I, so ρ(1.2A) > 1)
        // or B1 scaled by 30 must violate it.
        var ex = new ContractingR2dn(Options(1, Initialization.LongMemory), 1).GetExplicit();
        Assert.True(Certificate(ex).LambdaMax < 0);
        Assert.True(Certificate(ex with { A = 1.2 * ex.A }).LambdaMax > 0.1);
        var perturbed = new ContractingR2dn(Options(1, Initialization.Random), 1).GetExplicit();
        Assert.True(Certificate(perturbed).LambdaMax < 0);
        Assert.True(Certificate(perturbed with { B1 = 30.0 * perturbed.B1 }).LambdaMax > 0.1);
        // A rate-1 long-memory model (A ≈ 0.97·I) does not certify the rate 0.5; the rate-0.5 model does.
        Assert.True(Certificate(ex, 0.5).LambdaMax > 0.1);
        Assert.True(Certificate(new ContractingR2dn(Options(1, Initialization.LongMemory, rate: 0.5), 1).GetExplicit(),
                                0.5).LambdaMax < 0);
    }

    [Fact]
    public void HMinimumEigenvalue_IsTheEpsilonFloor_WhenXIsRankDeficient()
    {
        // X with only two nonzero rows, C1 = 0 and B1 = 0: H₀ = p²/l2(X)²·XᵀX + εI has 2nx − 2 eigenvalues exactly ε,
        // and nothing else is added, so λ_min(H) = ε: the floor is present and not doubled.
        var model = new ContractingR2dn(Options(1, Initialization.Random), 3);
        var par = model.Parameters; var layout = model.Layout;
        var x = layout["X"];
        int n = x.Rows;
        for (int i = 2 * n; i < x.Length; i++) par[x.Offset + i] = 0;
        layout["C1"].Slice(par).Clear();
        layout["B1"].Slice(par).Clear();
        var ex = model.GetExplicit();
        var eigs = SymmetricEigen.Eigenvalues(ex.H);
        Assert.Equal(Eps, eigs[0], 1e-6 * Eps);
        Assert.Equal(Eps, eigs[n - 3], 1e-6 * Eps);
        Assert.True(eigs[n - 2] > 1e-3);
        AssertContracting(model, "rank-deficient X");
    }

    [Fact]
    public void PolarInvariance_ScalingXLeavesHUnchanged()
    {
        var rng = new Random(77);
        foreach (int size in new[] { 0, 1 })
        {
            var model = new ContractingR2dn(Options(size, Initialization.Random), size);
            PropertyHelpers.PerturbAll(model.Parameters, model.Layout, rng, 0.5);
            var before = model.GetExplicit();
            double sumSquares = model.Layout["X"].Slice(model.Parameters).ToArray().Sum(v => v * v);
            PropertyHelpers.Scale(model.Parameters, model.Layout["X"], 7);
            var after = model.GetExplicit();
            // H₀(cX) = p²c²XᵀX/(c²ΣX² + ε): relative change ε(1 − 1/c²)/ΣX² from the ε inside l2_norm, plus rounding.
            double relative = 2 * Eps / sumSquares + 1e-13;
            double h0 = Math.Max(1, before.H.MaxAbs());
            Assert.True((after.H - before.H).MaxAbs() <= relative * h0,
                        $"H(7X) − H(X) = {(after.H - before.H).MaxAbs():G3}");
            Assert.True((after.E - before.E).MaxAbs() <= relative * h0);
            Assert.True((after.P - before.P).MaxAbs() <= relative * h0);
            Assert.True((after.A - before.A).MaxAbs() <= 1e-6 * Math.Max(1, before.A.MaxAbs()));
            Assert.True((after.B1 - before.B1).MaxAbs() <= 1e-6 * Math.Max(1, before.B1.MaxAbs()));
            // But p does set the scale: doubling p changes H₀ by a factor of 4.
            model.Parameters[model.Layout["p"].Offset] *= 2;
            var scaled = model.GetExplicit();
            Assert.True((scaled.H - after.H).MaxAbs() > 1e-3 * h0);
        }
    }

    public static TheoryData<int, Initialization, Activation, double, double> TrajectoryCases() => new()
    {
        { 0, Initialization.LongMemory, Activation.Tanh, 0.0, 1.0 },
        { 0, Initialization.Random, Activation.ReLU, 0.5, 1.0 },
        { 1, Initialization.LongMemory, Activation.ReLU, 0.0, 1.0 },
        { 1, Initialization.LongMemory, Activation.Tanh, 0.05, 1.0 },
        { 1, Initialization.LongMemory, Activation.ReLU, 0.3, 1.0 },
        { 1, Initialization.Random, Activation.Tanh, 1.0, 1.0 },
        { 1, Initialization.Random, Activation.ReLU, 3.0, 1.0 },
        { 1, Initialization.LongMemory, Activation.Tanh, 0.0, 0.95 },
        { 0, Initialization.LongMemory, Activation.ReLU, 0.05, 0.9 },
    };

    [Theory]
    [MemberData(nameof(TrajectoryCases))]
    public void Trajectories_WithTheSameInputs_ContractInTheMetric(int size, Initialization init, Activation act,
                                                                   double noise, double rate)
    {
        var model = new ContractingR2dn(Options(size, init, act, rate: rate), 5) { Threads = 2 };
        var rng = new Random(size * 10 + (int)init);
        if (noise > 0) PropertyHelpers.PerturbAll(model.Parameters, model.Layout, rng, noise);
        var m = Metric(model.GetExplicit());
        int nx = model.StateSize, nu = model.InputSize, ny = model.OutputSize;
        const int pairs = 6, steps = 50;
        int batch = 2 * pairs;
        // Sequence 2k starts at 10·N, sequence 2k+1 at N (big state differences); both get the same inputs.
        var x = new float[batch * nx];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < nx; i++) x[b * nx + i] = (float)((b % 2 == 0 ? 10 : 1) * rng.Normal());
        var v = new double[pairs];
        double[] Lyapunov(float[] state)
        {
            var r = new double[pairs];
            for (int k = 0; k < pairs; k++)
            {
                var dx = new double[nx];
                for (int i = 0; i < nx; i++) dx[i] = (double)state[2 * k * nx + i] - state[(2 * k + 1) * nx + i];
                var mdx = PropertyHelpers.MatVec(m, dx);
                for (int i = 0; i < nx; i++) r[k] += dx[i] * mdx[i];
            }
            return r;
        }
        v = Lyapunov(x);
        var v0 = (double[])v.Clone();
        var u = new float[batch * nu];
        var y = new float[batch * ny];
        var next = new float[batch * nx];
        for (int t = 0; t < steps; t++)
        {
            for (int k = 0; k < pairs; k++)
                for (int i = 0; i < nu; i++)
                {
                    float ui = (float)(3 * rng.Normal());
                    u[2 * k * nu + i] = ui;
                    u[(2 * k + 1) * nu + i] = ui;
                }
            model.Simulate(x, u, 1, batch, y, next);
            var vNext = Lyapunov(next);
            double xScale = next.Max(Math.Abs) + x.Max(Math.Abs);
            for (int k = 0; k < pairs; k++)
            {
                // float32 tolerance: 1e-4 relative, plus the rounding of the states themselves (≈ 1e-6·|x| per
                // component).
                double floor = m.MaxAbs() * nx * Math.Pow(2e-6 * xScale, 2)
                    + 2 * Math.Sqrt(m.MaxAbs() * nx * v[k]) * 2e-6 * xScale;
                Assert.True(vNext[k] <= rate * rate * v[k] * (1 + 1e-4) + floor,
                    $"pair {k}, step {t}: V(Δx) grew from {v[k]:R} to {vNext[k]:R}");
            }
            v = vNext;
            (x, next) = (next, x);
        }
        _log.WriteLine($"size {size} {init} {act} noise {noise} ᾱ {rate}: V ratio after {steps} steps, per pair: " +
                       $"{string.Join(", ", v.Zip(v0, (a, b) => (a / b).ToString("G3")))}");
        Assert.True(v0.All(value => value > 1), "the initial states should differ");
    }
}
