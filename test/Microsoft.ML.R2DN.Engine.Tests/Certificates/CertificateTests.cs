using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Certificates;

/// <summary>Every variant's certificate holds at initialisation and at random, badly scaled parameters (MODELS.md
/// section 5).</summary>
public class CertificateTests
{
    public static IEnumerable<object[]> Models()
    {
        foreach (var init in new[] { Initialization.LongMemory, Initialization.Random })
            foreach (var act in new[] { Activation.ReLU, Activation.Tanh })
            {
                var r2 = new R2dnOptions
                {
                    InputSize = 3, StateSize = 5, NonlinearWidth = 4, OutputSize = 2,
                    HiddenSizes = [6, 5], Activation = act, Initialization = init
                };
                var ren = new RenOptions
                {
                    InputSize = 2, StateSize = 4, NonlinearWidth = 6, OutputSize = 3,
                    Activation = act, Initialization = init
                };
                yield return Case("contracting R2DN", () => new ContractingR2dn(r2, 1));
                yield return Case("contracting R2DN rate 0.7",
                                  () => new ContractingR2dn(r2 with { ContractionRate = 0.7 }, 2));
                yield return Case("Lipschitz R2DN", () => new LipschitzR2dn(r2, 2.5, 3));
                yield return Case("Lipschitz R2DN rate 0.8 γ 0.3",
                                  () => new LipschitzR2dn(r2 with { ContractionRate = 0.8 }, 0.3, 4));
                yield return Case("contracting REN", () => new ContractingRen(ren, 5));
                yield return Case("contracting REN rate 0.6",
                                  () => new ContractingRen(ren with { ContractionRate = 0.6 }, 6));
                yield return Case("Lipschitz REN", () => new LipschitzRen(ren, 4.0, 7));
                yield return Case("Lipschitz REN D22=0", () => new LipschitzRen(ren with { D22Zero = true }, 0.5, 8));
                yield return Case("general REN", () => GeneralRenFor(ren, 9));
            }
    }

    private static object[] Case(string name, Func<RecurrentModel> create) => [name, create];

    internal static GeneralRen GeneralRenFor(RenOptions o, int seed)
    {
        var rnd = new Random(seed);
        Matrix Rand(int r, int c)
        {
            var m = new Matrix(r, c);
            for (int i = 0; i < m.Data.Length; i++) m.Data[i] = rnd.NextDouble() * 2 - 1;
            return m;
        }
        var x = Rand(o.OutputSize, o.OutputSize);
        var q = -1.0 * Matrix.TransposeMultiply(x, x) - 0.1 * Matrix.Identity(o.OutputSize);
        var s = Rand(o.InputSize, o.OutputSize);
        var y = Rand(o.InputSize, o.InputSize);
        var r = s * new LuDecomposition(q).Solve(s.Transpose()) + Matrix.TransposeMultiply(y, y)
            + 0.1 * Matrix.Identity(o.InputSize);
        return new GeneralRen(o, q, s, r.SymmetricPart(), seed);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Certificate_HoldsAtInitialisation_AndAtBadlyScaledParameters(string name, Func<RecurrentModel> create)
    {
        var model = create();
        var cert = model.Certify();
        Assert.True(cert.IsVerified, $"{name} at initialisation: {cert}");
        var rnd = new Random(name.GetHashCode() & 0xffff);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());
        foreach (var (xScale, noise) in new[] { (1.0, 0.5), (1e3, 3.0), (1e-2, 10.0) })
        {
            for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] += noise * Normal();
            foreach (var g in model.Layout.Groups.Where(g => g.Name == "X"))
                foreach (ref var v in g.Slice(model.Parameters)) v *= xScale;
            cert = model.Certify();
            Assert.True(cert.IsVerified, $"{name} at X×{xScale}, noise {noise}: {cert}");
            Assert.True(cert.RelativeResidual <= 1e-9);
        }
    }

    [Fact]
    public void Certificate_FailsWhenTheMatricesDoNotHaveTheProperty()
    {
        // Guard against a vacuous check: the same form with a rate the model was not built for must fail.
        var model = new ContractingR2dn(new R2dnOptions
        {
            InputSize = 2, StateSize = 4, NonlinearWidth = 3,
            OutputSize = 1, HiddenSizes = [4]
        }, 1);
        var m = model.Map();
        var (eig, _) = DissipationForm.Evaluate(m.A, m.B1, null, m.E, m.P, 0.5, m.C1, null, null, null);
        Assert.True(eig > 1e-3, $"λ_max = {eig}");
        var lip = new LipschitzR2dn(new R2dnOptions
        {
            InputSize = 2, StateSize = 4, NonlinearWidth = 3, OutputSize = 2,
            HiddenSizes = [4]
        }, 1.0, 2);
        var lm = lip.Map();
        int nu = 2, ny = 2;
        var (eigLip, _) = DissipationForm.Evaluate(lm.A, lm.B1, lm.B2, lm.E, lm.P, 1.0, lm.C1, null, lm.D12, null,
                                                   lm.C2, lm.D21, lm.D22,
            -100.0 * Matrix.Identity(ny), new Matrix(nu, ny), 0.01 * Matrix.Identity(nu));   // claims γ = 0.01
        Assert.True(eigLip > 0, $"λ_max = {eigLip}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void LipschitzModels_MultiStepGainStaysBelowGamma(double gamma)
    {
        var r2 = new R2dnOptions
        {
            InputSize = 2, StateSize = 6, NonlinearWidth = 5, OutputSize = 2, HiddenSizes = [8],
            Activation = Activation.Tanh, Initialization = Initialization.Random
        };
        var ren = new RenOptions
        {
            InputSize = 2, StateSize = 5, NonlinearWidth = 8, OutputSize = 2,
            Activation = Activation.Tanh, Initialization = Initialization.Random
        };
        foreach (RecurrentModel model in new RecurrentModel[] { new LipschitzR2dn(r2, gamma, 1),
                                                               new LipschitzRen(ren, gamma, 2) })
        {
            var rnd = new Random(3);
            for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] += 0.5 * (rnd.NextDouble() * 2 - 1);
            Assert.True(model.Certify().IsVerified);
            foreach (var pert in new[] { 1e-2, 1.0 })
            {
                var est = EmpiricalGain.Estimate(model, pairs: 32, timeSteps: 60, perturbationScale: pert, seed: 4);
                Assert.True(est.MaxGain <= gamma * (1 + 1e-4),
                            $"{model.GetType().Name}: gain {est.MaxGain} > γ {gamma}");
                Assert.True(est.MaxGain > 1e-3 * gamma, $"{model.GetType().Name}: gain {est.MaxGain} is vacuous");
            }
        }
    }

    [Fact]
    public void GeneralRen_RejectsInvalidSupplyRates()
    {
        var o = new RenOptions { InputSize = 2, StateSize = 3, NonlinearWidth = 4, OutputSize = 2 };
        var eye = Matrix.Identity(2);
        var ex = Assert.Throws<ArgumentException>(() => new GeneralRen(o, eye, new Matrix(2, 2), eye));
        Assert.Contains("negative definite", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new GeneralRen(o, -1.0 * eye, new Matrix(2, 2), -1.0 * eye));
        Assert.Contains("positive definite", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
                                              new GeneralRen(o, -1.0 * Matrix.Identity(3), new Matrix(2, 2), eye));
        Assert.Equal("q", ex.ParamName);
    }
}
