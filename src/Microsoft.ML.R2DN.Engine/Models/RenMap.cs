using Microsoft.ML.R2DN.Engine.Kernels;

namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// A fixed (Q, S, R) supply rate for the REN (MODELS.md 2.4), with what the map precomputes from it.
/// </summary>
internal sealed class QsrSupply
{
    /// <param name="q">Q (ny×ny) ≺ 0.</param>
    /// <param name="s">S (nu×ny).</param>
    /// <param name="r">R (nu×nu) with R − SQ⁻¹Sᵀ ≻ 0.</param>
    /// <param name="shift">Apply the reference code's Q ← Q − εI, R ← R + εI (the general REN does; the Lipschitz REN
    /// does not).</param>
    public QsrSupply(Matrix q, Matrix s, Matrix r, bool shift)
    {
        Q = q.Clone(); S = s; R = r.Clone();
        if (shift)
        {
            for (int i = 0; i < Q.Rows; i++) Q[i, i] -= Numerics.Epsilon;
            for (int i = 0; i < R.Rows; i++) R[i, i] += Numerics.Epsilon;
        }
        CholeskyDecomposition negQ;
        try { negQ = new CholeskyDecomposition(-1.0 * Q); }
        catch (ArgumentException) { throw new ArgumentException("Q must be negative definite.", "q"); }
        var qInvSt = -1.0 * negQ.Solve(S.Transpose());                 // Q⁻¹Sᵀ (ny×nu)
        QInvST = qInvSt;
        var schur = R - S * qInvSt;                                   // R − SQ⁻¹Sᵀ
        CholeskyDecomposition lr;
        try { lr = new CholeskyDecomposition(schur); }
        catch (ArgumentException) { throw new ArgumentException("R − S·Q⁻¹·Sᵀ must be positive definite.", "r"); }
        LQ = negQ.Upper;                                              // L_QᵀL_Q = −Q
        LR = lr.Upper;                                                // L_RᵀL_R = R − SQ⁻¹Sᵀ
        LQLu = new LuDecomposition(LQ);
    }

    public Matrix Q { get; }
    public Matrix S { get; }
    public Matrix R { get; }
    public Matrix QInvST { get; }
    public Matrix LQ { get; }
    public Matrix LR { get; }
    public LuDecomposition LQLu { get; }
}

/// <summary>
/// The REN's direct-to-explicit map (MODELS.md 2.2–2.4) and its adjoint. H = H₀(X, p) for the contracting REN, or
/// H = H₀ + M_Rᵀ·R₁⁻¹·M_R − M_Qᵀ·Q·M_Q for a (Q, S, R) supply; then, with blocks (nx | nv | nx):
/// P = H33, F = H31, E = ½(H11 + P/ᾱ² + Y1 − Y1ᵀ), B1 = E⁻¹H32, A = E⁻¹F, B2 = E⁻¹B2_direct,
/// Λ = ½diag(H22), C1 = −Λ⁻¹H21, D11 = −Λ⁻¹tril(H22, −1), D12 = Λ⁻¹D12_direct.
/// </summary>
internal sealed class RenMap : IExplicitMap
{
    private readonly ParameterLayout _layout;
    private readonly int _nx, _nv, _nu, _ny;
    private readonly double _abar2;
    private readonly QsrSupply? _supply;
    private readonly PolarGram _gram;
    private readonly Matrix _y1, _b2Direct, _d12Direct, _c1Imp, _d11Imp, _h;
    private readonly double[] _h22Diag;
    private readonly LuDecomposition _luE;
    // (Q, S, R) terms kept for the adjoint.
    private readonly CayleyContraction? _n;
    private readonly Matrix? _l, _mQ, _mR, _w;

