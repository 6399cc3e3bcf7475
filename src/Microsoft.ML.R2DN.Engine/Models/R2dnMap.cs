using Microsoft.ML.R2DN.Engine.Kernels;

namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// What every R2DN map shares: the explicit LTI matrices (from a robustness-specific parameterisation), the
/// 1-Lipschitz network, their fusion into the runnable program, and the adjoint of the fusion.
/// </summary>
internal abstract class R2dnMap : IExplicitMap
{
    private protected readonly ParameterLayout Layout;
    private protected readonly int Nx, Nu, Nv, Ny;
    private protected readonly int Threads;
    private protected readonly double Abar2;   // ᾱ², the contraction rate squared
    private Matrix _c1d12 = null!;

    private readonly R2dnOptions _options;

    private protected R2dnMap(ParameterLayout layout, R2dnOptions options, int threads)
    {
        Layout = layout;
        _options = options;
        Threads = Math.Max(1, threads);
        Nx = options.StateSize; Nu = options.InputSize; Nv = options.NonlinearWidth; Ny = options.OutputSize;
        Abar2 = options.ContractionRate * options.ContractionRate;
    }

    /// <summary>Runs the map; derived constructors call it once their own fields are set.</summary>
    private protected void Build(double[] parameters)
    {
        Bx = Vector(parameters, "bx"); Bv = Vector(parameters, "bv");
        By = Layout.Contains("by") ? Vector(parameters, "by") : new double[Ny];
        // The network's map and the LTI part's map are independent: build them side by side.
        LbdnMap? network = null;
        void BuildNetwork() =>
            network = new LbdnMap(parameters, Layout, "network/", _options.HiddenSizes.Length + 1, 1.0,
                                                     _options.NetworkOutputLayer, Math.Max(1, Threads - 1));
        var networkTask = Threads > 1 ? Task.Run(BuildNetwork) : null;
        if (networkTask is null) BuildNetwork();
        try { BuildLti(parameters); }
        finally { networkTask?.Wait(); }
        Network = network!;
        _c1d12 = new Matrix(Nv, Nx + Nu);
        _c1d12.SetBlock(0, 0, C1);
        _c1d12.SetBlock(0, Nx, D12);
    }

    /// <summary>Computes the explicit LTI matrices (and whatever the adjoint needs) from the direct
    /// parameters.</summary>
    private protected abstract void BuildLti(double[] parameters);

    /// <summary>Adjoint of <see cref="BuildLti"/>: explicit-matrix gradients → direct-parameter gradients (written by
    /// name).</summary>
    private protected abstract void LtiBackward(Matrix dA, Matrix dB1, Matrix dB2, Matrix dC1, Matrix dD12, Matrix dC2,
                                                Matrix dD21, Matrix dD22, Span<double> gradient);

    /// <summary>The step both R2DN maps end with, once <see cref="H"/> is built: E = ½(H11 + H22/ᾱ² + Y − Yᵀ),
    /// P = H22 and A = E⁻¹H21 (MODELS.md 2.7, 2.8). Returns E's factorisation, for the other solves and the
    /// adjoint.</summary>
    private protected LuDecomposition SolveForA(Matrix y)
    {
        int nx = Nx;
        var h11 = H.Block(0, 0, nx, nx); var h21 = H.Block(nx, 0, nx, nx); var h22 = H.Block(nx, nx, nx, nx);
        E = 0.5 * (h11 + (1.0 / Abar2) * h22 + y - y.Transpose());
        P = h22;
        var lu = new LuDecomposition(E);
        A = lu.Solve(h21);
        return lu;
    }

