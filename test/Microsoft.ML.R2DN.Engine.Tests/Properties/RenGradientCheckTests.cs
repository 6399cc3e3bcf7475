using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// The finite-difference machinery of <see cref="GradientCheckTests"/> (same stencil, step and tolerance), made
/// reusable for any <see cref="RecurrentModel"/>: a float64 problem (x0, u, loss weights), and a group-by-group check
/// that also asserts which groups must have an exactly-zero gradient.
/// </summary>
internal static class FiniteDifferenceCheck
{
    // Five-point central differences, fd = [8(L(θ+h) − L(θ−h)) − (L(θ+2h) − L(θ−2h))]/(12h), h = 1e-5·max(1, |θ|);
    // pass when |fd − an| ≤ 1e-6·max(|fd|, |an|, 1e-8) + 10·eps·|L|/h (see GradientCheckTests for the reasoning).
    // The REN maps (Cholesky of R₁, LU of E, Λ⁻¹ = 2/diag(H22) with Λ up to ~1e4 at perturbed parameters) can lose far
    // more than a few ulps of L to rounding: measured scatter of L up to ≈ 130·eps·|L| (a γ-Lipschitz REN with |L| ≈ 72
    // had σ ≈ 2e-12, so fd at h = 1e-5 carried ≈ 2e-7 of noise against a gradient of 1.5e-3). An entry that fails at
    // h = 1e-5 is therefore retried once at h = 1e-3·max(1, |θ|) (noise 100 times smaller, O(h⁴) truncation still
    // ≈ 1e-12 relative) with the noise floor taken from the measured scatter σ of L around θ; it must meet the same
    // relative tolerance there. A wrong gradient fails at both steps: the floor is set by L's rounding, not by the
    // gradient.
    public const double RelativeStep = 1e-5;
    public const double FallbackRelativeStep = 1e-3;
    public const double RelativeTolerance = 1e-6;

    /// <summary>L = Σ c_i y_i + ½ Σ y_i², so dL/dy = c + y.</summary>
    public static double Loss(double[] y, double[] c, double[]? dy)
    {
        double l = 0;
        for (int i = 0; i < y.Length; i++)
        {
            l += c[i] * y[i] + 0.5 * y[i] * y[i];
            if (dy is not null) dy[i] = c[i] + y[i];
        }
        return l;
    }

    public sealed class Problem
    {
        public required RecurrentModel Model { get; init; }
        public required double[] X0 { get; init; }
        public required double[] U { get; init; }
        public required double[] C { get; init; }
        public required int T { get; init; }
        public required int B { get; init; }

        public double Loss()
        {
            double l = 0;
            Model.ForwardBackwardFloat64(X0, U, T, B, (y, dy) => l = FiniteDifferenceCheck.Loss(y, C, dy));
            return l;
        }

        public double[] Gradient()
        {
            var (_, _, g) = Model.ForwardBackwardFloat64(X0, U, T, B, (y, dy) => FiniteDifferenceCheck.Loss(y, C, dy));
            return g;
        }

        public double[] Outputs() => Model.ForwardBackwardFloat64(X0, U, T, B, (_, _) => { }).Outputs;
    }

    /// <summary>
    /// Perturbs every parameter of <paramref name="model"/> by N(0, noise²) (asserting that no entry keeps its
    /// initial value) and draws x0 ~ N(0, 1), u ~ N(0, 1) and the loss weights c ~ N(0, 1).
    /// </summary>
    public static Problem Make(RecurrentModel model, int seed, double noise = 0.3, int timeSteps = 5, int batch = 2)
    {
        model.Threads = 1;
        var rng = new Random(seed);
        var initial = (double[])model.Parameters.Clone();
        PropertyHelpers.PerturbAll(model.Parameters, model.Layout, rng, noise);
        for (int i = 0; i < initial.Length; i++)
            Assert.True(model.Parameters[i] != initial[i], $"parameter {i} is still at its initial value");
        return new Problem
        {
            Model = model,
            X0 = rng.Normals(batch * model.StateSize),
            U = rng.Normals(timeSteps * batch * model.InputSize),
            C = rng.Normals(timeSteps * batch * model.OutputSize),
            T = timeSteps, B = batch,
        };
    }

