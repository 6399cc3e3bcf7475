using Microsoft.ML.R2DN.Engine.Kernels;
using Microsoft.ML.R2DN.Engine.LinearAlgebra;

namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The direct-to-explicit map of the contracting R2DN (MODELS.md 2.7), its fusion with the network into the
/// runnable program, and the adjoint of both.
/// </summary>
/// <remarks>
/// H = p²/l2_norm(X)²·XᵀX + εI + blkdiag(C1ᵀC1, B1B1ᵀ); E = ½(H11 + H22 + Y − Yᵀ); A = E⁻¹H21; B1 = E⁻¹B1_direct.
/// C1, B2, D12, C2, D21, D22, the biases and the network pass through unchanged.
/// </remarks>
internal sealed class R2dnMap : IExplicitMap
{
    private readonly ParameterLayout _layout;
    private readonly int _nx, _nu, _nv, _ny;
    private readonly Matrix _x, _y, _b1Direct, _c1, _c1d12, _xtx;
    private readonly double _p, _sumSquares;
    private readonly LuDecomposition _luE = null!;
    private readonly int _threads;

    public R2dnMap(double[] parameters, ParameterLayout layout, R2dnOptions options, int threads = 1)
    {
        _threads = Math.Max(1, threads);
        _layout = layout;
        _nx = options.StateSize; _nu = options.InputSize; _nv = options.Features; _ny = options.OutputSize;
        int nx = _nx;
        Matrix Get(string name) { var g = layout[name]; return new Matrix(g.Rows, g.Columns, g.Slice(parameters)); }
        _x = Get("X"); _y = Get("Y"); _b1Direct = Get("B1"); _c1 = Get("C1");
        _p = parameters[layout["p"].Offset];
        B2 = Get("B2"); D12 = Get("D12"); C2 = Get("C2"); D21 = Get("D21"); D22 = Get("D22");
        Bx = layout["bx"].Slice(parameters).ToArray(); Bv = layout["bv"].Slice(parameters).ToArray(); By = layout["by"].Slice(parameters).ToArray();

        LbdnMap? network = null;
        void BuildNetwork() => network = new LbdnMap(parameters, layout, "network/", options.HiddenSizes.Length + 1, 1.0,
                                                     options.NetworkOutputLayer, Math.Max(1, _threads - 1));
        var networkTask = _threads > 1 ? Task.Run(BuildNetwork) : null;

        _sumSquares = _x.SumOfSquares() + Numerics.Epsilon;
        _xtx = Matrix.TransposeMultiply(_x, _x);
        H = (_p * _p / _sumSquares) * _xtx;
        for (int i = 0; i < 2 * nx; i++) H[i, i] += Numerics.Epsilon;
        H.AddBlock(0, 0, Matrix.TransposeMultiply(_c1, _c1));
        H.AddBlock(nx, nx, Matrix.MultiplyTransposed(_b1Direct, _b1Direct));
        var h11 = H.Block(0, 0, nx, nx); var h21 = H.Block(nx, 0, nx, nx); var h22 = H.Block(nx, nx, nx, nx);
        E = 0.5 * (h11 + h22 + _y - _y.Transpose());
        P = h22;
        _luE = new LuDecomposition(E);
        A = _luE.Solve(h21);
        B1 = _luE.Solve(_b1Direct);

        if (networkTask is null) BuildNetwork(); else networkTask.GetAwaiter().GetResult();
        Network = network!;
        _c1d12 = new Matrix(_nv, nx + _nu);
        _c1d12.SetBlock(0, 0, _c1);
        _c1d12.SetBlock(0, nx, D12);
    }