    /// <summary>The adjoint of <see cref="SolveForA"/> through E and H21: dH from d(H21) and dE, and dY.</summary>
    private protected (Matrix DH, Matrix DY) SolveForABackward(Matrix dH21, Matrix dE)
    {
        int nx = Nx;
        var dH = new Matrix(2 * nx, 2 * nx);
        dH.AddBlock(nx, 0, dH21);
        dH.AddBlock(0, 0, dE, 0.5);
        dH.AddBlock(nx, nx, dE, 0.5 / Abar2);
        return (dH, 0.5 * (dE - dE.Transpose()));
    }

    private protected Matrix Get(double[] parameters, string name)
    {
        var g = Layout[name];
        return new Matrix(g.Rows, g.Columns, g.Slice(parameters));
    }

    private double[] Vector(double[] parameters, string name) => Layout[name].Slice(parameters).ToArray();

    // Groups fixed by an option (identity output) are not in the layout and get no gradient.
    private protected void Write(Span<double> gradient, string name, ReadOnlySpan<double> values)
    {
        if (Layout.Contains(name)) values.CopyTo(Layout[name].Slice(gradient));
    }

    /// <summary>The LMI matrix H (2nx × 2nx).</summary>
    public Matrix H { get; private protected set; } = null!;
    /// <summary>E (implicit), nx × nx.</summary>
    public Matrix E { get; private protected set; } = null!;
    /// <summary>P = H22: V(Δx) = Δxᵀ Eᵀ P⁻¹ E Δx.</summary>
    public Matrix P { get; private protected set; } = null!;
    /// <summary>Explicit A.</summary>
    public Matrix A { get; private protected set; } = null!;
    /// <summary>Explicit B1.</summary>
    public Matrix B1 { get; private protected set; } = null!;
    /// <summary>Explicit B2.</summary>
    public Matrix B2 { get; private protected set; } = null!;
    /// <summary>Explicit C1.</summary>
    public Matrix C1 { get; private protected set; } = null!;
    /// <summary>Explicit D12.</summary>
    public Matrix D12 { get; private protected set; } = null!;
    /// <summary>Explicit C2.</summary>
    public Matrix C2 { get; private protected set; } = null!;
    /// <summary>Explicit D21.</summary>
    public Matrix D21 { get; private protected set; } = null!;
    /// <summary>Explicit D22.</summary>
    public Matrix D22 { get; private protected set; } = null!;
    /// <summary>bx.</summary>
    public double[] Bx { get; private set; } = null!;
    /// <summary>bv.</summary>
    public double[] Bv { get; private set; } = null!;
    /// <summary>by.</summary>
    public double[] By { get; private set; } = null!;
    /// <summary>The 1-Lipschitz network.</summary>
    public LbdnMap Network { get; private set; } = null!;

