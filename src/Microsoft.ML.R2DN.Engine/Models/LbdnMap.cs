namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The explicit form of an LBDN (MODELS.md 1.3, 2.6) computed from its direct parameters, with the affine maps
/// between consecutive Sandwich layers multiplied out, and the adjoint of that map.
/// </summary>
/// <remarks>
/// Activated stage k computes s_k = σ(in_k·W1_kᵀ + b_k) and passes in_{k+1} = s_k·W2_kᵀ on, so consecutive layers
/// join through G_k = W1_k·W2_{k−1}. The √γ input scale is folded into W1_0. The network output is
/// s_last·Outᵀ + OutBias, with Out = √γ·W2_last (every layer nonlinear, the paper's code) or
/// Out = √γ·B_L·W2_last, OutBias = b_L (linear last layer).
/// Parameter groups, under <c>prefix</c>: <c>layers_k/XY</c>
/// ((m+n)×n), <c>layers_k/a</c>, <c>layers_k/d</c>, <c>layers_k/b</c>.
/// </remarks>
internal sealed class LbdnMap
{
    private readonly SandwichLayer[] _layers;
    private readonly double _sqrtGamma;
    private readonly ParameterGroup[] _xy, _a, _d, _b;
    private readonly int _threads;

    public LbdnMap(double[] parameters, ParameterLayout layout, string prefix, int layerCount, double gamma,
                   LbdnOutputLayer outputLayer, int threads = 1)
    {
        _threads = Math.Max(1, threads);
        _sqrtGamma = Math.Sqrt(gamma);
        OutputLayer = outputLayer;
        _layers = new SandwichLayer[layerCount];
        _xy = new ParameterGroup[layerCount]; _a = new ParameterGroup[layerCount];
        _d = new ParameterGroup[layerCount]; _b = new ParameterGroup[layerCount];
        for (int k = 0; k < layerCount; k++)
        {
            _xy[k] = layout[$"{prefix}layers_{k}/XY"]; _a[k] = layout[$"{prefix}layers_{k}/a"];
            _d[k] = layout[$"{prefix}layers_{k}/d"]; _b[k] = layout[$"{prefix}layers_{k}/b"];
        }
        // The layers' maps are independent (each is a Cayley transform with its own LU), so they run in parallel.
        ForEachLayer(k =>
        {
            var xy = new Matrix(_xy[k].Rows, _xy[k].Columns, _xy[k].Slice(parameters));
            _layers[k] = new SandwichLayer(xy, parameters[_a[k].Offset], _d[k].Slice(parameters));
        });
        Stages = outputLayer == LbdnOutputLayer.Linear ? layerCount - 1 : layerCount;
        if (Stages < 1)
            throw new ArgumentException("An LBDN with a linear output layer needs at least one hidden layer.");
        W1In = _sqrtGamma * _layers[0].W1;
        Biases = new double[Stages][];
        for (int k = 0; k < Stages; k++) Biases[k] = _b[k].Slice(parameters).ToArray();
        Joints = new Matrix[Stages];
        for (int k = 1; k < Stages; k++) Joints[k] = _layers[k].W1 * _layers[k - 1].W2;
        var w2Last = _layers[Stages - 1].W2;
        if (outputLayer == LbdnOutputLayer.Nonlinear)
        {
            Out = _sqrtGamma * w2Last;
            OutBias = new double[w2Last.Rows];
        }
        else
        {
            Out = _sqrtGamma * (_layers[^1].B * w2Last);
            OutBias = _b[^1].Slice(parameters).ToArray();
        }
    }

    public LbdnOutputLayer OutputLayer { get; }

    /// <summary>Number of activated stages.</summary>
    public int Stages { get; }

    /// <summary>√γ·W1_0: the first stage's weight on the network input.</summary>
    public Matrix W1In { get; }

    /// <summary>G_k = W1_k·W2_{k−1} for k ≥ 1 (entry 0 unused).</summary>
    public Matrix[] Joints { get; }

    /// <summary>b_k per activated stage.</summary>
    public double[][] Biases { get; }

    /// <summary>The output map from the last activation.</summary>
    public Matrix Out { get; }

    /// <summary>The output bias (zero for the all-nonlinear network).</summary>
    public double[] OutBias { get; }

    /// <summary>The Sandwich layers (for certificate checks).</summary>
    internal IReadOnlyList<SandwichLayer> Layers => _layers;