    /// <summary>The LMI matrix H (2nx × 2nx).</summary>
    public Matrix H { get; } = null!;
    /// <summary>E (implicit), nx × nx.</summary>
    public Matrix E { get; } = null!;
    /// <summary>P = H22, the contraction metric's inner matrix: V(Δx) = Δxᵀ Eᵀ P⁻¹ E Δx.</summary>
    public Matrix P { get; } = null!;
    /// <summary>Explicit A = E⁻¹H21.</summary>
    public Matrix A { get; } = null!;
    /// <summary>Explicit B1 = E⁻¹B1_direct.</summary>
    public Matrix B1 { get; } = null!;
    /// <summary>Explicit B2 (= direct).</summary>
    public Matrix B2 { get; }
    /// <summary>C1 (= direct).</summary>
    public Matrix C1 => _c1;
    /// <summary>D12, C2, D21, D22 (= direct).</summary>
    public Matrix D12 { get; }
    /// <summary>C2.</summary>
    public Matrix C2 { get; }
    /// <summary>D21.</summary>
    public Matrix D21 { get; }
    /// <summary>D22.</summary>
    public Matrix D22 { get; }
    /// <summary>Biases.</summary>
    public double[] Bx { get; }
    /// <summary>bv.</summary>
    public double[] Bv { get; }
    /// <summary>by.</summary>
    public double[] By { get; }
    /// <summary>The 1-Lipschitz network.</summary>
    public LbdnMap Network { get; }

    /// <summary>Builds the runnable program: G_0 = W1_0·[C1 D12], the joined network stages, and W_o with the network output folded in.</summary>
    public FusedSpec Fuse()
    {
        int nx = _nx, nu = _nu, ny = _ny, stages = Network.Stages;
        var g = new Matrix[stages];
        var c = new double[stages][];
        g[0] = Network.W1In * _c1d12;
        c[0] = Add(MatVec(Network.W1In, Bv), Network.Biases[0]);
        for (int k = 1; k < stages; k++) { g[k] = Network.Joints[k]; c[k] = Network.Biases[k]; }
        int nLast = Network.Out.Columns;
        var wo = new Matrix(nx + ny, nx + nu + nLast);
        wo.SetBlock(0, 0, A); wo.SetBlock(0, nx, B2); wo.SetBlock(0, nx + nu, B1 * Network.Out);
        wo.SetBlock(nx, 0, C2); wo.SetBlock(nx, nx, D22); wo.SetBlock(nx, nx + nu, D21 * Network.Out);
        var bo = new double[nx + ny];
        Add(Bx, MatVec(B1, Network.OutBias)).CopyTo(bo, 0);
        Add(By, MatVec(D21, Network.OutBias)).CopyTo(bo, nx);
        return new FusedSpec(g, c, wo, bo);
    }

    /// <inheritdoc/>
    public void Backward(FusedGradients gradients, Span<double> parameterGradient) =>
        Backward(gradients.G, gradients.C, gradients.Wo, gradients.Bo, parameterGradient);