    /// <summary>
    /// Compares five-point central differences with the analytic gradient on up to <paramref name="perGroup"/> random
    /// entries of every group. Groups for which <paramref name="mustBeZero"/> holds must have an exactly-zero analytic
    /// gradient (all entries); every other non-empty group must have a nonzero checked entry, so the check is not
    /// vacuous.
    /// Returns the number of entries checked and a one-line summary.
    /// </summary>
    public static (int Checked, string Summary) CheckGroups(string label, ParameterLayout layout, double[] parameters,
                                                            double[] gradient,
                                                           Func<double> loss, Random rng, int perGroup,
                                                               Func<ParameterGroup, bool>? mustBeZero = null)
    {
        int checkedEntries = 0, retried = 0;
        double maxNoise = 0;
        double l0 = loss();
        double worst = 0;
        string worstAt = "";
        var zeroGroups = new List<string>();
        foreach (var g in layout.Groups)
        {
            var indices = Enumerable.Range(0, g.Length).ToArray();
            rng.Shuffle(indices);
            double groupMaxAbs = 0;
            foreach (int i in indices.Take(perGroup))
            {
                int j = g.Offset + i;
                double theta = parameters[j];
                double an = gradient[j];
                double At(double value) { parameters[j] = value; return loss(); }
                (double Fd, double Err, double Rel, double Floor, double Used) Probe(double relativeStep, double noise)
                {
                    double h = relativeStep * Math.Max(1.0, Math.Abs(theta));
                    double d1 = At(theta + h) - At(theta - h);
                    double d2 = At(theta + 2 * h) - At(theta - 2 * h);
                    parameters[j] = theta;
                    double fd = (8 * d1 - d2) / (12 * h);
                    double scale = Math.Max(Math.Max(Math.Abs(fd), Math.Abs(an)), 1e-8);
                    // The stencil turns independent evaluation noise σ into ≈ 0.95σ/h; 6σ/h is a generous bound.
                    double floor = Math.Max(10 * 2.220446049250313e-16 * Math.Max(1.0, Math.Abs(l0)), 6 * noise) / h;
                    double err = Math.Abs(fd - an);
                    return (fd, err, err / scale, floor, err / (RelativeTolerance * scale + floor));
                }
                // The rounding noise σ of L near θ: the scatter of L(θ + k·δ), k = −4 … 4, δ = 1e-9·max(1, |θ|), about
                // its least-squares line (over so short a span the true L is a straight line to ≈ 1e-17).
                double MeasureNoise()
                {
                    double delta = 1e-9 * Math.Max(1.0, Math.Abs(theta));
                    var ls = Enumerable.Range(-4, 9).Select(k => At(theta + k * delta)).ToArray();
                    parameters[j] = theta;
                    double mean = ls.Average(), sxy = 0, sxx = 0;
                    for (int k = 0; k < 9; k++) { sxy += (k - 4) * (ls[k] - mean); sxx += (k - 4) * (k - 4); }
                    double slope = sxy / sxx, ss = 0;
                    for (int k = 0; k < 9; k++) { double r = ls[k] - mean - slope * (k - 4); ss += r * r; }
                    return Math.Sqrt(ss / 7);
                }
                var p = Probe(RelativeStep, 0);
                if (p.Used > 1)
                {
                    var first = p;
                    double noise = MeasureNoise();
                    p = Probe(FallbackRelativeStep, noise);
                    retried++;
                    maxNoise = Math.Max(maxNoise, noise);
                    Assert.True(p.Used <= 1,
                        $"{label}: d{g.Name}[{i}]: analytic {an:R}; finite difference {first.Fd:R} at step " +
                        $"{RelativeStep:G2} (relative error {first.Rel:G3}, " +
                        $"noise floor {first.Floor:G3}) and {p.Fd:R} at step {FallbackRelativeStep:G2} (relative " +
                        $"error {p.Rel:G3} > {RelativeTolerance:G3}, " +
                        $"noise floor {p.Floor:G3} from the measured noise σ = {noise:G3} of L = {l0:G6}).");
                }
                if (p.Used > worst)
                { worst = p.Used; worstAt = $"{g.Name}[{i}] fd={p.Fd:R} an={an:R} (relative error {p.Rel:G3})"; }
                groupMaxAbs = Math.Max(groupMaxAbs, Math.Abs(an));
                checkedEntries++;
            }
            if (mustBeZero is not null && mustBeZero(g))
            {
                var nonzero = g.Slice(gradient).ToArray().Select((v, k) => (v, k)).FirstOrDefault(p => p.v != 0);
                Assert.True(g.Slice(gradient).ToArray().All(v => v == 0),
                    $"{label}: d{g.Name} should be exactly zero (unused parameter), but d{g.Name}[{nonzero.k}] = " +
                    $"{nonzero.v:R}.");
                zeroGroups.Add(g.Name);
            }
            else if (g.Length > 0)
                Assert.True(groupMaxAbs > 0,
                            $"{label}: the checked entries of d{g.Name} are all zero; the check would be vacuous.");
        }
        Assert.Equal(layout.Count, gradient.Length);
        // The larger step is a fallback for the odd noise-dominated entry, not the main check.
        Assert.True(retried <= Math.Max(2, checkedEntries / 10),
                    $"{label}: {retried} of {checkedEntries} entries needed the larger step; the problem is too " +
                    $"ill-conditioned for a sharp check.");
        return (checkedEntries,
                $"{label}: {checkedEntries} entries ({retried} retried at the larger step, largest measured noise in " +
                $"L {maxNoise:G3}, |L| = {l0:G4}), largest share of the allowance used {worst:G3} at {worstAt}; " +
                $"exactly zero: [{string.Join(", ", zeroGroups)}]");
    }
}