    public RenMap(double[] parameters, ParameterLayout layout, RenOptions options, QsrSupply? supply)
    {
        _layout = layout; _supply = supply;
        _nx = options.StateSize; _nv = options.NonlinearWidth; _nu = options.InputSize; _ny = options.OutputSize;
        _abar2 = options.ContractionRate * options.ContractionRate;
        int nx = _nx, nv = _nv, n = 2 * nx + nv;
        Matrix Get(string name) { var g = layout[name]; return new Matrix(g.Rows, g.Columns, g.Slice(parameters)); }
        _y1 = Get("Y1"); _b2Direct = Get("B2"); _d12Direct = Get("D12");
        bool identity = !layout.Contains("C2");   // identity output: y = x
        C2 = identity ? Matrix.Identity(_ny) : Get("C2");
        D21 = identity ? new Matrix(_ny, _nv) : Get("D21");
        Bx = layout["bx"].Slice(parameters).ToArray(); Bv = layout["bv"].Slice(parameters).ToArray();
        By = identity ? new double[_ny] : layout["by"].Slice(parameters).ToArray();
        _gram = new PolarGram(Get("X"), parameters[layout["p"].Offset]);
        _h = _gram.H0;

        if (supply is null)
        {
            D22 = identity ? new Matrix(_ny, _nu) : Get("D22");
        }
        else
        {
            var q = supply.Q; var s = supply.S;
            if (options.D22Zero) D22 = new Matrix(_ny, _nu);
            else
            {
                _n = new CayleyContraction(Get("X3"), Get("Y3"), Get("Z3"), _ny, _nu);
                // D22 = −Q⁻¹Sᵀ + L_Q⁻¹·N·L_R.
                D22 = supply.LQLu.Solve(_n.N * supply.LR) - supply.QInvST;
            }
            _l = Matrix.TransposeMultiply(D22, q) + s;                                 // D22ᵀQ + S (nu×ny)
            var c2Imp = _l * C2;
            var d21Imp = _l * D21 - _d12Direct.Transpose();
            var r1 = supply.R + s * D22 + Matrix.TransposeMultiply(D22, s.Transpose())
                + Matrix.TransposeMultiply(D22, q * D22);
            _mQ = new Matrix(_ny, n); _mQ.SetBlock(0, 0, C2); _mQ.SetBlock(0, nx, D21);
            _mR = new Matrix(_nu, n); _mR.SetBlock(0, 0, c2Imp); _mR.SetBlock(0, nx, d21Imp);
            _mR.SetBlock(0, nx + nv, _b2Direct.Transpose());
            _w = new CholeskyDecomposition(r1.SymmetricPart()).Solve(_mR);             // R₁⁻¹M_R
            _h.AddScaled(Matrix.TransposeMultiply(_mR, _w));
            _h.AddScaled(Matrix.TransposeMultiply(_mQ, q * _mQ), -1.0);
        }

        var h11 = _h.Block(0, 0, nx, nx);
        var h22 = _h.Block(nx, nx, nv, nv);
        var f = _h.Block(nx + nv, 0, nx, nx);
        var b1Imp = _h.Block(nx + nv, nx, nx, nv);
        P = _h.Block(nx + nv, nx + nv, nx, nx);
        E = 0.5 * (h11 + (1.0 / _abar2) * P + _y1 - _y1.Transpose());
        _luE = new LuDecomposition(E);
        A = _luE.Solve(f); B1 = _luE.Solve(b1Imp); B2 = _luE.Solve(_b2Direct);
        _h22Diag = new double[nv];
        Lambda = new double[nv];
        _c1Imp = -1.0 * _h.Block(nx, 0, nv, nx);
        _d11Imp = new Matrix(nv, nv);
        for (int i = 0; i < nv; i++)
        {
            _h22Diag[i] = h22[i, i];
            Lambda[i] = 0.5 * h22[i, i];
            for (int j = 0; j < i; j++) _d11Imp[i, j] = -h22[i, j];
        }
        C1 = RowScale(_c1Imp); D11 = RowScale(_d11Imp); D12 = RowScale(_d12Direct);
    }

