using Microsoft.ML.R2DN.Engine.Models;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// The analytic float64 gradients (direct → explicit → fused rollout → BPTT → adjoint maps) agree with central finite
/// differences for every parameter group, at randomly perturbed (not initial) parameters.
/// </summary>
public class GradientCheckTests
{
    // Five-point central differences, fd = [8(L(θ+h) − L(θ−h)) − (L(θ+2h) − L(θ−2h))]/(12h), truncation O(h⁴). With
    // h = 1e-5·max(1, |θ|) the rounding noise (≈ eps·|L|/h) stays near 1e-10 absolute, so gradients a thousand times
    // smaller than the loss still meet 1e-6 relative (the plain 3-point rule at h = 1e-6 has ≈ 1e-8 absolute noise and
    // fails that on the small U-diagonal entries of XY, whose gradient flows only through ‖XY‖). The step also moves
    // every ReLU pre-activation by far less than the 1e-3 kink margin demanded below. The pass criterion is
    // |fd − an| ≤ 1e-6·max(|fd|, |an|, 1e-8) + 10·eps·|L|/h, the last term being that rounding floor.
    private const double RelativeStep = 1e-5;
    private const double RelativeTolerance = 1e-6;
    private readonly ITestOutputHelper _log;

    public GradientCheckTests(ITestOutputHelper log) => _log = log;

    private static double Loss(double[] y, double[] c, double[]? dy) => FiniteDifferenceCheck.Loss(y, c, dy);

    private static R2dnOptions SmallR2dn(Activation activation, LbdnOutputLayer output, Initialization init,
                                         double rate = 1.0)
    {
        return new()
        {
            InputSize = 2, StateSize = 3, NonlinearWidth = 4, OutputSize = 2, HiddenSizes = [5, 4],
            Activation = activation, NetworkOutputLayer = output, Initialization = init, ContractionRate = rate,
        };
    }

    // The smallest |pre-activation| of the problem's rollout, from an independent float64 replay that must agree with
    // the model.
    private static double MinAbsPreActivation(FiniteDifferenceCheck.Problem p)
    {
        var net = p.Model.Compile<double>(p.Model.CreateMap());
        var (y, margin) = PropertyHelpers.ReplayFused(net, p.X0, p.U, p.T, p.B);
        Tests.Models.AssertClose.All(y, p.Outputs(), 1e-12, 1e-12, "replayed y");
        return margin;
    }

    private static FiniteDifferenceCheck.Problem MakeR2dn(R2dnOptions options, int seed, double noise = 0.3)
    {
        var rng = new Random(seed);
        var model = new ContractingR2dn(options, seed) { Threads = 1 };
        PropertyHelpers.PerturbAll(model.Parameters, model.Layout, rng, noise);
        const int T = 5, B = 3;
        return new FiniteDifferenceCheck.Problem
        {
            Model = model,
            X0 = rng.Normals(B * options.StateSize),
            U = rng.Normals(T * B * options.InputSize),
            C = rng.Normals(T * B * options.OutputSize),
            T = T, B = B,
        };
    }