    /// <summary>Builds the runnable program: G_0 = W1_0·[C1 D12], the joined network stages, and W_o with the network
    /// output folded in.</summary>
    public FusedSpec Fuse()
    {
        int nx = Nx, nu = Nu, ny = Ny, stages = Network.Stages;
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
    public void Backward(FusedGradients gradients, Span<double> parameterGradient)
    {
        var (dG, dC, dWo, dBo) = (gradients.G, gradients.C, gradients.Wo, gradients.Bo);
        int nx = Nx, nu = Nu, nLast = Network.Out.Columns;
        var dA = dWo.Block(0, 0, nx, nx);
        var dB2 = dWo.Block(0, nx, nx, nu);
        var dPx = dWo.Block(0, nx + nu, nx, nLast);
        var dC2 = dWo.Block(nx, 0, Ny, nx);
        var dD22 = dWo.Block(nx, nx, Ny, nu);
        var dPy = dWo.Block(nx, nx + nu, Ny, nLast);
        var dbx = dBo.AsSpan(0, nx).ToArray();
        var dby = dBo.AsSpan(nx, Ny).ToArray();

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
        var networkGradient = Threads > 1 ? new double[parameterGradient.Length] : null;
        var networkTask = networkGradient is null ? null
            : Task.Run(() => Network.Backward(dW1In, dG, dC, dOut, dOutBias, networkGradient));
        if (networkTask is null) Network.Backward(dW1In, dG, dC, dOut, dOutBias, parameterGradient);
        try
        {
            LtiBackward(dA, dB1, dB2, dC1D12.Block(0, 0, Nv, nx), dC1D12.Block(0, nx, Nv, nu), dC2, dD21, dD22,
                        parameterGradient);
            Write(parameterGradient, "bx", dbx); Write(parameterGradient, "bv", dbv);
            Write(parameterGradient, "by", dby);
        }
        finally { networkTask?.Wait(); }
        if (networkGradient is not null)
        {
            int start = Layout["network/layers_0/XY"].Offset;   // the network's groups come last in every R2DN layout
            networkGradient.AsSpan(start).CopyTo(parameterGradient.Slice(start));
        }
    }

    internal static double[] MatVec(Matrix a, double[] x)
    {
        var y = new double[a.Rows];
        for (int i = 0; i < a.Rows; i++)
        { double s = 0; for (int j = 0; j < a.Columns; j++) s += a[i, j] * x[j]; y[i] = s; }
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

/// <summary>
/// The contracting R2DN's map (MODELS.md 2.7) with contraction rate ᾱ ∈ (0, 1]:
/// H = H₀(X, p) + blkdiag(C1ᵀC1, B1B1ᵀ); E = ½(H11 + H22/ᾱ² + Y − Yᵀ); A = E⁻¹H21; B1 = E⁻¹B1_direct.
/// C1, B2, D12, C2, D21, D22, the biases and the network pass through unchanged. ᾱ = 1 is the paper's model.
/// </summary>
internal sealed class ContractingR2dnMap : R2dnMap
{
    private PolarGram _gram = null!;
    private Matrix _y = null!, _b1Direct = null!;
    private LuDecomposition _luE = null!;

    public ContractingR2dnMap(double[] parameters, ParameterLayout layout, R2dnOptions options, int threads)
        : base(layout, options, threads) => Build(parameters);

    private protected override void BuildLti(double[] parameters)
    {
        int nx = Nx;
        _y = Get(parameters, "Y"); _b1Direct = Get(parameters, "B1");
        C1 = Get(parameters, "C1"); B2 = Get(parameters, "B2"); D12 = Get(parameters, "D12");
        bool identity = !Layout.Contains("C2");
        C2 = identity ? Matrix.Identity(Ny) : Get(parameters, "C2");
        D21 = identity ? new Matrix(Ny, Nv) : Get(parameters, "D21");
        D22 = identity ? new Matrix(Ny, Nu) : Get(parameters, "D22");
        _gram = new PolarGram(Get(parameters, "X"), parameters[Layout["p"].Offset]);
        H = _gram.H0;
        H.AddBlock(0, 0, Matrix.TransposeMultiply(C1, C1));
        H.AddBlock(nx, nx, Matrix.MultiplyTransposed(_b1Direct, _b1Direct));
        _luE = SolveForA(_y);
        B1 = _luE.Solve(_b1Direct);
    }

    private protected override void LtiBackward(Matrix dA, Matrix dB1, Matrix dB2, Matrix dC1, Matrix dD12, Matrix dC2,
                                                Matrix dD21, Matrix dD22, Span<double> gradient)
    {
        int nx = Nx, nv = Nv;
        // [A B1] = E⁻¹[H21 B1_direct].
        var (dRhs, dE) = _luE.SolveAdjoint([A, B1], [dA, dB1]);
        var dB1Direct = dRhs[1];
        var (dH, dY) = SolveForABackward(dRhs[0], dE);

        // H = H₀ + blkdiag(C1ᵀC1, B1B1ᵀ).
        var dHs = dH + dH.Transpose();
        dC1.AddScaled(C1 * dHs.Block(0, 0, nx, nx));
        dB1Direct.AddScaled(dHs.Block(nx, nx, nx, nx) * _b1Direct);
        var (dX, dp) = _gram.Backward(dH);

        Write(gradient, "X", dX.Data); gradient[Layout["p"].Offset] = dp; Write(gradient, "Y", dY.Data);
        Write(gradient, "B1", dB1Direct.Data); Write(gradient, "C1", dC1.Data); Write(gradient, "B2", dB2.Data);
        Write(gradient, "D12", dD12.Data); Write(gradient, "C2", dC2.Data); Write(gradient, "D21", dD21.Data);
        Write(gradient, "D22", dD22.Data);
    }
}

/// <summary>
/// The γ-Lipschitz R2DN's map (MODELS.md 2.8, D22 = 0): D12 = √γ·N12, D21 = √γ·N21 (Cayley contractions);
/// T = [[−C2ᵀD21/γ, −C1ᵀD12], [B1, B2]]; R = blkdiag(I − D21ᵀD21/γ, γI − D12ᵀD12);
/// H = H₀(X, p) + T·R⁻¹·Tᵀ + blkdiag(C1ᵀC1 + C2ᵀC2/γ, 0); E = ½(H11 + H22/ᾱ² + Y − Yᵀ);
/// A = E⁻¹H21, B1 = E⁻¹B1_direct, B2 = E⁻¹B2_direct (B2 enters the LMI, so unlike the contracting R2DN it is implicit).
/// </summary>
internal sealed class LipschitzR2dnMap : R2dnMap
{
    private readonly double _gamma;
    private PolarGram _gram = null!;
    private CayleyContraction _n12 = null!, _n21 = null!;
    private Matrix _y = null!, _b1Direct = null!, _b2Direct = null!, _t = null!, _w = null!;
    private LuDecomposition _luE = null!;

    public LipschitzR2dnMap(double[] parameters, ParameterLayout layout, R2dnOptions options, double gamma, int threads)
        : base(layout, options, threads)
    {
        _gamma = gamma;
        Build(parameters);
    }

    private protected override void BuildLti(double[] parameters)
    {
        int nx = Nx, nv = Nv, nu = Nu;
        double g = _gamma, sg = Math.Sqrt(g);
        _y = Get(parameters, "Y"); _b1Direct = Get(parameters, "B1"); _b2Direct = Get(parameters, "B2");
        C1 = Get(parameters, "C1"); C2 = Get(parameters, "C2");
        _n12 = new CayleyContraction(Get(parameters, "X12"), Get(parameters, "Y12"), Get(parameters, "Z12"), nv, nu);
        _n21 = new CayleyContraction(Get(parameters, "X21"), Get(parameters, "Y21"), Get(parameters, "Z21"), Ny, nv);
        D12 = sg * _n12.N;
        D21 = sg * _n21.N;
        D22 = new Matrix(Ny, nu);

        // T (2nx × (nv+nu)) and W = R⁻¹Tᵀ, block by block (R is block diagonal and positive definite since ‖N‖ < 1).
        _t = new Matrix(2 * nx, nv + nu);
        _t.SetBlock(0, 0, (-1.0 / g) * Matrix.TransposeMultiply(C2, D21));
        _t.SetBlock(0, nv, -1.0 * Matrix.TransposeMultiply(C1, D12));
        _t.SetBlock(nx, 0, _b1Direct);
        _t.SetBlock(nx, nv, _b2Direct);
        var r1 = Matrix.Identity(nv).AddScaled(Matrix.TransposeMultiply(D21, D21), -1.0 / g);
        var r2 = (g * Matrix.Identity(nu)).AddScaled(Matrix.TransposeMultiply(D12, D12), -1.0);
        var tT = _t.Transpose();
        _w = new Matrix(nv + nu, 2 * nx);
        _w.SetBlock(0, 0, new CholeskyDecomposition(r1).Solve(tT.Block(0, 0, nv, 2 * nx)));
        _w.SetBlock(nv, 0, new CholeskyDecomposition(r2).Solve(tT.Block(nv, 0, nu, 2 * nx)));

        _gram = new PolarGram(Get(parameters, "X"), parameters[Layout["p"].Offset]);
        H = _gram.H0;
        H.AddScaled(_t * _w);
        H.AddBlock(0, 0, Matrix.TransposeMultiply(C1, C1));
        H.AddBlock(0, 0, Matrix.TransposeMultiply(C2, C2), 1.0 / g);
        _luE = SolveForA(_y);
        B1 = _luE.Solve(_b1Direct);
        B2 = _luE.Solve(_b2Direct);
    }

    private protected override void LtiBackward(Matrix dA, Matrix dB1, Matrix dB2, Matrix dC1, Matrix dD12, Matrix dC2,
                                                Matrix dD21, Matrix dD22, Span<double> gradient)
    {
        // D22 is fixed at 0: its gradient has no parameter to go to.
        int nx = Nx, nv = Nv, nu = Nu;
        double g = _gamma;
        // [A B1 B2] = E⁻¹[H21 B1_direct B2_direct].
        var (dRhs, dE) = _luE.SolveAdjoint([A, B1, B2], [dA, dB1, dB2]);
        var (dB1Direct, dB2Direct) = (dRhs[1], dRhs[2]);
        var (dH, dY) = SolveForABackward(dRhs[0], dE);
        var dHs = dH + dH.Transpose();

        // blkdiag(C1ᵀC1 + C2ᵀC2/γ, 0).
        var dHs11 = dHs.Block(0, 0, nx, nx);
        dC1.AddScaled(C1 * dHs11);
        dC2.AddScaled(C2 * dHs11, 1.0 / g);
        // T·R⁻¹·Tᵀ with W = R⁻¹Tᵀ: dT = dHs·Wᵀ, dR = −W·dH·Wᵀ (only R's diagonal blocks depend on parameters).
        var dT = Matrix.MultiplyTransposed(dHs, _w);
        var dR = -1.0 * Matrix.MultiplyTransposed(_w * dH, _w);
        var dT11 = dT.Block(0, 0, nx, nv); var dT12 = dT.Block(0, nv, nx, nu);
        dB1Direct.AddScaled(dT.Block(nx, 0, nx, nv));
        dB2Direct.AddScaled(dT.Block(nx, nv, nx, nu));
        dC2.AddScaled(Matrix.MultiplyTransposed(D21, dT11), -1.0 / g);
        dD21.AddScaled(C2 * dT11, -1.0 / g);
        dC1.AddScaled(Matrix.MultiplyTransposed(D12, dT12), -1.0);
        dD12.AddScaled(C1 * dT12, -1.0);
        var dR1 = dR.Block(0, 0, nv, nv); var dR2 = dR.Block(nv, nv, nu, nu);
        dD21.AddScaled(D21 * (dR1 + dR1.Transpose()), -1.0 / g);
        dD12.AddScaled(D12 * (dR2 + dR2.Transpose()), -1.0);
        var sg = Math.Sqrt(g);
        var (dX12, dY12, dZ12) = _n12.Backward(sg * dD12);
        var (dX21, dY21, dZ21) = _n21.Backward(sg * dD21);
        var (dX, dp) = _gram.Backward(dH);

        Write(gradient, "X", dX.Data); gradient[Layout["p"].Offset] = dp; Write(gradient, "Y", dY.Data);
        Write(gradient, "B1", dB1Direct.Data); Write(gradient, "C1", dC1.Data); Write(gradient, "B2", dB2Direct.Data);
        Write(gradient, "C2", dC2.Data);
        Write(gradient, "X12", dX12.Data); Write(gradient, "Y12", dY12.Data); Write(gradient, "Z12", dZ12.Data);
        Write(gradient, "X21", dX21.Data); Write(gradient, "Y21", dY21.Data); Write(gradient, "Z21", dZ21.Data);
    }
}