    private Matrix RowScale(Matrix m)
    {
        var r = new Matrix(m.Rows, m.Columns);
        for (int i = 0; i < m.Rows; i++) for (int j = 0; j < m.Columns; j++) r[i, j] = 2.0 / _h22Diag[i] * m[i, j];
        return r;
    }

    public Matrix H => _h;
    public Matrix E { get; }
    public Matrix P { get; }
    public double[] Lambda { get; }
    public Matrix A { get; }
    public Matrix B1 { get; }
    public Matrix B2 { get; }
    public Matrix C1 { get; }
    public Matrix D11 { get; }
    public Matrix D12 { get; }
    public Matrix C2 { get; }
    public Matrix D21 { get; }
    public Matrix D22 { get; }
    public double[] Bx { get; }
    public double[] Bv { get; }
    public double[] By { get; }

    /// <inheritdoc/>
    public FusedSpec Fuse()
    {
        int nx = _nx, nu = _nu, nv = _nv;
        var g0 = new Matrix(nv, nx + nu);
        g0.SetBlock(0, 0, C1); g0.SetBlock(0, nx, D12);
        var wo = new Matrix(nx + _ny, nx + nu + nv);
        wo.SetBlock(0, 0, A); wo.SetBlock(0, nx, B2); wo.SetBlock(0, nx + nu, B1);
        wo.SetBlock(nx, 0, C2); wo.SetBlock(nx, nx, D22); wo.SetBlock(nx, nx + nu, D21);
        var bo = new double[nx + _ny];
        Bx.CopyTo(bo, 0); By.CopyTo(bo, nx);
        return new FusedSpec([g0], [Bv], wo, bo, D11);
    }