    /// <summary>
    /// Compares central differences with the analytic gradient on up to <paramref name="perGroup"/> random entries of
    /// every group (all entries of small groups). Returns the number of entries checked.
    /// </summary>
    private int CheckGroups(string label, ParameterLayout layout, double[] parameters, double[] gradient,
                            Func<double> loss,
                            Random rng, int perGroup, Func<ParameterGroup, bool>? include = null, Func<ParameterGroup,
                                bool>? mustBeZero = null)
    {
        int checkedEntries = 0;
        double l0 = loss();
        double worst = 0;
        string worstAt = "";
        foreach (var g in layout.Groups)
        {
            if (include is not null && !include(g)) continue;
            var indices = Enumerable.Range(0, g.Length).ToArray();
            rng.Shuffle(indices);
            double groupMaxAbs = 0;
            foreach (int i in indices.Take(perGroup))
            {
                int j = g.Offset + i;
                double theta = parameters[j];
                double h = RelativeStep * Math.Max(1.0, Math.Abs(theta));
                double At(double value) { parameters[j] = value; return loss(); }
                double d1 = At(theta + h) - At(theta - h);
                double d2 = At(theta + 2 * h) - At(theta - 2 * h);
                parameters[j] = theta;
                double fd = (8 * d1 - d2) / (12 * h);
                double an = gradient[j];
                double scale = Math.Max(Math.Max(Math.Abs(fd), Math.Abs(an)), 1e-8);
                // Rounding floor of the difference quotient: L itself is only known to a few ulps (≈ eps·|L|), so fd
                // carries ≈ eps·|L|/h of noise whatever the gradient (measured: an exactly-zero dY_ii gave fd ≈ 3e-10
                // at |L| = 30).
                double floor = 10 * 2.220446049250313e-16 * Math.Max(1.0, Math.Abs(l0)) / h;
                double err = Math.Abs(fd - an);
                double rel = err / scale;
                if (rel > worst) { worst = rel; worstAt = $"{g.Name}[{i}] fd={fd:R} an={an:R}"; }
                Assert.True(err <= RelativeTolerance * scale + floor,
                    $"{label}: d{g.Name}[{i}]: finite difference {fd:R}, analytic {an:R}, relative error {rel:G3} > " +
                    $"{RelativeTolerance:G3} (noise floor {floor:G3}).");
                groupMaxAbs = Math.Max(groupMaxAbs, Math.Abs(an));
                checkedEntries++;
            }
            if (mustBeZero is not null && mustBeZero(g))
                Assert.True(g.Slice(gradient).ToArray().All(v => v == 0),
                            $"{label}: d{g.Name} should be exactly zero (unused parameter).");
            else
                Assert.True(groupMaxAbs > 0,
                            $"{label}: the checked entries of d{g.Name} are all zero; the check would be vacuous.");
        }
        _log.WriteLine($"{label}: {checkedEntries} entries, worst relative error {worst:G3} at {worstAt}");
        return checkedEntries;
    }

    [Theory]
    [InlineData(LbdnOutputLayer.Nonlinear, Initialization.Random, 11, 1.0)]
    [InlineData(LbdnOutputLayer.Nonlinear, Initialization.LongMemory, 12, 1.0)]
    [InlineData(LbdnOutputLayer.Linear, Initialization.Random, 13, 1.0)]
    [InlineData(LbdnOutputLayer.Linear, Initialization.LongMemory, 14, 1.0)]
    [InlineData(LbdnOutputLayer.Nonlinear, Initialization.Random, 15, 0.8)]
    public void R2dnTanh_EveryGroupMatchesFiniteDifferences(LbdnOutputLayer output, Initialization init, int seed,
                                                            double rate)
    {
        var problem = MakeR2dn(SmallR2dn(Activation.Tanh, output, init, rate), seed);
        var model = (ContractingR2dn)problem.Model;
        // The perturbation makes B1 and C1 (zero at a long-memory initialisation) nonzero, so every path is exercised.
        Assert.True(model.GetExplicit().B1.MaxAbs() > 1e-3 && model.GetExplicit().C1.MaxAbs() > 1e-3);
        var gradient = problem.Gradient();
        int lastLayer = model.Options.HiddenSizes.Length;
        int n = CheckGroups($"R2DN tanh {output} {init} ᾱ={rate}", model.Layout, model.Parameters, gradient,
                            problem.Loss, new Random(seed + 100), 6,
            mustBeZero: g => output == LbdnOutputLayer.Linear && g.Name == $"network/layers_{lastLayer}/d");
        Assert.True(n >= 6 * 10, $"only {n} entries were checked");
    }

    [Fact]
    public void R2dnRelu_GradientMatchesAwayFromKinks()
    {
        // Pick the first seed whose inputs keep every ReLU pre-activation at least 1e-3 from zero: the finite
        // differences (relative step 1e-6) then never cross a kink, and the model is smooth where it is probed.
        foreach (var output in new[] { LbdnOutputLayer.Nonlinear, LbdnOutputLayer.Linear })
        {
            FiniteDifferenceCheck.Problem? problem = null;
            double margin = 0;
            for (int seed = 0; seed < 200 && problem is null; seed++)
            {
                var candidate = MakeR2dn(SmallR2dn(Activation.ReLU, output, Initialization.Random), 1000 + seed);
                margin = MinAbsPreActivation(candidate);
                if (margin > 1e-3) problem = candidate;
            }
            Assert.True(problem is not null, "no seed kept every ReLU pre-activation away from its kink");
            var model = (ContractingR2dn)problem!.Model;
            var gradient = problem.Gradient();
            int lastLayer = model.Options.HiddenSizes.Length;
            CheckGroups($"R2DN relu {output} (kink margin {margin:G3})", model.Layout, model.Parameters, gradient,
                        problem.Loss, new Random(7), 3,
                mustBeZero: g => output == LbdnOutputLayer.Linear && g.Name == $"network/layers_{lastLayer}/d");
        }
    }