/// <summary>
/// Finite-difference checks (float64, direct → explicit → fused rollout with the equilibrium layer → BPTT → adjoint
/// map) of every parameter group of the contracting, γ-Lipschitz and (Q, S, R) RENs (MODELS.md 2.2–2.5, section 5
/// item 9), at perturbed parameters. Unused groups (X3/Y3/Z3 of the contracting REN or with D22 = 0, the direct D22
/// where D22 is constructed) must have exactly zero gradient. Also the identity-output contracting REN and R2DN.
/// </summary>
public class RenGradientCheckTests
{
    private readonly ITestOutputHelper _log;

    public RenGradientCheckTests(ITestOutputHelper log) => _log = log;

    private static RenOptions Small(int nu, int ny, int nv = 5, Initialization init = Initialization.Random,
                                    double rate = 1.0, Activation activation = Activation.Tanh, bool d22Zero = false)
    {
        return new()
        {
            InputSize = nu, StateSize = 3, NonlinearWidth = nv, OutputSize = ny,
            Activation = activation, Initialization = init, ContractionRate = rate, D22Zero = d22Zero,
        };
    }

    private static readonly string[] D22Builders = ["X3", "Y3", "Z3"];

    private int Check(string label, FiniteDifferenceCheck.Problem problem, int seed, Func<ParameterGroup,
                      bool> mustBeZero)
    {
        var model = problem.Model;
        var gradient = problem.Gradient();
        var (n, summary) =
            FiniteDifferenceCheck.CheckGroups(label, model.Layout, model.Parameters, gradient, problem.Loss,
                                                             new Random(seed + 100), int.MaxValue, mustBeZero);
        _log.WriteLine(summary);
        Assert.Equal(model.ParameterCount, n);   // every entry of every group
        return n;
    }

    // ---- Contracting REN ----

    [Theory]
    [InlineData(Initialization.Random, 1.0, 2, 3, 101)]
    [InlineData(Initialization.LongMemory, 1.0, 2, 3, 102)]
    [InlineData(Initialization.Random, 0.7, 3, 2, 103)]
    [InlineData(Initialization.LongMemory, 0.7, 3, 2, 104)]
    public void ContractingRenTanh_EveryGroupMatchesFiniteDifferences(Initialization init, double rate, int nu, int ny,
                                                                      int seed)
    {
        var model = new ContractingRen(Small(nu, ny, nv: 5, init, rate), seed);
        var problem = FiniteDifferenceCheck.Make(model, seed);
        var ex = model.GetExplicit();
        // The perturbation leaves every path live: C1, B1 (zero at long memory) and D11 are nonzero.
        Assert.True(ex.B1.MaxAbs() > 1e-3 && ex.C1.MaxAbs() > 1e-3 && ex.D11.MaxAbs() > 1e-3);
        Assert.True(model.Layout["Z3"].Length > 0);
        Check($"contracting REN tanh {init} ᾱ={rate} nu={nu} ny={ny}", problem, seed,
              g => D22Builders.Contains(g.Name));
    }