    /// <inheritdoc/>
    public void Backward(FusedGradients gradients, Span<double> gradient)
    {
        int nx = _nx, nu = _nu, nv = _nv, ny = _ny, n = 2 * nx + nv;
        var dWo = gradients.Wo;
        var dA = dWo.Block(0, 0, nx, nx); var dB2 = dWo.Block(0, nx, nx, nu); var dB1 = dWo.Block(0, nx + nu, nx, nv);
        var dC2 = dWo.Block(nx, 0, ny, nx); var dD22 = dWo.Block(nx, nx, ny, nu);
        var dD21 = dWo.Block(nx, nx + nu, ny, nv);
        var dC1 = gradients.G[0].Block(0, 0, nv, nx); var dD12 = gradients.G[0].Block(0, nx, nv, nu);
        var dD11 = gradients.D11!;

        // [A B1 B2] = E⁻¹[F B1imp B2_direct].
        var (dRhs, dE) = _luE.SolveAdjoint([A, B1, B2], [dA, dB1, dB2]);
        var dH = new Matrix(n, n);
        dH.AddBlock(nx + nv, 0, dRhs[0]);      // F = H31
        dH.AddBlock(nx + nv, nx, dRhs[1]);     // B1imp = H32
        var dB2Direct = dRhs[2];
        dH.AddBlock(0, 0, dE, 0.5);
        dH.AddBlock(nx + nv, nx + nv, dE, 0.5 / _abar2);
        var dY1 = 0.5 * (dE - dE.Transpose());

        // Row scaling by Λ⁻¹ = 2/diag(H22): C1 = Λ⁻¹C1imp, D11 = Λ⁻¹D11imp, D12 = Λ⁻¹D12_direct.
        var dD12Direct = new Matrix(nv, nu);
        for (int i = 0; i < nv; i++)
        {
            double s = 2.0 / _h22Diag[i], ds = 0;
            for (int j = 0; j < nx; j++) { ds += _c1Imp[i, j] * dC1[i, j]; dH[nx + i, j] -= s * dC1[i, j]; }
            for (int j = 0; j < i; j++) { ds += _d11Imp[i, j] * dD11[i, j]; dH[nx + i, nx + j] -= s * dD11[i, j]; }
            for (int j = 0; j < nu; j++) { ds += _d12Direct[i, j] * dD12[i, j]; dD12Direct[i, j] = s * dD12[i, j]; }
            dH[nx + i, nx + i] += ds * (-2.0 / (_h22Diag[i] * _h22Diag[i]));
        }

        Matrix dX3 = new(_layout["X3"].Rows, _layout["X3"].Columns), dY3 = new(dX3.Rows, dX3.Columns);
        Matrix dZ3 = new(_layout["Z3"].Rows, _layout["Z3"].Columns);
        if (_supply is not null)
        {
            var q = _supply.Q; var s = _supply.S;
            var dHs = dH + dH.Transpose();
            // H += M_Rᵀ·W − M_Qᵀ·Q·M_Q, W = R₁⁻¹M_R: dM_R = W·dHs, dR₁ = −W·dH·Wᵀ, dM_Q = −Q·M_Q·dHs.
            var dMR = _w! * dHs;
            var dR1 = -1.0 * Matrix.MultiplyTransposed(_w! * dH.Transpose(), _w!);
            var dMQ = -1.0 * (q * (_mQ! * dHs));
            dC2.AddScaled(dMQ.Block(0, 0, ny, nx)); dD21.AddScaled(dMQ.Block(0, nx, ny, nv));
            var dC2Imp = dMR.Block(0, 0, nu, nx); var dD21Imp = dMR.Block(0, nx, nu, nv);
            dB2Direct.AddScaled(dMR.Block(0, nx + nv, nu, nx).Transpose());
            // C2imp = L·C2, D21imp = L·D21 − D12ᵀ, L = D22ᵀQ + S.
            var dL = Matrix.MultiplyTransposed(dC2Imp, C2).AddScaled(Matrix.MultiplyTransposed(dD21Imp, D21));
            dC2.AddScaled(Matrix.TransposeMultiply(_l!, dC2Imp));
            dD21.AddScaled(Matrix.TransposeMultiply(_l!, dD21Imp));
            dD12Direct.AddScaled(dD21Imp.Transpose(), -1.0);
            dD22.AddScaled(Matrix.MultiplyTransposed(q, dL));
            // R₁ = R + S·D22 + D22ᵀSᵀ + D22ᵀQ·D22.
            var dR1s = dR1 + dR1.Transpose();
            dD22.AddScaled(Matrix.TransposeMultiply(s, dR1s)).AddScaled(q * (D22 * dR1s));
            if (_n is not null)
            {
                // D22 = −Q⁻¹Sᵀ + L_Q⁻¹·N·L_R: dN = L_Q⁻ᵀ·dD22·L_Rᵀ.
                var dN = Matrix.MultiplyTransposed(_supply.LQLu.SolveTransposed(dD22), _supply.LR);
                (dX3, dY3, dZ3) = _n.Backward(dN);
            }
            dD22 = new Matrix(ny, nu);   // D22 is constructed (or fixed at 0): the direct D22 is unused
        }
        var (dX, dp) = _gram.Backward(dH);

        Write(gradient, "X", dX.Data); gradient[_layout["p"].Offset] = dp; Write(gradient, "Y1", dY1.Data);
        Write(gradient, "B2", dB2Direct.Data); Write(gradient, "D12", dD12Direct.Data); Write(gradient, "C2", dC2.Data);
        Write(gradient, "D21", dD21.Data); Write(gradient, "D22", dD22.Data);
        Write(gradient, "bx", gradients.Bo.AsSpan(0, nx)); Write(gradient, "bv", gradients.C[0]);
        Write(gradient, "by", gradients.Bo.AsSpan(nx, ny));
        Write(gradient, "X3", dX3.Data); Write(gradient, "Y3", dY3.Data); Write(gradient, "Z3", dZ3.Data);
    }

    // Groups fixed by an option (identity output) are not in the layout and get no gradient.
    private void Write(Span<double> gradient, string name, ReadOnlySpan<double> values)
    {
        if (_layout.Contains(name)) values.CopyTo(_layout[name].Slice(gradient));
    }

}
