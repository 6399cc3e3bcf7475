using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Engine.Models;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Engine.Tests.Properties;

/// <summary>
/// An LBDN is γ-Lipschitz and each Sandwich layer is 1-Lipschitz (MODELS.md 1.3, 2.6, section 5 item 2) for every
/// value of the direct parameters, here badly scaled ones: XY ×1e3, a spread over orders of magnitude, d with noise
/// of std 3 (ψ up to e^±9), b with noise.
/// </summary>
public class LipschitzTests
{
    private const double Sqrt2 = 1.4142135623730951;
    private readonly ITestOutputHelper _log;

    public LipschitzTests(ITestOutputHelper log) => _log = log;

    /// <summary>
    /// Badly scaled parameters (XY ×1e3, a ×e^{1.5N}, d + N(0, 3²), b + N(0, 2²)). With ψ = e^d spread over e^±9 and
    /// biases of ±2, most tanh units saturate and most ReLUs die, so the network is nearly constant and the bound holds
    /// with a huge margin; <see cref="ModeratelyScaledLbdn"/> keeps the signal alive so that the ratios come close to
    /// γ.
    /// </summary>
    private static Lbdn BadlyScaledLbdn(double gamma, LbdnOutputLayer output, Activation activation, int seed,
                                        int[]? hidden = null, int input = 4, int outputSize = 3) =>
        PerturbedLbdn(gamma, output, activation, seed, hidden, input, outputSize, aLog: 1.5, dStd: 3, bStd: 2);

    /// <summary>XY ×1e3 (harmless: only its direction counts), a ×e^{0.5N}, d + N(0, 0.7²), b + N(0, 0.2²).</summary>
    private static Lbdn ModeratelyScaledLbdn(double gamma, LbdnOutputLayer output, Activation activation, int seed) =>
        PerturbedLbdn(gamma, output, activation, seed, null, 4, 3, aLog: 0.5, dStd: 0.7, bStd: 0.2);

    private static Lbdn PerturbedLbdn(double gamma, LbdnOutputLayer output, Activation activation, int seed,
                                      int[]? hidden, int input, int outputSize, double aLog, double dStd, double bStd)
    {
        var net = new Lbdn(new LbdnOptions
        {
            InputSize = input, OutputSize = outputSize, HiddenSizes = hidden ?? [6, 5, 7], Gamma = gamma,
            Activation = activation, OutputLayer = output,
        }, seed);
        var rng = new Random(seed + 7);
        var par = net.Parameters;
        foreach (var g in net.Layout.Groups)
        {
            if (g.Name.EndsWith("/XY", StringComparison.Ordinal))
            {
                PropertyHelpers.AddNoise(par, g, rng, 0.5);
                PropertyHelpers.Scale(par, g, 1e3);
            }
            else if (g.Name.EndsWith("/a", StringComparison.Ordinal)) par[g.Offset] *= Math.Exp(aLog * rng.Normal());
            else if (g.Name.EndsWith("/d", StringComparison.Ordinal)) PropertyHelpers.AddNoise(par, g, rng, dStd);
            else if (g.Name.EndsWith("/b", StringComparison.Ordinal)) PropertyHelpers.AddNoise(par, g, rng, bStd);
        }
        return net;
    }

    private static double Sigma(Activation act, double v) => act == Activation.ReLU ? Math.Max(0, v) : Math.Tanh(v);

    private static double SigmaPrime(Activation act, double v) =>
        act == Activation.ReLU ? (v > 0 ? 1 : 0) : 1 - Math.Tanh(v) * Math.Tanh(v);

    /// <summary>h⁺ = W2·σ(W1·h + b), the activated Sandwich layer, evaluated directly from the layer's
    /// factors.</summary>
    private static double[] Layer(SandwichLayer layer, double[] b, Activation act, double[] h)
    {
        var pre = PropertyHelpers.MatVec(layer.W1, h);
        for (int i = 0; i < pre.Length; i++) pre[i] = Sigma(act, pre[i] + b[i]);
        return PropertyHelpers.MatVec(layer.W2, pre);
    }

