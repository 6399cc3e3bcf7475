using Microsoft.ML.R2DN.Engine.Kernels;
using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Tests.Models;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// The equilibrium layer w = σ(D11·w + b), D11 strictly lower triangular (MODELS.md 2.5, section 5 items 3 and 9):
/// the engine's forward substitution solves it to rounding, its implicit-function-theorem backward agrees with
/// reverse-mode differentiation of the unrolled solve, and both agree with the golden files.
/// </summary>
/// <remarks>
/// The layer is reached through a hand-built <see cref="FusedRecurrentNetwork{T}"/> with no state (nx = 0), nu = ny =
/// nv, one stage G = I, W_o = [0 | I], b_o = 0 and the D11 under test: its output is y = w with b = u + c.
/// </remarks>
public class EquilibriumLayerTests
{
    private readonly ITestOutputHelper _log;

    public EquilibriumLayerTests(ITestOutputHelper log) => _log = log;

    private static FusedRecurrentNetwork<double> Layer(Activation act, Matrix d11, double[] bias)
    {
        int nv = d11.Rows;
        var wo = new Matrix(nv, 2 * nv);
        wo.SetBlock(0, nv, Matrix.Identity(nv));
        return new FusedRecurrentNetwork<double>(0, nv, nv, act, [Matrix.Identity(nv)], [bias], wo, new double[nv],
                                                 d11);
    }

    /// <summary>The engine's w for each row of <paramref name="b"/> ([rows, nv]), all in one batched forward pass (b as
    /// the input u).</summary>
    private static double[] EngineSolve(Activation act, Matrix d11, double[] b, int rows, int threads = 1)
    {
        int nv = d11.Rows;
        var net = Layer(act, d11, new double[nv]);
        var ws = new RolloutWorkspace<double>();
        ws.Forward(net, ReadOnlySpan<double>.Empty, b, 1, rows, threads);
        return ws.Outputs.ToArray();
    }

    /// <summary>
    /// The engine's w and its gradients of L = Σ c⊙w for one row b: b enters as the stage bias, so dL/db is the bias
    /// gradient, and dL/dD11 the D11 gradient.
    /// </summary>
    private static (double[] W, double[] GradB, Matrix GradD11) EngineGradient(Activation act, Matrix d11, double[] b,
                                                                               double[] c)
    {
        int nv = d11.Rows;
        var net = Layer(act, d11, b);
        var ws = new RolloutWorkspace<double>();
        ws.Forward(net, ReadOnlySpan<double>.Empty, new double[nv], 1, 1, 1);
        var w = ws.Outputs.ToArray();
        c.CopyTo(ws.OutputGradient);
        var g = ws.Backward(net, 1);
        Assert.NotNull(g.D11);
        // With u = 0 nothing reaches the input weights.
        Assert.All(g.G[0].Data, v => Assert.Equal(0.0, v));
        return (w, g.C[0], g.D11!);
    }

    private static double Sigma(Activation act, double v) => act == Activation.ReLU ? Math.Max(0, v) : Math.Tanh(v);

    private static double SigmaPrime(Activation act, double v)
    {
        if (act == Activation.ReLU) return v > 0 ? 1 : 0;
        double t = Math.Tanh(v);
        return 1 - t * t;
    }