    [Theory]
    [InlineData(Initialization.Random, 1.0, 111)]
    [InlineData(Initialization.LongMemory, 0.7, 112)]
    public void ContractingRenIdentityOutput_EveryGroupMatchesFiniteDifferences(Initialization init, double rate,
                                                                                int seed)
    {
        var options = Small(2, 3, nv: 4, init, rate) with { IdentityOutput = true };
        var model = new ContractingRen(options, seed);
        foreach (var name in new[] { "C2", "D21", "D22", "by" }) Assert.False(model.Layout.Contains(name), name);
        var problem = FiniteDifferenceCheck.Make(model, seed);
        // y = x: the outputs are the states before each update.
        var (y, _, _) = model.ForwardBackwardFloat64(problem.X0, problem.U, problem.T, problem.B, (_, _) => { });
        Tests.Models.AssertClose.All(problem.X0, y.AsSpan(0, problem.B * 3), 0, 0, "y_0 = x_0");
        Check($"contracting REN identity output {init} ᾱ={rate}", problem, seed, g => D22Builders.Contains(g.Name));
    }

    // ---- γ-Lipschitz REN ----

    [Theory]
    [InlineData(2, 3, false, 121)]   // ny > nu: N = [(I−M)(I+M)⁻¹; −2Z(I+M)⁻¹]
    [InlineData(3, 2, false, 122)]   // ny < nu: N = [(I+M)⁻¹(I−M), −2(I+M)⁻¹Zᵀ]
    [InlineData(2, 3, true, 123)]
    [InlineData(3, 2, true, 124)]
    public void LipschitzRenTanh_EveryGroupMatchesFiniteDifferences(int nu, int ny, bool d22Zero, int seed)
    {
        var init = seed % 2 == 0 ? Initialization.LongMemory : Initialization.Random;
        var model = new LipschitzRen(Small(nu, ny, nv: 4, init, d22Zero: d22Zero), gamma: 2.0, seed);
        var problem = FiniteDifferenceCheck.Make(model, seed);
        var ex = model.GetExplicit();
        if (d22Zero) Assert.Equal(0.0, ex.D22.MaxAbs());
        else Assert.True(ex.D22.MaxAbs() > 1e-3, "D22 is built from (X3, Y3, Z3) and nonzero");
        // The direct D22 is never read (D22 is constructed or fixed at 0); X3, Y3, Z3 only when D22 is constructed.
        Check($"Lipschitz REN γ=2 tanh nu={nu} ny={ny} d22_zero={d22Zero} {init}", problem, seed,
              g => g.Name == "D22" || (d22Zero && D22Builders.Contains(g.Name)));
    }

    // ---- (Q, S, R) REN ----

    /// <summary>
    /// Q = −XᵀX − 0.1I, S, and R = SQ⁻¹Sᵀ + YᵀY + 0.1I (X, Y, S standard normal): a valid supply rate with S ≠ 0 whose
    /// R is usually indefinite (SQ⁻¹Sᵀ ⪯ 0). With <paramref name="positiveR"/>, R = YᵀY + 0.1I instead, which D22 = 0
    /// needs (R₁ = R + S·D22 + D22ᵀSᵀ + D22ᵀQ·D22 is then R itself, and the map factors it).
    /// </summary>
    internal static (Matrix Q, Matrix S, Matrix R) RandomQsr(int nu, int ny, Random rng, bool positiveR = false)
    {
        var x = rng.RandomMatrix(ny, ny);
        var q = -1.0 * Matrix.TransposeMultiply(x, x) - 0.1 * Matrix.Identity(ny);
        var s = rng.RandomMatrix(nu, ny);
        var y = rng.RandomMatrix(nu, nu);
        var r = Matrix.TransposeMultiply(y, y) + 0.1 * Matrix.Identity(nu);
        if (!positiveR) r = s * new LuDecomposition(q).Solve(s.Transpose()) + r;
        return (q.SymmetricPart(), s, r.SymmetricPart());
    }