    /// <summary>
    /// An independent float64 forward pass through the unfused Sandwich layers (MODELS.md 1.3) with its exact Jacobian:
    /// f = √γ·S_L∘…∘S_0(√γu) (all nonlinear) or f = √γ·B_L·h_L + b_L (linear last layer).
    /// </summary>
    private static (double[] Y, Matrix J) ForwardWithJacobian(Lbdn net, double[] u)
    {
        var map = net.Map();
        var o = net.Options;
        double sg = Math.Sqrt(o.Gamma);
        int stages = o.OutputLayer == LbdnOutputLayer.Linear ? map.Layers.Count - 1 : map.Layers.Count;
        var h = u.Select(v => sg * v).ToArray();
        var j = sg * Matrix.Identity(u.Length);
        for (int k = 0; k < stages; k++)
        {
            var layer = map.Layers[k];
            var b = net.Layout[$"layers_{k}/b"].Slice(net.Parameters);
            var pre = PropertyHelpers.MatVec(layer.W1, h);
            var s = new double[pre.Length];
            var dw1 = layer.W1.Clone();
            for (int i = 0; i < pre.Length; i++)
            {
                double p = pre[i] + b[i];
                s[i] = Sigma(o.Activation, p);
                double slope = SigmaPrime(o.Activation, p);
                for (int c = 0; c < dw1.Columns; c++) dw1[i, c] *= slope;
            }
            h = PropertyHelpers.MatVec(layer.W2, s);
            j = layer.W2 * (dw1 * j);
        }
        if (o.OutputLayer == LbdnOutputLayer.Linear)
        {
            var last = map.Layers[^1];
            var b = net.Layout[$"layers_{map.Layers.Count - 1}/b"].Slice(net.Parameters);
            var y = PropertyHelpers.MatVec(last.B, h);
            for (int i = 0; i < y.Length; i++) y[i] = sg * y[i] + b[i];
            return (y, sg * (last.B * j));
        }
        return (h.Select(v => sg * v).ToArray(), sg * j);
    }

    private static double[] Evaluate(Lbdn net, double[] u)
    {
        var y = new double[net.Options.OutputSize];
        net.Evaluate(u, 1, y);
        return y;
    }

    private static double Distance(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(s);
    }