    /// <summary>
    /// Adjoint of the map: from dL/dW1In, dL/dJoints (k ≥ 1), dL/dBiases, dL/dOut and dL/dOutBias, writes the
    /// gradient of every direct parameter of the network into <paramref name="gradient"/> (overwrites its groups).
    /// </summary>
    public void Backward(Matrix dW1In, Matrix?[] dJoints, double[][] dBiases, Matrix dOut, double[] dOutBias,
                         Span<double> gradient)
    {
        int layers = _layers.Length;
        var dW1 = new Matrix?[layers];
        var dW2 = new Matrix?[layers];
        Matrix? dBLast = null;
        dW1[0] = _sqrtGamma * dW1In;
        for (int k = 1; k < Stages; k++)
        {
            var dg = dJoints[k]!;
            dW1[k] = Matrix.MultiplyTransposed(dg, _layers[k - 1].W2);
            Accumulate(ref dW2[k - 1], Matrix.TransposeMultiply(_layers[k].W1, dg));
        }
        var w2Last = _layers[Stages - 1].W2;
        if (OutputLayer == LbdnOutputLayer.Nonlinear)
            Accumulate(ref dW2[Stages - 1], _sqrtGamma * dOut);
        else
        {
            dBLast = _sqrtGamma * Matrix.MultiplyTransposed(dOut, w2Last);
            Accumulate(ref dW2[Stages - 1], _sqrtGamma * Matrix.TransposeMultiply(_layers[^1].B, dOut));
        }
        var results = new (Matrix dXY, double da, double[] dd)[layers];
        ForEachLayer(k =>
        {
            bool linearLast = OutputLayer == LbdnOutputLayer.Linear && k == layers - 1;
            var dd = new double[_d[k].Length];
            var (dXY, da) = _layers[k].Backward(dW1[k], dW2[k], linearLast ? dBLast : null, dd);
            results[k] = (dXY, da, dd);
        });
        for (int k = 0; k < layers; k++)
        {
            bool linearLast = OutputLayer == LbdnOutputLayer.Linear && k == layers - 1;
            results[k].dXY.Data.CopyTo(_xy[k].Slice(gradient));
            gradient[_a[k].Offset] = results[k].da;
            results[k].dd.CopyTo(_d[k].Slice(gradient));
            (linearLast ? dOutBias : dBiases[k]).CopyTo(_b[k].Slice(gradient));
        }
    }

    private void ForEachLayer(Action<int> body)
    {
        if (_threads == 1 || _layers.Length == 1)
            for (int k = 0; k < _layers.Length; k++) body(k);
        else
            Parallel.For(0, _layers.Length, new ParallelOptions { MaxDegreeOfParallelism = _threads }, body);
    }

    private static void Accumulate(ref Matrix? target, Matrix value)
    {
        if (target is null) target = value; else target.AddScaled(value);
    }

    /// <summary>Adds the parameter groups of an LBDN with the given layer widths (input, hidden…, output) to a
    /// layout.</summary>
    public static void AddParameters(ParameterLayout layout, string prefix, IReadOnlyList<int> widths)
    {
        for (int k = 0; k + 1 < widths.Count; k++)
        {
            int m = widths[k], n = widths[k + 1];
            layout.Add($"{prefix}layers_{k}/XY", m + n, n);
            layout.Add($"{prefix}layers_{k}/a", 1);
            layout.Add($"{prefix}layers_{k}/d", n);
            layout.Add($"{prefix}layers_{k}/b", n);
        }
    }

    /// <summary>JAX initialisation: XY lecun_normal, a = l2_norm(XY), d = 0, b = 0.</summary>
    public static void Initialize(double[] parameters, ParameterLayout layout, string prefix, int layerCount,
                                  Initializers init)
    {
        for (int k = 0; k < layerCount; k++)
        {
            var xy = layout[$"{prefix}layers_{k}/XY"];
            var span = xy.Slice(parameters);
            init.LecunNormal(span, xy.Rows);
            double ss = 0;
            foreach (var v in span) ss += v * v;
            parameters[layout[$"{prefix}layers_{k}/a"].Offset] = Math.Sqrt(ss + Numerics.Epsilon);
            layout[$"{prefix}layers_{k}/d"].Slice(parameters).Clear();
            layout[$"{prefix}layers_{k}/b"].Slice(parameters).Clear();
        }
    }
}
