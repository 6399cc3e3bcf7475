using Microsoft.ML.R2DN.Engine.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp.Tests;

/// <summary>
/// For the same parameters the TorchSharp backend computes what the managed engine computes: outputs and final states
/// within 1e-5 and loss gradients within 1e-4, each as max|difference| / max|managed value| (of the whole output array,
/// and of each parameter group's gradient), for every model variant. Both run the map in float64 and the time loop in
/// float32; the differences are float32 rounding in different summation orders.
/// </summary>
public class EqualityTests(ITestOutputHelper output)
{
    private const int T = 24, B = 3;
    private const double ForwardTolerance = 1e-5, GradientTolerance = 1e-4;

    [Theory]
    [MemberData(nameof(TestModels.All), MemberType = typeof(TestModels))]
    public void Forward_EqualsManagedSimulate(string variant)
    {
        var managed = TestModels.Create(variant);
        managed.Threads = 1;
        var x0 = TestModels.Random(B * managed.StateSize, 1, 0.5);
        var u = TestModels.Random(T * B * managed.InputSize, 2);
        var yM = new float[T * B * managed.OutputSize];
        var xM = new float[B * managed.StateSize];
        managed.Simulate(x0, u, T, B, yM, xM);

        using var model = new TorchSharpSequenceModel(managed);
        var yT = new float[yM.Length];
        var xTorch = new float[xM.Length];
        model.Simulate(x0, u, T, B, yT, xTorch);

        // The autograd forward (the training path) gives the same outputs as inference.
        using var scope = NewDisposeScope();
        var (yGrad, xGrad) = model.Network.forward(tensor(x0, [B, managed.StateSize]),
                                                   tensor(u, [T, B, managed.InputSize]));
        var yGradHost = yGrad.detach().data<float>().ToArray();

        double ey = TestModels.RelativeError(yT, yM), ex = TestModels.RelativeError(xTorch, xM);
        double eg = TestModels.RelativeError(yGradHost, yM);
        output.WriteLine($"{variant}: y rel err {ey:E2} (autograd path {eg:E2}), x_T rel err {ex:E2}, " +
                         $"max|y| {yM.Max(Math.Abs):G3}");
        Assert.True(ey <= ForwardTolerance, $"y: {ey:E3}");
        Assert.True(eg <= ForwardTolerance, $"y (autograd path): {eg:E3}");
        Assert.True(ex <= ForwardTolerance, $"x_T: {ex:E3}");
    }

    [Theory]
    [MemberData(nameof(TestModels.All), MemberType = typeof(TestModels))]
    public void LossGradient_EqualsManagedLossAndGradient(string variant)
    {
        var managed = TestModels.Create(variant);
        managed.Threads = 1;
        var x0 = TestModels.Random(B * managed.StateSize, 3, 0.5);
        var u = TestModels.Random(T * B * managed.InputSize, 4);
        var target = TestModels.Random(T * B * managed.OutputSize, 5);
        var loss = new SumSquaredErrorMeanOverTime();
        var gM = new double[managed.ParameterCount];
        var xM = new float[B * managed.StateSize];
        double lM = managed.LossAndGradient(x0, u, target, T, B, loss, gM, xM);

        using var model = new TorchSharpSequenceModel(managed);
        var gT = new double[managed.ParameterCount];
        var xTorch = new float[xM.Length];
        double lT = model.LossAndGradient(x0, u, target, T, B, loss, gT, xTorch);
        // A second call overwrites the gradient rather than accumulating into it (libtorch CPU kernels are not bitwise
        // reproducible from call to call, so the comparison has a tolerance; accumulation would double the gradient).
        var gT2 = new double[managed.ParameterCount];
        model.LossAndGradient(x0, u, target, T, B, loss, gT2, xTorch);
        Assert.True(TestModels.RelativeError(gT2, gT) <= 1e-6, "second call");

        Assert.True(Math.Abs(lT - lM) <= ForwardTolerance * Math.Abs(lM), $"loss {lT} vs {lM}");
        double worst = 0;
        string worstGroup = "";
        foreach (var g in managed.Layout.Groups)
        {
            var a = gT.AsSpan(g.Offset, g.Length); var b = gM.AsSpan(g.Offset, g.Length);
            double scale = 0;
            foreach (var v in b) scale = Math.Max(scale, Math.Abs(v));
            if (scale == 0)
            {
                // A group the loss does not depend on (X3, Y3, Z3 of a contracting REN): zero on both sides.
                foreach (var v in a) Assert.Equal(0.0, v);
                continue;
            }
            double e = TestModels.RelativeError(a, b);
            if (e > worst) { worst = e; worstGroup = g.Name; }
            Assert.True(e <= GradientTolerance, $"{variant}: gradient of {g.Name}: relative error {e:E3}");
        }
        double whole = TestModels.RelativeError(gT, gM);
        output.WriteLine($"{variant}: loss {lT:G9} vs {lM:G9}; gradient rel err whole {whole:E2}, " +
                         $"worst group {worstGroup} {worst:E2}");
    }
}