    public static TheoryData<double, LbdnOutputLayer, Activation> Configurations()
    {
        var data = new TheoryData<double, LbdnOutputLayer, Activation>();
        foreach (var gamma in new[] { 0.5, 1.0, 3.0 })
            foreach (var output in new[] { LbdnOutputLayer.Nonlinear, LbdnOutputLayer.Linear })
                foreach (var act in new[] { Activation.Tanh, Activation.ReLU })
                    data.Add(gamma, output, act);
        return data;
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Lbdn_IsGammaLipschitz_OnRandomAndClosePairs(double gamma, LbdnOutputLayer output, Activation act)
    {
        int seed = (int)(gamma * 10) + 100 * (int)output + 1000 * (int)act;
        string what = $"γ={gamma} {output} {act}";
        double badWorst = PairCheck(BadlyScaledLbdn(gamma, output, act, seed), gamma, seed, "bad " + what);
        double worst = PairCheck(ModeratelyScaledLbdn(gamma, output, act, seed), gamma, seed + 1, "moderate " + what);
        Assert.True(worst > 0.02, $"max ratio {worst:G3}: the moderately scaled network is nearly constant and the " +
                                  "check would be vacuous");
        Assert.True(badWorst <= 1 + 1e-9);
    }

    private double PairCheck(Lbdn net, double gamma, int seed, string label)
    {
        var rng = new Random(seed);
        int nu = net.Options.InputSize;
        double worst = 0;
        for (int pair = 0; pair < 500; pair++)
        {
            double spread = pair % 3 == 0 ? 0.1 : pair % 3 == 1 ? 1 : 10;
            var u1 = rng.Normals(nu, spread);
            // Half of the pairs are close (u2 = u1 + 1e-3·noise): there the ratio approaches the local Jacobian norm.
            var u2 = pair < 250 ? rng.Normals(nu, spread) : u1.Select(v => v + 1e-3 * rng.Normal()).ToArray();
            var y1 = Evaluate(net, u1);
            var y2 = Evaluate(net, u2);
            double du = Distance(u1, u2), dy = Distance(y1, y2);
            worst = Math.Max(worst, dy / (gamma * du));
            Assert.True(dy <= gamma * du * (1 + 1e-9),
                $"{label} pair {pair}: |f(u1) − f(u2)| = {dy:R} > γ|u1 − u2| = {gamma * du:R} " +
                $"(ratio {dy / (gamma * du):R})");
        }
        _log.WriteLine($"{label}: max |Δf|/(γ|Δu|) over 500 pairs = {worst:G6}");
        return worst;
    }

    [Theory]
    [InlineData(0.5, LbdnOutputLayer.Nonlinear)]
    [InlineData(0.5, LbdnOutputLayer.Linear)]
    [InlineData(1.0, LbdnOutputLayer.Nonlinear)]
    [InlineData(1.0, LbdnOutputLayer.Linear)]
    [InlineData(3.0, LbdnOutputLayer.Nonlinear)]
    [InlineData(3.0, LbdnOutputLayer.Linear)]
    public void LbdnTanh_JacobianSpectralNormIsAtMostGamma(double gamma, LbdnOutputLayer output)
    {
        int seed = 50 + (int)(gamma * 10) + 100 * (int)output;
        JacobianCheck(BadlyScaledLbdn(gamma, output, Activation.Tanh, seed), gamma, seed, $"bad γ={gamma} {output}");
        var moderate = ModeratelyScaledLbdn(gamma, output, Activation.Tanh, seed);
        double worst = JacobianCheck(moderate, gamma, seed + 1, $"moderate γ={gamma} {output}");
        Assert.True(worst > 0.05,
                    $"max ‖J‖₂/γ = {worst:G3}: the Jacobian is nearly zero and the check would be vacuous");
    }

    private double JacobianCheck(Lbdn net, double gamma, int seed, string label)
    {
        var rng = new Random(seed);
        int nu = net.Options.InputSize, ny = net.Options.OutputSize;
        double worst = 0;
        for (int point = 0; point < 40; point++)
        {
            var u = rng.Normals(nu, point % 2 == 0 ? 0.3 : 3);
            var (y, jExact) = ForwardWithJacobian(net, u);
            // The unfused reference agrees with the engine's fused evaluation.
            var yEngine = Evaluate(net, u);
            double yScale = Math.Max(1, PropertyHelpers.Norm(y));
            Tests.Models.AssertClose.All(y, yEngine, 0, 1e-12 * yScale, "f(u)");

            // Jacobian column by column from five-point central differences of the engine's Evaluate.
            var jFd = new Matrix(ny, nu);
            const double h = 1e-4;
            for (int c = 0; c < nu; c++)
            {
                double[] At(double step) { var v = (double[])u.Clone(); v[c] += step; return Evaluate(net, v); }
                var p1 = At(h); var m1 = At(-h); var p2 = At(2 * h); var m2 = At(-2 * h);
                for (int r = 0; r < ny; r++) jFd[r, c] = (8 * (p1[r] - m1[r]) - (p2[r] - m2[r])) / (12 * h);
            }
            double jScale = Math.Max(gamma, jExact.MaxAbs());
            double jError = (jFd - jExact).MaxAbs();
            Assert.True(jError <= 1e-6 * jScale,
                        $"{label} point {point}: FD Jacobian differs from the exact one by {jError:G3}");

            double normExact = PropertyHelpers.SpectralNorm(jExact);
            double normFd = PropertyHelpers.SpectralNorm(jFd);
            worst = Math.Max(worst, normExact / gamma);
            Assert.True(normExact <= gamma * (1 + 1e-6),
                        $"{label} point {point}: ‖∂f/∂u‖₂ = {normExact:R} > γ = {gamma}");
            Assert.True(normFd <= gamma * (1 + 1e-6),
                        $"{label} point {point}: finite-difference ‖∂f/∂u‖₂ = {normFd:R} > γ = {gamma}");
        }
        _log.WriteLine($"{label}: max ‖J‖₂/γ over 40 points = {worst:G6}");
        return worst;
    }

    [Theory]
    [InlineData(0.5, LbdnOutputLayer.Nonlinear)]
    [InlineData(1.0, LbdnOutputLayer.Linear)]
    [InlineData(3.0, LbdnOutputLayer.Nonlinear)]
    [InlineData(3.0, LbdnOutputLayer.Linear)]
    public void FusedNetwork_GainIsAtMostGamma_ForEverySlopePattern(double gamma, LbdnOutputLayer output)
    {
        // The engine runs the network as s_0 = σ(W1In·u + c_0), s_k = σ(G_k·s_{k−1} + c_k), f = Out·s_last + OutBias.
        // For any slope-[0,1] activation the Jacobian is Out·D_last·G_last·…·G_1·D_0·W1In with diagonal D_k ∈ [0,1],
        // and the bound must hold for every such pattern — independent of d and b (Ψ cancels), so the bad scaling
        // cannot hide anything behind saturation. Vertices (0/1 patterns), D = I and random interior patterns.
        var net = BadlyScaledLbdn(gamma, output, Activation.ReLU, 400 + (int)(10 * gamma) + (int)output);
        var map = net.Map();
        var rng = new Random(12);
        double largest = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            Matrix ScaleRows(Matrix m)
            {
                var r = m.Clone();
                for (int i = 0; i < r.Rows; i++)
                {
                    double slope = trial == 0 ? 1 : trial < 100 ? rng.Next(2) : rng.NextDouble();
                    for (int c = 0; c < r.Columns; c++) r[i, c] *= slope;
                }
                return r;
            }
            var j = ScaleRows(map.W1In);
            for (int k = 1; k < map.Stages; k++) j = ScaleRows(map.Joints[k] * j);
            j = map.Out * j;
            double norm = PropertyHelpers.SpectralNorm(j);
            largest = Math.Max(largest, norm / gamma);
            Assert.True(norm <= gamma * (1 + 1e-9), $"slope pattern {trial}: gain {norm:R} > γ = {gamma}");
        }
        _log.WriteLine($"γ={gamma} {output}: max gain/γ over slope patterns = {largest:G6}");
        Assert.True(largest > 0.02, $"max gain/γ = {largest:G3}: the check would be vacuous");
    }