    [Theory]
    [InlineData(LbdnOutputLayer.Nonlinear, 21)]
    [InlineData(LbdnOutputLayer.Linear, 22)]
    public void LbdnTanh_EveryGroupMatchesFiniteDifferences(LbdnOutputLayer output, int seed)
    {
        var rng = new Random(seed);
        var net = new Lbdn(new LbdnOptions
        {
            InputSize = 3, OutputSize = 2, HiddenSizes = [5, 4], Gamma = 2,
            Activation = Activation.Tanh, OutputLayer = output
        }, seed);
        PropertyHelpers.PerturbAll(net.Parameters, net.Layout, rng, 0.3);
        const int B = 4;
        var u = rng.Normals(B * 3);
        var c = rng.Normals(B * 2);
        double LossOf() => Loss(net.ForwardBackwardFloat64(u, B, (_, _) => { }).Outputs, c, null);
        var (y, gradient) = net.ForwardBackwardFloat64(u, B, (yh, dy) => Loss(yh, c, dy));
        // The public float64 Evaluate agrees with the verification path.
        var yEval = new double[y.Length];
        net.Evaluate(u, B, yEval);
        Tests.Models.AssertClose.All(y, yEval, 1e-14, 1e-14, "Evaluate");
        CheckGroups($"LBDN tanh {output}", net.Layout, net.Parameters, gradient, LossOf, new Random(seed + 100), 6,
            mustBeZero: g => output == LbdnOutputLayer.Linear && g.Name == "layers_2/d");
    }

    [Fact]
    public void PolarScales_GradientsAreRight_WhenXIsScaledBy1e3()
    {
        // H depends on X only through X/‖X‖ and W on XY only through XY/‖XY‖: with X and every XY multiplied by 1e3,
        // the scales p and a carry the whole magnitude, and their gradients must still be exact.
        var problem = MakeR2dn(SmallR2dn(Activation.Tanh, LbdnOutputLayer.Nonlinear, Initialization.Random), 31);
        var model = problem.Model;
        var par = model.Parameters;
        var before = problem.Loss();
        PropertyHelpers.Scale(par, model.Layout["X"], 1e3);
        foreach (var g in model.Layout.Groups.Where(g => g.Name.EndsWith("/XY", StringComparison.Ordinal)))
            PropertyHelpers.Scale(par, g, 1e3);
        // The loss barely moves (only through ε inside the norms).
        Assert.Equal(before, problem.Loss(), 1e-5 * Math.Abs(before));
        var gradient = problem.Gradient();
        CheckGroups("polar scales (X, XY ×1e3)", model.Layout, par, gradient, problem.Loss, new Random(5), 6,
            include: g => g.Name == "p" || g.Name == "X" || g.Name.EndsWith("/a", StringComparison.Ordinal)
                || g.Name.EndsWith("/XY", StringComparison.Ordinal));
        // The scale invariance shows in the gradient: ⟨dL/dX, X⟩ ≈ 0, so the gradient is orthogonal to the scaling
        // direction.
        var x = model.Layout["X"];
        double radial = 0, norm = 0;
        for (int i = 0; i < x.Length; i++)
        {
            radial += gradient[x.Offset + i] * par[x.Offset + i]; norm += gradient[x.Offset + i] * gradient[x.Offset
            + i];
        }
        Assert.True(Math.Abs(radial) <= 1e-6 * Math.Sqrt(norm) * PropertyHelpers.Norm(x.Slice(par)),
            $"⟨dL/dX, X⟩ = {radial:G3} is not ≈ 0");
    }
}