    /// <summary>
    /// Reverse-mode differentiation of the unrolled forward substitution v_i = b_i + Σ_{j&lt;i} D11_ij·w_j, w_i =
    /// σ(v_i), L = Σ c_i·w_i: walking i = nv−1 … 0, the adjoint of w_i is complete (only later neurons read w_i), then
    /// v̄_i = w̄_i·σ'(v_i), b̄_i = v̄_i, D̄11_ij += v̄_i·w_j and w̄_j += v̄_i·D11_ij for j &lt; i.
    /// </summary>
    private static (double[] W, double[] GradB, Matrix GradD11) Unrolled(Activation act, Matrix d11, double[] b,
                                                                         double[] c)
    {
        int n = b.Length;
        var v = new double[n];
        var w = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int j = 0; j < i; j++) s += d11[i, j] * w[j];
            v[i] = s;
            w[i] = Sigma(act, s);
        }
        var wBar = (double[])c.Clone();
        var bBar = new double[n];
        var dBar = new Matrix(n, n);
        for (int i = n - 1; i >= 0; i--)
        {
            double vBar = wBar[i] * SigmaPrime(act, v[i]);
            bBar[i] = vBar;
            for (int j = i - 1; j >= 0; j--)
            {
                dBar[i, j] += vBar * w[j];
                wBar[j] += vBar * d11[i, j];
            }
        }
        return (w, bBar, dBar);
    }

    /// <summary>A strictly lower-triangular D11 with N(0, scale²/nv) entries.</summary>
    private static Matrix RandomD11(Random rng, int nv, double scale)
    {
        var d = new Matrix(nv, nv);
        for (int i = 0; i < nv; i++)
            for (int j = 0; j < i; j++) d[i, j] = scale / Math.Sqrt(nv) * rng.Normal();
        return d;
    }

    /// <summary>Asserts ‖got − want‖∞ ≤ tol·max(‖want‖∞, tiny), naming the worst entry.</summary>
    private static void AssertRelative(ReadOnlySpan<double> want, ReadOnlySpan<double> got, double tol, string label)
    {
        Assert.Equal(want.Length, got.Length);
        double scale = 0, worst = 0;
        int at = -1;
        for (int i = 0; i < want.Length; i++) scale = Math.Max(scale, Math.Abs(want[i]));
        for (int i = 0; i < want.Length; i++)
        {
            double e = Math.Abs(got[i] - want[i]);
            if (e > worst || at < 0) { worst = e; at = i; }
        }
        Assert.True(worst <= tol * Math.Max(scale, 1e-300),
            $"{label}: [{at}] expected {want[at]:R}, got {got[at]:R}; max error {worst:G3} > {tol:G3}·‖want‖∞ = " +
            $"{tol * scale:G3}.");
    }

    // ---- (a) forward: the solution satisfies the equilibrium ----

    [Theory]
    [InlineData(1, Activation.ReLU)]
    [InlineData(1, Activation.Tanh)]
    [InlineData(7, Activation.ReLU)]
    [InlineData(7, Activation.Tanh)]
    [InlineData(40, Activation.ReLU)]
    [InlineData(40, Activation.Tanh)]
    public void Forward_SatisfiesTheEquilibrium(int nv, Activation act)
    {
        var rng = new Random(300 + nv + (int)act);
        const int Rows = 6;
        foreach (double scale in new[] { 0.5, 2.0 })
        {
            var d11 = RandomD11(rng, nv, scale);
            var b = rng.Normals(Rows * nv);
            var w = EngineSolve(act, d11, b, Rows);
            Assert.Equal(Rows * nv, w.Length);
            double worst = 0;
            int active = 0;
            for (int r = 0; r < Rows; r++)
            {
                for (int i = 0; i < nv; i++)
                {
                    // Residual of w = σ(D11·w + b) with the whole of row i of D11 (the upper triangle is zero).
                    double v = b[r * nv + i], size = Math.Abs(v);
                    for (int j = 0; j < nv; j++)
                    { v += d11[i, j] * w[r * nv + j]; size += Math.Abs(d11[i, j] * w[r * nv + j]); }
                    double res = Math.Abs(w[r * nv + i] - Sigma(act, v));
                    worst = Math.Max(worst, res / Math.Max(1, size));
                    Assert.True(res <= 1e-12 * Math.Max(1, size),
                        $"nv={nv} {act} scale {scale}: row {r}, neuron {i}: |w − σ(D11·w + b)| = {res:G3} (|v| terms " +
                        $"{size:G3})");
                    if (w[r * nv + i] != 0) active++;
                }
            }
            Assert.True(active > 0, "every neuron is zero; the check would be vacuous");
            // The batched solve gives each row the same w as solving it alone, and the thread count does not matter.
            var single = EngineSolve(act, d11, b.AsSpan(nv * (Rows - 1), nv).ToArray(), 1);
            Assert.Equal(w.AsSpan(nv * (Rows - 1), nv).ToArray(), single);
            Assert.Equal(w, EngineSolve(act, d11, b, Rows, threads: 3));
            // Agreement with an independent forward substitution (different summation order: a few ulps).
            for (int r = 0; r < Rows; r++)
            {
                var (wRef, _, _) = Unrolled(act, d11, b.AsSpan(r * nv, nv).ToArray(), new double[nv]);
                AssertRelative(wRef, w.AsSpan(r * nv, nv), 1e-13, $"nv={nv} {act}: w row {r}");
            }
            _log.WriteLine($"nv={nv} {act} scale {scale}: worst relative residual {worst:G3}, {active}/{Rows * nv} " +
                           $"neurons nonzero");
        }
    }

    [Theory]
    [InlineData(Activation.ReLU, 1.0)]
    [InlineData(Activation.Tanh, 0.7)]
    public void Forward_SatisfiesTheEquilibrium_WithARensExplicitD11(Activation act, double rate)
    {
        // The D11 a contracting REN actually produces (perturbed parameters), with b = C1·x + D12·u + bv of random x,
        // u.
        var model = new ContractingRen(new RenOptions
        {
            InputSize = 2, StateSize = 3, NonlinearWidth = 7, OutputSize = 2, Activation = act, ContractionRate = rate,
            Initialization = Initialization.Random,
        }, 310);
        var rng = new Random(310);
        PropertyHelpers.PerturbAll(model.Parameters, model.Layout, rng, 0.3);
        var ex = model.GetExplicit();
        int nv = 7;
        for (int i = 0; i < nv; i++)
            for (int j = i; j < nv; j++) Assert.Equal(0.0, ex.D11[i, j]);
        Assert.True(ex.D11.MaxAbs() > 1e-3);
        var x = rng.Normals(3);
        var u = rng.Normals(2);
        var b = new double[nv];
        for (int i = 0; i < nv; i++)
        {
            b[i] = ex.Bv[i];
            for (int j = 0; j < 3; j++) b[i] += ex.C1[i, j] * x[j];
            for (int j = 0; j < 2; j++) b[i] += ex.D12[i, j] * u[j];
        }
        var w = EngineSolve(act, ex.D11, b, 1);
        for (int i = 0; i < nv; i++)
        {
            double v = b[i];
            for (int j = 0; j < nv; j++) v += ex.D11[i, j] * w[j];
            Assert.True(Math.Abs(w[i] - Sigma(act, v)) <= 1e-12,
                        $"neuron {i}: residual {Math.Abs(w[i] - Sigma(act, v)):G3}");
        }
    }

    // ---- (b) backward: implicit function theorem = unrolled reverse mode ----

    [Theory]
    [InlineData(1, Activation.ReLU)]
    [InlineData(1, Activation.Tanh)]
    [InlineData(7, Activation.ReLU)]
    [InlineData(7, Activation.Tanh)]
    [InlineData(40, Activation.ReLU)]
    [InlineData(40, Activation.Tanh)]
    public void Backward_MatchesUnrolledReverseMode(int nv, Activation act)
    {
        var rng = new Random(400 + nv + (int)act);
        foreach (double scale in new[] { 0.5, 2.0 })
        {
            var d11 = RandomD11(rng, nv, scale);
            var sumD11 = new Matrix(nv, nv);
            var sumB = new double[nv];
            const int Rows = 4;
            var bs = new double[Rows * nv];
            var cs = new double[Rows * nv];
            for (int r = 0; r < Rows; r++)
            {
                var b = rng.Normals(nv);
                var c = rng.Normals(nv);
                b.CopyTo(bs, r * nv); c.CopyTo(cs, r * nv);
                var (w, gb, gd) = EngineGradient(act, d11, b, c);
                var (wRef, gbRef, gdRef) = Unrolled(act, d11, b, c);
                string label = $"nv={nv} {act} scale {scale} row {r}";
                AssertRelative(wRef, w, 1e-13, label + ": w");
                AssertRelative(gbRef, gb, 1e-10, label + ": dL/db");
                AssertRelative(gdRef.Data, gd.Data, 1e-10, label + ": dL/dD11");
                // Only the strict lower triangle of D11 is read, so triu(dD11) = 0 exactly.
                for (int i = 0; i < nv; i++)
                    for (int j = i; j < nv; j++)
                        Assert.True(gd[i, j] == 0, $"{label}: dD11[{i},{j}] = {gd[i, j]:R}, expected exactly 0");
                // The IFT form of MODELS.md 2.5: dL/dD11 = g_v·wᵀ (strict lower part) with g_v = dL/db.
                for (int i = 0; i < nv; i++)
                    for (int j = 0; j < i; j++)
                        Assert.True(Math.Abs(gd[i, j] - gb[i] * w[j]) <= 1e-14 * (1 + Math.Abs(gb[i] * w[j])),
                                    $"{label}: dD11[{i},{j}] ≠ g_v,i·w_j");
                sumD11.AddScaled(gdRef);
                for (int i = 0; i < nv; i++) sumB[i] += gbRef[i];
            }
            // The batched backward (b as the input, rows summed in the weight gradients) gives the sums over rows.
            var net = Layer(act, d11, new double[nv]);
            var ws = new RolloutWorkspace<double>();
            ws.Forward(net, ReadOnlySpan<double>.Empty, bs, 1, Rows, 1);
            cs.CopyTo(ws.OutputGradient);
            var g = ws.Backward(net, 1);
            AssertRelative(sumD11.Data, g.D11!.Data, 1e-10, $"nv={nv} {act} scale {scale}: batched dL/dD11");
            AssertRelative(sumB, g.C[0], 1e-10, $"nv={nv} {act} scale {scale}: batched Σ dL/db");
            // The same over two time steps of the stateless program: the rows are independent.
            var ws2 = new RolloutWorkspace<double>();
            ws2.Forward(net, ReadOnlySpan<double>.Empty, bs, 2, Rows / 2, 1);
            cs.CopyTo(ws2.OutputGradient);
            var g2 = ws2.Backward(net, 1);
            AssertRelative(sumD11.Data, g2.D11!.Data, 1e-10, $"nv={nv} {act} scale {scale}: dL/dD11 over two steps");
        }
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void Backward_MatchesFiniteDifferences(Activation act)
    {
        // A third, independent opinion on dL/db and dL/dD11 (5-point stencil on the engine's own forward), away from
        // kinks.
        var rng = new Random(450 + (int)act);
        const int Nv = 7;
        Matrix d11 = null!;
        double[] b = null!;
        for (int attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 100, "no draw kept the pre-activations away from zero");
            d11 = RandomD11(rng, Nv, 1.0);
            b = rng.Normals(Nv);
            var w0 = EngineSolve(act, d11, b, 1);
            double margin = double.PositiveInfinity;
            for (int i = 0; i < Nv; i++)
            {
                double v = b[i];
                for (int j = 0; j < i; j++) v += d11[i, j] * w0[j];
                margin = Math.Min(margin, Math.Abs(v));
            }
            if (margin > 1e-2) break;
        }
        var c = rng.Normals(Nv);
        double Loss()
        {
            var w = EngineSolve(act, d11, b, 1);
            double l = 0;
            for (int i = 0; i < Nv; i++) l += c[i] * w[i];
            return l;
        }
        double Fd(Func<double> get, Action<double> set)
        {
            double theta = get(), h = 1e-5 * Math.Max(1, Math.Abs(theta));
            double At(double value) { set(value); return Loss(); }
            double d1 = At(theta + h) - At(theta - h), d2 = At(theta + 2 * h) - At(theta - 2 * h);
            set(theta);
            return (8 * d1 - d2) / (12 * h);
        }
        var (_, gb, gd) = EngineGradient(act, d11, b, c);
        for (int i = 0; i < Nv; i++)
        {
            int ii = i;
            double fd = Fd(() => b[ii], v => b[ii] = v);
            Assert.True(Math.Abs(fd - gb[i]) <= 1e-6 * Math.Max(Math.Abs(fd), 1e-3),
                        $"{act} dL/db[{i}]: fd {fd:R}, engine {gb[i]:R}");
            for (int j = 0; j < i; j++)
            {
                int jj = j;
                double fdD = Fd(() => d11[ii, jj], v => d11[ii, jj] = v);
                Assert.True(Math.Abs(fdD - gd[i, j]) <= 1e-6 * Math.Max(Math.Abs(fdD), 1e-3),
                            $"{act} dL/dD11[{i},{j}]: fd {fdD:R}, engine {gd[i, j]:R}");
            }
        }
    }

    // ---- (c) golden files ----

    [Theory]
    [InlineData("ren_contracting_small")]
    [InlineData("ren_contracting_abar")]
    [InlineData("ren_lipschitz_small")]
    [InlineData("ren_lipschitz_wide")]
    [InlineData("ren_general_qsr")]
    public void GoldenEquilibrium_WAndGradientsMatch(string name)
    {
        var gold = Golden.Load(name);
        Assert.True(gold.Has("equilibrium"), $"{name} has no equilibrium entry");
        var act = gold.Config.GetProperty("activation").GetString() == "tanh" ? Activation.Tanh : Activation.ReLU;
        var (bShape, b) = gold.Tensor("equilibrium", "b");
        var (dShape, d) = gold.Tensor("equilibrium", "D11");
        var (_, c) = gold.Tensor("equilibrium", "c");
        var (_, wGold) = gold.Tensor("equilibrium", "w");
        var (_, gbGold) = gold.Tensor("equilibrium", "grad_b");
        var (_, gdGold) = gold.Tensor("equilibrium", "grad_D11");
        int rows = bShape[0], nv = bShape[1];
        Assert.Equal(new[] { nv, nv }, dShape);
        var d11 = new Matrix(nv, nv, d);

        // The golden D11 is the case's explicit D11: the engine's map at the golden parameters gives the same matrix.
        var ren = gold.CreateRen();
        gold.LoadParameters(ren.Layout, ren.Parameters);
        AssertClose.All(d, ren.GetExplicit().D11.Data, 1e-10, 1e-12, $"{name}: explicit D11");

        var gdSum = new Matrix(nv, nv);
        for (int r = 0; r < rows; r++)
        {
            var br = b.AsSpan(r * nv, nv).ToArray();
            var cr = c.AsSpan(r * nv, nv).ToArray();
            var (w, gb, gd) = EngineGradient(act, d11, br, cr);
            AssertClose.All(wGold.AsSpan(r * nv, nv), w, 1e-10, 1e-10, $"{name}: w row {r}");
            AssertClose.All(gbGold.AsSpan(r * nv, nv), gb, 1e-10, 1e-10, $"{name}: grad_b row {r}");
            // The unrolled reference agrees with the golden file too.
            var (wRef, gbRef, _) = Unrolled(act, d11, br, cr);
            AssertClose.All(wGold.AsSpan(r * nv, nv), wRef, 1e-10, 1e-10, $"{name}: unrolled w row {r}");
            AssertClose.All(gbGold.AsSpan(r * nv, nv), gbRef, 1e-10, 1e-10, $"{name}: unrolled grad_b row {r}");
            gdSum.AddScaled(gd);
        }
        AssertClose.All(gdGold, gdSum.Data, 1e-10, 1e-10, $"{name}: grad_D11");
        for (int i = 0; i < nv; i++)
            for (int j = i; j < nv; j++) Assert.Equal(0.0, gdSum[i, j]);

        // One batched pass over all rows: the same w, and the D11 gradient summed over rows.
        var net = Layer(act, d11, new double[nv]);
        var ws = new RolloutWorkspace<double>();
        ws.Forward(net, ReadOnlySpan<double>.Empty, b, 1, rows, 1);
        AssertClose.All(wGold, ws.Outputs, 1e-10, 1e-10, $"{name}: batched w");
        c.CopyTo(ws.OutputGradient);
        AssertClose.All(gdGold, ws.Backward(net, 1).D11!.Data, 1e-10, 1e-10, $"{name}: batched grad_D11");
    }
}