    [Theory]
    [InlineData(2, 3, false, 131)]
    [InlineData(3, 2, false, 132)]
    [InlineData(3, 2, true, 133)]
    public void GeneralRenTanh_EveryGroupMatchesFiniteDifferences(int nu, int ny, bool d22Zero, int seed)
    {
        var (q, s, r) = RandomQsr(nu, ny, new Random(seed), positiveR: d22Zero);
        var model = new GeneralRen(Small(nu, ny, nv: 4, Initialization.Random, d22Zero: d22Zero), q, s, r, seed);
        var problem = FiniteDifferenceCheck.Make(model, seed);
        Assert.True(model.Certify().IsVerified);
        Check($"(Q,S,R) REN tanh nu={nu} ny={ny} d22_zero={d22Zero}", problem, seed,
              g => g.Name == "D22" || (d22Zero && D22Builders.Contains(g.Name)));
    }

    [Fact]
    public void GeneralRen_D22Zero_WithAnIndefiniteR_IsRejectedAtConstruction()
    {
        // With D22Zero the map factors R₁ = R by Cholesky, so R must be positive definite; a supply rate that only
        // meets R − SQ⁻¹Sᵀ ≻ 0 must be rejected by the constructor, naming r. (Regression: before this was checked, the
        // constructor accepted it and every later call failed: Simulate/LossAndGradient blamed "Parameters" and
        // Certify() leaked the raw Cholesky exception with ParamName "a".)
        var (q, s, r) = RandomQsr(3, 2, new Random(133));
        Assert.True(SymmetricEigen.Eigenvalues(r)[0] < 0, "this R is indefinite");
        var options = Small(3, 2, nv: 4, Initialization.Random, d22Zero: true);
        var ex = Record.Exception(() => new GeneralRen(options, q, s, r, 133).Certify());
        string got = ex is null
            ? "none"
            : $"{ex.GetType().Name} (ParamName {(ex as ArgumentException)?.ParamName ?? "null"}): {ex.Message}";
        Assert.True(ex is ArgumentException { ParamName: "r" },
                    $"expected an ArgumentException naming r from the constructor; got {got}");
        // Without D22Zero the same (Q, S, R) is valid.
        Assert.True(new GeneralRen(options with { D22Zero = false }, q, s, r, 133).Certify().IsVerified);
    }

    // ---- ReLU, away from kinks; and an independent forward replay of the REN ----

    /// <summary>
    /// Runs the REN from its explicit matrices (MODELS.md 1.1) in plain float64 loops, with the equilibrium solved by
    /// forward substitution; returns y and the smallest |v| met (the distance of every ReLU from its kink).
    /// </summary>
    internal static (double[] Y, double MinAbsV) ReplayRen(RenExplicit e, Activation act, double[] x0, double[] u,
                                                           int timeSteps, int batch)
    {
        int nx = e.A.Rows, nu = e.B2.Columns, nv = e.D11.Rows, ny = e.C2.Rows;
        var y = new double[timeSteps * batch * ny];
        double minAbs = double.PositiveInfinity;
        for (int b = 0; b < batch; b++)
        {
            var x = x0.AsSpan(b * nx, nx).ToArray();
            for (int t = 0; t < timeSteps; t++)
            {
                var ut = u.AsSpan((t * batch + b) * nu, nu).ToArray();
                var w = new double[nv];
                for (int i = 0; i < nv; i++)
                {
                    double v = e.Bv[i];
                    for (int j = 0; j < nx; j++) v += e.C1[i, j] * x[j];
                    for (int j = 0; j < nu; j++) v += e.D12[i, j] * ut[j];
                    for (int j = 0; j < i; j++) v += e.D11[i, j] * w[j];
                    minAbs = Math.Min(minAbs, Math.Abs(v));
                    w[i] = act == Activation.ReLU ? Math.Max(0, v) : Math.Tanh(v);
                }
                var next = new double[nx];
                for (int i = 0; i < nx; i++)
                {
                    double s = e.Bx[i];
                    for (int j = 0; j < nx; j++) s += e.A[i, j] * x[j];
                    for (int j = 0; j < nv; j++) s += e.B1[i, j] * w[j];
                    for (int j = 0; j < nu; j++) s += e.B2[i, j] * ut[j];
                    next[i] = s;
                }
                for (int i = 0; i < ny; i++)
                {
                    double s = e.By[i];
                    for (int j = 0; j < nx; j++) s += e.C2[i, j] * x[j];
                    for (int j = 0; j < nv; j++) s += e.D21[i, j] * w[j];
                    for (int j = 0; j < nu; j++) s += e.D22[i, j] * ut[j];
                    y[(t * batch + b) * ny + i] = s;
                }
                x = next;
            }
        }
        return (y, minAbs);
    }