    [Theory]
    [InlineData(Activation.Tanh, LbdnOutputLayer.Nonlinear)]
    [InlineData(Activation.ReLU, LbdnOutputLayer.Nonlinear)]
    [InlineData(Activation.Tanh, LbdnOutputLayer.Linear)]
    [InlineData(Activation.ReLU, LbdnOutputLayer.Linear)]
    public void EachSandwichLayer_IsOneLipschitz(Activation act, LbdnOutputLayer output)
    {
        var net = BadlyScaledLbdn(1.0, output, act, 300 + (int)act + 10 * (int)output, hidden: [8, 3, 9]);
        var map = net.Map();
        var rng = new Random(9);
        int stages = output == LbdnOutputLayer.Linear ? map.Layers.Count - 1 : map.Layers.Count;
        for (int k = 0; k < map.Layers.Count; k++)
        {
            var layer = map.Layers[k];
            int m = layer.W1.Columns, n = layer.W1.Rows;
            if (k < stages)
            {
                var b = net.Layout[$"layers_{k}/b"].Slice(net.Parameters).ToArray();
                // Pairs: S(h) = W2·σ(W1·h + b).
                for (int pair = 0; pair < 200; pair++)
                {
                    var h1 = rng.Normals(m, pair % 2 == 0 ? 1 : 30);
                    var h2 = pair < 100 ? rng.Normals(m, 3) : h1.Select(v => v + 1e-3 * rng.Normal()).ToArray();
                    double ds = Distance(Layer(layer, b, act, h1), Layer(layer, b, act, h2));
                    double dh = Distance(h1, h2);
                    Assert.True(ds <= dh * (1 + 1e-9),
                                $"layer {k} pair {pair}: |S(h1) − S(h2)| = {ds:R} > |h1 − h2| = {dh:R}");
                }
                // Sampling-free in the activation: for every diagonal D with entries in [0, 1] (every slope pattern of
                // a slope-restricted σ), ‖W2·D·W1‖₂ = ‖2·Aᵀ·D·B‖₂ ≤ 1. Check the vertices (0/1 patterns) and random
                // interior points.
                double largest = 0;
                for (int trial = 0; trial < 64; trial++)
                {
                    var jac = layer.W1.Clone();
                    for (int i = 0; i < n; i++)
                    {
                        double slope = trial < 32 ? ((trial >> (i % 5)) & 1) : rng.NextDouble();
                        for (int c = 0; c < m; c++) jac[i, c] *= slope;
                    }
                    double norm = PropertyHelpers.SpectralNorm(layer.W2 * jac);
                    Assert.True(norm <= 1 + 1e-9, $"layer {k}, slope pattern {trial}: ‖W2·D·W1‖₂ = {norm:R} > 1");
                    largest = Math.Max(largest, norm);
                }
                // Ψ cancels in W2·D·W1 = 2·Aᵀ·D·B, so the saturation caused by the bad d and b does not make this
                // vacuous.
                _log.WriteLine(
                    $"{act} {output} layer {k} ({m}→{n}): max ‖W2·D·W1‖₂ over slope patterns = {largest:G6}");
                Assert.True(largest > 0.1, $"layer {k}: every slope pattern gives a near-zero gain ({largest:G3}); " +
                                           "the check would be vacuous");
            }
            else
            {
                // Linear output layer h⁺ = B·h + b: ‖B‖₂ ≤ 1.
                double norm = PropertyHelpers.SpectralNorm(layer.B);
                Assert.True(norm <= 1 + 1e-12, $"linear layer: ‖B‖₂ = {norm:R} > 1");
            }
        }
    }

    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void SingleLayerLbdn_WithGammaOne_IsOneLipschitz(Activation act)
    {
        // An LBDN with no hidden layers and γ = 1 is one Sandwich layer on the public API.
        var net = BadlyScaledLbdn(1.0, LbdnOutputLayer.Nonlinear, act, 77 + (int)act, hidden: [], input: 5,
                                  outputSize: 4);
        Assert.Single(net.Map().Layers);
        var rng = new Random(4);
        double worst = 0;
        for (int pair = 0; pair < 300; pair++)
        {
            var u1 = rng.Normals(5, 2);
            var u2 = pair % 2 == 0 ? rng.Normals(5, 2) : u1.Select(v => v + 1e-3 * rng.Normal()).ToArray();
            double ratio = Distance(Evaluate(net, u1), Evaluate(net, u2)) / Distance(u1, u2);
            worst = Math.Max(worst, ratio);
            Assert.True(ratio <= 1 + 1e-9, $"pair {pair}: ratio {ratio:R} > 1");
        }
        Assert.True(worst > 1e-3);
    }
}
