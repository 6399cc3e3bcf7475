using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.TorchSharp.Tests;

/// <summary>The model variants every equality test runs on, with small shapes and random data.</summary>
internal static class TestModels
{
    public const int Nu = 2, Nx = 4, Nv = 5, Ny = 3;

    public static readonly string[] Variants =
        ["contracting-r2dn-relu", "contracting-r2dn-tanh", "contracting-r2dn-linear-out", "lipschitz-r2dn",
         "contracting-ren", "lipschitz-ren", "general-ren"];

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var v in Variants) data.Add(v);
        return data;
    }

    public static RecurrentModel Create(string variant, int seed = 7)
    {
        var r2dn = new R2dnOptions
        {
            InputSize = Nu, StateSize = Nx, NonlinearWidth = Nv, OutputSize = Ny, HiddenSizes = [6, 5],
            Initialization = Initialization.Random,
        };
        var ren = new RenOptions
        {
            InputSize = Nu, StateSize = Nx, NonlinearWidth = Nv, OutputSize = Ny,
            Initialization = Initialization.Random, Activation = Activation.Tanh
        };
        RecurrentModel model = variant switch
        {
            "contracting-r2dn-relu" => new ContractingR2dn(r2dn, seed),
            "contracting-r2dn-tanh" =>
                new ContractingR2dn(r2dn with { Activation = Activation.Tanh, ContractionRate = 0.9 }, seed),
            "contracting-r2dn-linear-out" =>
                new ContractingR2dn(r2dn with { NetworkOutputLayer = LbdnOutputLayer.Linear }, seed),
            "lipschitz-r2dn" => new LipschitzR2dn(r2dn with { Activation = Activation.Tanh }, 2.0, seed),
            "contracting-ren" => new ContractingRen(ren, seed),
            "lipschitz-ren" => new LipschitzRen(ren with { Activation = Activation.ReLU }, 2.0, seed),
            "general-ren" => new GeneralRen(ren, Supply.Q, Supply.S, Supply.R, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        // Move every parameter off its initial value (biases and D22 start at zero) so that every path is live.
        var rng = new Random(seed + 1000);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] += 0.05 * (rng.NextDouble() * 2 - 1);
        return model;
    }

    /// <summary>A fixed valid (Q, S, R) supply rate for nu = 2, ny = 3: Q (−1.2 on the diagonal, −0.1 off it) negative
    /// definite, R − S·Q⁻¹·Sᵀ ≻ 0.</summary>
    private static class Supply
    {
        public static readonly Engine.LinearAlgebra.Matrix Q = Build(3, 3, (i, j) => i == j ? -1.2 : -0.1);
        public static readonly Engine.LinearAlgebra.Matrix S = Build(2, 3, (i, j) => 0.1 * (i + 1) - 0.05 * j);
        public static readonly Engine.LinearAlgebra.Matrix R = Build(2, 2, (i, j) => i == j ? 1.5 : 0.2);

        private static Engine.LinearAlgebra.Matrix Build(int r, int c, Func<int, int, double> f)
        {
            var m = new Engine.LinearAlgebra.Matrix(r, c);
            for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i, j] = f(i, j);
            return m;
        }
    }

    public static float[] Random(int length, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(scale * (rng.NextDouble() * 2 - 1));
        return a;
    }

    /// <summary>max|a − b| / max|b|: the error relative to the size of the reference.</summary>
    public static double RelativeError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        { diff = Math.Max(diff, Math.Abs((double)a[i] - b[i])); scale = Math.Max(scale, Math.Abs(b[i])); }
        return diff / scale;
    }

    /// <summary>max|a − b| / max|b|.</summary>
    public static double RelativeError(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        { diff = Math.Max(diff, Math.Abs(a[i] - b[i])); scale = Math.Max(scale, Math.Abs(b[i])); }
        return diff / scale;
    }
}