    /// <summary>Adjoint of <see cref="Fuse"/> and of the direct-to-explicit map: writes the gradient of every direct parameter.</summary>
    public void Backward(Matrix[] dG, double[][] dC, Matrix dWo, double[] dBo, Span<double> gradient)
    {
        int nx = _nx, nu = _nu, nLast = Network.Out.Columns;
        var dA = dWo.Block(0, 0, nx, nx);
        var dB2 = dWo.Block(0, nx, nx, nu);
        var dPx = dWo.Block(0, nx + nu, nx, nLast);
        var dC2 = dWo.Block(nx, 0, _ny, nx);
        var dD22 = dWo.Block(nx, nx, _ny, nu);
        var dPy = dWo.Block(nx, nx + nu, _ny, nLast);
        var dbx = dBo.AsSpan(0, nx).ToArray();
        var dby = dBo.AsSpan(nx, _ny).ToArray();

        // Output fold: W_o's network columns are B1·Out and D21·Out; b_o adds B1·OutBias and D21·OutBias.
        var dB1 = Matrix.MultiplyTransposed(dPx, Network.Out).AddScaled(Outer(dbx, Network.OutBias));
        var dD21 = Matrix.MultiplyTransposed(dPy, Network.Out).AddScaled(Outer(dby, Network.OutBias));
        var dOut = Matrix.TransposeMultiply(B1, dPx).AddScaled(Matrix.TransposeMultiply(D21, dPy));
        var dOutBias = Add(MatTVec(B1, dbx), MatTVec(D21, dby));

        // Input fold: G_0 = W1In·[C1 D12], c_0 = W1In·bv + b_0.
        var dW1In = Matrix.MultiplyTransposed(dG[0], _c1d12).AddScaled(Outer(dC[0], Bv));
        var dC1D12 = Matrix.TransposeMultiply(Network.W1In, dG[0]);
        var dbv = MatTVec(Network.W1In, dC[0]);
        // The network's adjoint and the LTI part's adjoint touch disjoint parameter groups: run them side by side.
        var networkGradient = _threads > 1 ? new double[gradient.Length] : null;
        var networkTask = networkGradient is null ? null
            : Task.Run(() => Network.Backward(dW1In, dG, dC, dOut, dOutBias, networkGradient));
        if (networkTask is null) Network.Backward(dW1In, dG, dC, dOut, dOutBias, gradient);

        // [A B1] = E⁻¹[H21 B1_direct]: with M = E⁻ᵀ[dA dB1], d[H21 B1_direct] = M and dE = −M·[A B1]ᵀ.
        var rhs = new Matrix(nx, nx + _nv);
        rhs.SetBlock(0, 0, dA); rhs.SetBlock(0, nx, dB1);
        var m = _luE.SolveTransposed(rhs);
        var ab = new Matrix(nx, nx + _nv);
        ab.SetBlock(0, 0, A); ab.SetBlock(0, nx, B1);
        var dE = -1.0 * Matrix.MultiplyTransposed(m, ab);
        var dB1Direct = m.Block(0, nx, nx, _nv);
        var dH = new Matrix(2 * nx, 2 * nx);
        dH.AddBlock(nx, 0, m.Block(0, 0, nx, nx));
        dH.AddBlock(0, 0, dE, 0.5);
        dH.AddBlock(nx, nx, dE, 0.5);
        var dY = 0.5 * (dE - dE.Transpose());

        // H = (p²/s)·XᵀX + εI + blkdiag(C1ᵀC1, B1B1ᵀ), s = ΣX² + ε.
        var dHs = dH + dH.Transpose();
        var dC1 = _c1 * dHs.Block(0, 0, nx, nx);
        dC1.AddScaled(dC1D12.Block(0, 0, _nv, nx));
        var dD12 = dC1D12.Block(0, nx, _nv, nu);
        dB1Direct.AddScaled(dHs.Block(nx, nx, nx, nx) * _b1Direct);
        double scale = _p * _p / _sumSquares;
        double dScale = Matrix.Dot(dH, _xtx);
        var dX = (scale * (_x * dHs)).AddScaled(_x, -2.0 * dScale * _p * _p / (_sumSquares * _sumSquares));
        double dp = dScale * 2.0 * _p / _sumSquares;

        Write(gradient, "X", dX.Data); gradient[_layout["p"].Offset] = dp; Write(gradient, "Y", dY.Data);
        Write(gradient, "B1", dB1Direct.Data); Write(gradient, "C1", dC1.Data); Write(gradient, "B2", dB2.Data);
        Write(gradient, "D12", dD12.Data); Write(gradient, "C2", dC2.Data); Write(gradient, "D21", dD21.Data);
        Write(gradient, "D22", dD22.Data); Write(gradient, "bx", dbx); Write(gradient, "bv", dbv); Write(gradient, "by", dby);
        if (networkTask is not null)
        {
            networkTask.GetAwaiter().GetResult();
            int start = _layout["network/layers_0/XY"].Offset;
            networkGradient.AsSpan(start).CopyTo(gradient.Slice(start));
        }
    }

    private void Write(Span<double> gradient, string name, ReadOnlySpan<double> values) => values.CopyTo(_layout[name].Slice(gradient));

    internal static double[] MatVec(Matrix a, double[] x)
    {
        var y = new double[a.Rows];
        for (int i = 0; i < a.Rows; i++) { double s = 0; for (int j = 0; j < a.Columns; j++) s += a[i, j] * x[j]; y[i] = s; }
        return y;
    }

    internal static double[] MatTVec(Matrix a, double[] x)
    {
        var y = new double[a.Columns];
        for (int i = 0; i < a.Rows; i++) for (int j = 0; j < a.Columns; j++) y[j] += a[i, j] * x[i];
        return y;
    }

    internal static double[] Add(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < r.Length; i++) r[i] = a[i] + b[i];
        return r;
    }

    internal static Matrix Outer(double[] a, double[] b)
    {
        var m = new Matrix(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) for (int j = 0; j < b.Length; j++) m[i, j] = a[i] * b[j];
        return m;
    }
}