    [Theory]
    [InlineData("contracting")]
    [InlineData("lipschitz")]
    [InlineData("general")]
    public void RenRelu_ReplayAgrees_AndGradientMatchesAwayFromKinks(string kind)
    {
        FiniteDifferenceCheck.Problem? problem = null;
        double margin = 0;
        for (int seed = 0; seed < 100 && problem is null; seed++)
        {
            var options = Small(2, 3, nv: 5, Initialization.Random, activation: Activation.ReLU);
            RecurrentModel model = kind switch
            {
                "contracting" => new ContractingRen(options, 140 + seed),
                "lipschitz" => new LipschitzRen(options, 2.0, 140 + seed),
                _ => CreateGeneral(options, 140 + seed),
            };
            var candidate = FiniteDifferenceCheck.Make(model, 140 + seed);
            var ex = ((Ren)model).GetExplicit();
            var (y, m) = ReplayRen(ex, Activation.ReLU, candidate.X0, candidate.U, candidate.T, candidate.B);
            Tests.Models.AssertClose.All(y, candidate.Outputs(), 1e-12, 1e-12, $"{kind} REN: replayed y");
            // Take the first draw that keeps every ReLU at least 1e-3 from its kink (so no finite-difference step
            // crosses one) and whose map is well conditioned (Λ ≤ 100: the draw at seed 140 has ‖D22‖₂ ≈ γ, R₁ nearly
            // singular, Λ up to 8e3, and a rounding scatter in L that swamps the small gradients; see
            // FiniteDifferenceCheck).
            if (m > 1e-3 && ex.Lambda.Max() <= 100) { problem = candidate; margin = m; }
        }
        Assert.True(problem is not null,
                    "no seed kept every ReLU pre-activation away from its kink with a well-conditioned map");
        Check($"{kind} REN relu (kink margin {margin:G3})", problem!, 7,
              g => kind == "contracting" ? D22Builders.Contains(g.Name) : g.Name == "D22");

        static GeneralRen CreateGeneral(RenOptions options, int seed)
        {
            var (q, s, r) = RandomQsr(options.InputSize, options.OutputSize, new Random(seed));
            return new GeneralRen(options, q, s, r, seed);
        }
    }

    // ---- Contracting R2DN with identity output ----

    [Theory]
    [InlineData(LbdnOutputLayer.Nonlinear, Initialization.Random, 151)]
    [InlineData(LbdnOutputLayer.Linear, Initialization.LongMemory, 152)]
    public void ContractingR2dnIdentityOutput_EveryGroupMatchesFiniteDifferences(LbdnOutputLayer output,
                                                                                 Initialization init, int seed)
    {
        var model = new ContractingR2dn(new R2dnOptions
        {
            InputSize = 2, StateSize = 3, NonlinearWidth = 4, OutputSize = 3, HiddenSizes = [5, 4],
            IdentityOutput = true,
            Activation = Activation.Tanh, NetworkOutputLayer = output, Initialization = init,
        }, seed);
        foreach (var name in new[] { "C2", "D21", "D22", "by" }) Assert.False(model.Layout.Contains(name), name);
        var problem = FiniteDifferenceCheck.Make(model, seed);
        var (y, _, _) = model.ForwardBackwardFloat64(problem.X0, problem.U, problem.T, problem.B, (_, _) => { });
        Tests.Models.AssertClose.All(problem.X0, y.AsSpan(0, problem.B * 3), 0, 0, "y_0 = x_0");
        int lastLayer = model.Options.HiddenSizes.Length;
        Check($"contracting R2DN identity output {output} {init}", problem, seed,
              g => output == LbdnOutputLayer.Linear && g.Name == $"network/layers_{lastLayer}/d");
    }
}
