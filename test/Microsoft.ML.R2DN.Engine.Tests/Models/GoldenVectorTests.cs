using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Models;

/// <summary>Outputs, loss and gradients agree with the PyTorch reference (test/reference) for fixed parameters and
/// inputs.</summary>
public class GoldenVectorTests
{
    private const double Eps = Numerics.Epsilon;

    [Theory]
    [InlineData("r2dn_relu_small")]
    [InlineData("r2dn_tanh_linear")]
    [InlineData("r2dn_relu_nohidden")]
    [InlineData("r2dn_contracting_abar")]
    [InlineData("r2dn_lipschitz_small")]
    [InlineData("r2dn_lipschitz_relu")]
    public void R2dn_Float64_MatchesReference(string name)
    {
        var gold = Golden.Load(name);
        var model = gold.CreateR2dn();
        CheckRolloutAndGradients(gold, model, () => model.GetExplicit().H);
        var e = model.GetExplicit();
        foreach (var (key, m) in new[] { ("A", e.A), ("B1", e.B1), ("B2", e.B2), ("D12", e.D12), ("D21", e.D21),
                                        ("E", e.E) })
            AssertClose.All(gold.Tensor("explicit", key).Data, m.Data, 1e-9, 1e-11, key);
    }

    // Loads the golden parameters into the model, runs the float64 forward and backward with the paper's loss
    // (1/T)·Σ_t (Σ_{b,c}(y − target)² + ε), and checks H, the outputs, the final state, the loss and every gradient.
    private static void CheckRolloutAndGradients(Golden gold, RecurrentModel model,
                                                 Func<Microsoft.ML.R2DN.Engine.LinearAlgebra.Matrix> h)
    {
        Assert.Equal(gold.ParameterCount, model.ParameterCount);
        gold.LoadParameters(model.Layout, model.Parameters);
        var (uShape, u) = gold.Tensor("u");
        int T = uShape[0], B = uShape[1];
        var (_, x0) = gold.Tensor("x0");
        var (_, target) = gold.Tensor("target");
        double loss = 0;
        var (y, xT, grad) = model.ForwardBackwardFloat64(x0, u, T, B, (yh, dy) =>
        {
            loss = Eps;
            for (int i = 0; i < yh.Length; i++) { double e = yh[i] - target[i]; loss += e * e / T; dy[i] = 2 * e / T; }
        });
        AssertClose.All(gold.Tensor("explicit", "H").Data, h().Data, 1e-9, 1e-11, "H");
        AssertClose.All(gold.Tensor("y").Data, y, 1e-9, 1e-10, "y");
        AssertClose.All(gold.Tensor("xT").Data, xT, 1e-9, 1e-10, "xT");
        Assert.Equal(gold.Loss, loss, 1e-9 * Math.Abs(gold.Loss));
        foreach (var g in model.Layout.Groups)
            AssertClose.All(gold.Tensor("grads", g.Name).Data, g.Slice(grad), 1e-7, 1e-9, "d" + g.Name);
    }

    [Theory]
    [InlineData("r2dn_relu_small")]
    [InlineData("r2dn_tanh_linear")]
    [InlineData("r2dn_lipschitz_small")]
    public void R2dn_Float32_MatchesReference(string name)
    {
        var gold = Golden.Load(name);
        var model = gold.CreateR2dn();
        model.Threads = 2;
        gold.LoadParameters(model.Layout, model.Parameters);
        var (uShape, u) = gold.Tensor("u");
        int T = uShape[0], B = uShape[1];
        float[] F(double[] a) => a.Select(v => (float)v).ToArray();
        var y = new float[T * B * model.OutputSize];
        var xT = new float[B * model.StateSize];
        var grad = new double[model.ParameterCount];
        double loss = model.LossAndGradient(F(gold.Tensor("x0").Data), F(u), F(gold.Tensor("target").Data), T, B,
                                            new Microsoft.ML.R2DN.Engine.Training.SumSquaredErrorMeanOverTime(), grad,
                                                xT);
        model.Simulate(F(gold.Tensor("x0").Data), F(u), T, B, y, xT);
        AssertClose.All(gold.Tensor("y").Data, y.Select(v => (double)v).ToArray(), 1e-4, 1e-4, "y");
        AssertClose.All(gold.Tensor("xT").Data, xT.Select(v => (double)v).ToArray(), 1e-4, 1e-4, "xT");
        Assert.Equal(gold.Loss, loss, 1e-4 * gold.Loss);
        foreach (var g in model.Layout.Groups)
            AssertClose.All(gold.Tensor("grads", g.Name).Data, g.Slice(grad), 2e-3, 2e-4, "d" + g.Name);
    }

    [Theory]
    [InlineData("ren_contracting_small")]
    [InlineData("ren_contracting_abar")]
    [InlineData("ren_lipschitz_small")]
    [InlineData("ren_lipschitz_wide")]
    [InlineData("ren_general_qsr")]
    public void Ren_Float64_MatchesReference(string name)
    {
        var gold = Golden.Load(name);
        var model = gold.CreateRen();
        CheckRolloutAndGradients(gold, model, () => model.GetExplicit().H);
        var ex = model.GetExplicit();
        foreach (var (key, m) in new[] { ("A", ex.A), ("B1", ex.B1), ("B2", ex.B2), ("C1", ex.C1), ("D11", ex.D11),
                                        ("D12", ex.D12),
                                         ("C2", ex.C2), ("D21", ex.D21), ("D22", ex.D22), ("E", ex.E), ("P", ex.P) })
            AssertClose.All(gold.Tensor("explicit", key).Data, m.Data, 1e-9, 1e-11, key);
    }

    [Theory]
    [InlineData("lbdn_relu")]
    [InlineData("lbdn_tanh_linear")]
    public void Lbdn_Float64_MatchesReference(string name)
    {
        var gold = Golden.Load(name);
        var net = new Lbdn(gold.LbdnOptions());
        Assert.Equal(gold.ParameterCount, net.ParameterCount);
        gold.LoadParameters(net.Layout, net.Parameters);
        var (uShape, u) = gold.Tensor("u");
        var (_, target) = gold.Tensor("target");
        double loss = 0;
        var (y, grad) = net.ForwardBackwardFloat64(u, uShape[0], (yh, dy) =>
        {
            for (int i = 0; i < yh.Length; i++) { double e = yh[i] - target[i]; loss += e * e; dy[i] = 2 * e; }
        });
        AssertClose.All(gold.Tensor("y").Data, y, 1e-9, 1e-11, "y");
        Assert.Equal(gold.Loss, loss, 1e-9 * gold.Loss);
        foreach (var g in net.Layout.Groups)
            AssertClose.All(gold.Tensor("grads", g.Name).Data, g.Slice(grad), 1e-7, 1e-9, "d" + g.Name);
    }

    [Fact]
    public void F16Configuration_Has97481Parameters()
    {
        var gold = Golden.Load("r2dn_f16_count");
        var model = new ContractingR2dn(new R2dnOptions
        {
            InputSize = 2, StateSize = 75, NonlinearWidth = 75,
            OutputSize = 3, HiddenSizes = [87, 87, 87]
        });
        Assert.Equal(97_481, model.ParameterCount);
        Assert.Equal(gold.ParameterCount, model.ParameterCount);
    }
}
