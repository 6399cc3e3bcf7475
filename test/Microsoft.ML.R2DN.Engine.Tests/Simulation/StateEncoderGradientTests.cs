using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Simulation;
using Microsoft.ML.R2DN.Engine.Tests.Properties;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Engine.Tests.Simulation;

/// <summary>
/// The encoder path of subsequence training in float64: a loss of the model's outputs from x_0 = ψ(z) against central
/// finite differences, for every encoder parameter and every entry of x_0 (dLoss/dx_0 from the model's backward
/// pass), R2DN and REN, contracting and Lipschitz, with and without hidden layers, at perturbed parameters.
/// </summary>
public sealed class StateEncoderGradientTests(ITestOutputHelper log)
{
    private const int T = 6, B = 3, Window = 4, Nu = 2, Ny = 2;

    public static TheoryData<ModelKind, Robustness, int[]> Cases => new()
    {
        { ModelKind.R2dn, Robustness.Contracting, [5] },
        { ModelKind.R2dn, Robustness.Lipschitz, [5, 3] },
        { ModelKind.Ren, Robustness.Contracting, [4] },
        { ModelKind.Ren, Robustness.Lipschitz, [] },
    };

    private sealed record Problem(RecurrentModel Model, StateEncoder Encoder, double[] Z, double[] U, double[] C)
    {
        // L(θ, ψ) = Σ c·y + ½ Σ y² with x_0 = ψ(z); also the gradients with respect to ψ's parameters and x_0.
        public (double Loss, double[] EncoderGradient, double[] StateGradient) Evaluate()
        {
            double loss = 0;
            var x0 = Encoder.EncodeFloat64(Z, B);
            var (_, _, _, dx0) = Model.ForwardBackwardFloat64WithState(x0, U, T, B,
                (y, dy) => loss = FiniteDifferenceCheck.Loss(y, C, dy));
            return (loss, Encoder.BackwardFloat64(dx0), dx0);
        }

        public double LossAt(double[] x0)
        {
            double loss = 0;
            Model.ForwardBackwardFloat64(x0, U, T, B, (y, dy) => loss = FiniteDifferenceCheck.Loss(y, C, dy));
            return loss;
        }
    }

    private static Problem Make(ModelKind kind, Robustness robustness, int[] hidden, int seed)
    {
        var rng = new Random(seed);
        var spec = new ModelSpec
        {
            Kind = kind, Robustness = robustness, Gamma = 2, StateSize = 3, NonlinearWidth = 4, HiddenSizes = [5],
            Activation = Activation.Tanh, Initialization = Initialization.Random,
        };
        var model = spec.Create(Nu, Ny, seed);
        model.Threads = 1;
        PropertyHelpers.PerturbAll(model.Parameters, model.Layout, rng, 0.3);
        var encoder = StateEncoder.Create(Window, Nu, Ny, model.StateSize, hidden, seed);
        for (int i = 0; i < encoder.ParameterCount; i++) encoder.Parameters[i] += 0.3 * rng.Normals(1)[0];
        return new Problem(model, encoder, rng.Normals(B * encoder.FeatureSize), rng.Normals(T * B * Nu),
                           rng.Normals(T * B * Ny));
    }

    // Five-point central differences with h = 1e-5·max(1, |θ|), as in GradientCheckTests.
    private static double Difference(Func<double, double> lossAt, double theta)
    {
        double h = 1e-5 * Math.Max(1, Math.Abs(theta));
        double d1 = lossAt(theta + h) - lossAt(theta - h), d2 = lossAt(theta + 2 * h) - lossAt(theta - 2 * h);
        return (8 * d1 - d2) / (12 * h);
    }

    private static void AssertClose(double fd, double an, double loss, string what)
    {
        double scale = Math.Max(Math.Max(Math.Abs(fd), Math.Abs(an)), 1e-8);
        double floor = 10 * 2.220446049250313e-16 * Math.Max(1, Math.Abs(loss)) / 1e-5;
        Assert.True(Math.Abs(fd - an) <= 1e-6 * scale + floor, $"{what}: finite difference {fd:R}, analytic {an:R}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncoderParameters_MatchFiniteDifferencesThroughTheModel(ModelKind kind, Robustness robustness,
                                                                        int[] hidden)
    {
        var p = Make(kind, robustness, hidden, seed: 31 + hidden.Length);
        var (loss, gradient, _) = p.Evaluate();
        var theta = p.Encoder.Parameters;
        for (int j = 0; j < theta.Length; j++)
        {
            double saved = theta[j];
            double fd = Difference(v => { theta[j] = v; return p.Evaluate().Loss; }, saved);
            theta[j] = saved;
            AssertClose(fd, gradient[j], loss, $"{kind} {robustness} encoder parameter {j}");
        }
        Assert.Contains(gradient, g => Math.Abs(g) > 1e-6);
        log.WriteLine($"{kind} {robustness} hidden [{string.Join(',', hidden)}]: {theta.Length} encoder parameters " +
                      $"checked");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InitialStateGradient_MatchesFiniteDifferences(ModelKind kind, Robustness robustness, int[] hidden)
    {
        var p = Make(kind, robustness, hidden, seed: 57);
        var x0 = p.Encoder.EncodeFloat64(p.Z, B);
        var (loss, _, dx0) = p.Evaluate();
        for (int j = 0; j < x0.Length; j++)
        {
            double saved = x0[j];
            double fd = Difference(v => { x0[j] = v; return p.LossAt(x0); }, saved);
            x0[j] = saved;
            AssertClose(fd, dx0[j], loss, $"{kind} {robustness} dx0[{j}]");
        }
    }

    [Fact]
    public void Float32Path_AgreesWithFloat64()
    {
        var p = Make(ModelKind.R2dn, Robustness.Contracting, [5], seed: 8);
        var (_, gradient64, dx64) = p.Evaluate();
        var z = p.Z.Select(v => (float)v).ToArray();
        var x0 = new float[B * p.Model.StateSize];
        p.Encoder.Encode(z, B, x0);
        var modelGradient = new double[p.Model.ParameterCount];
        var dx0 = new float[x0.Length];
        var target = p.C.Select(c => (float)c).ToArray();
        p.Model.LossAndGradient(x0, p.U.Select(v => (float)v).ToArray(), target, T, B, new LinearPlusHalfSquare(),
                                modelGradient, new float[x0.Length], dx0);
        for (int i = 0; i < dx0.Length; i++) Assert.Equal(dx64[i], dx0[i], 1e-4 * Math.Max(1, Math.Abs(dx64[i])));
        var gradient = new double[p.Encoder.ParameterCount];
        p.Encoder.Backward(dx0, gradient);
        for (int i = 0; i < gradient.Length; i++)
            Assert.Equal(gradient64[i], gradient[i], 1e-3 * Math.Max(1, Math.Abs(gradient64[i])));
    }

    // The float32 form of FiniteDifferenceCheck.Loss: L = Σ c·y + ½ Σ y², dL/dy = c + y (c passed as the target).
    private sealed class LinearPlusHalfSquare : ISequenceLoss
    {
        public double Evaluate(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int timeSteps, int batch,
                               int outputs, Span<float> gradient)
        {
            double loss = 0;
            for (int i = 0; i < predicted.Length; i++)
            {
                loss += target[i] * predicted[i] + 0.5 * predicted[i] * predicted[i];
                gradient[i] = target[i] + predicted[i];
            }
            return loss;
        }
    }
}
