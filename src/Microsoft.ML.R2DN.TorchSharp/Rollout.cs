using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>
/// The time loop over the fused program in float32, in the merged form: per time step one GEMM per activated network
/// stage and one GEMM for the stacked output map M = [W_o; G_0x·W_o,x], which yields x_{t+1}, y_t and the next step's
/// stage-0 pre-activation together. Every input-dependent term (u_t·M_uᵀ, G_0u·u_{t+1}) comes from one GEMM over all
/// T·B rows before the loop.
/// </summary>
internal static class Rollout
{
    /// <summary>Runs the program from <paramref name="x0"/> ([B, nx]) over <paramref name="u"/> ([T, B, nu]); returns y
    /// ([T, B, ny]) and x_T.</summary>
    public static (Tensor Y, Tensor XT) Run(FusedWeights w64, Tensor x0, Tensor u, int nx, int nu, int ny,
                                            Activation activation)
    {
        bool inference = !is_grad_enabled();
        var f = ScalarType.Float32;
        int stages = w64.G.Length;
        var g = new Tensor[stages]; var c = new Tensor[stages];
        for (int k = 0; k < stages; k++) { g[k] = w64.G[k].to(f); c[k] = w64.C[k].to(f); }
        var wo = w64.Wo.to(f); var bo = w64.Bo.to(f);
        Tensor? d11 = w64.D11?.to(f);

        long T = u.shape[0], B = u.shape[1];
        int n0 = (int)g[0].shape[0];
        int nLast = (int)g[stages - 1].shape[0];
        int nOut = nx + ny + n0;
        var g0x = g[0].narrow(1, 0, nx);
        var g0u = g[0].narrow(1, nx, nu);
        var m = cat([wo, g0x.mm(wo.narrow(0, 0, nx))], 0);                          // (nx+ny+n0) × nz
        var bm = cat([bo, g0x.mv(bo.narrow(0, 0, nx)) + c[0]], 0);
        var mxsT = cat([m.narrow(1, 0, nx), m.narrow(1, nx + nu, nLast)], 1).t().contiguous();   // (nx+nLast) × nOut
        var inputMap = cat([m.narrow(1, nx, nu), g0u], 0).t();                      // nu × (nOut + n0)
        var proj = u.reshape(T * B, nu).mm(inputMap).view(T, B, nOut + n0);
        var gu = proj.narrow(2, nOut, n0);                                          // G_0u·u_t
        var next = cat([gu.narrow(0, 1, T - 1), zeros(1, B, n0, dtype: f, device: u.device)], 0);
        var pre = proj.narrow(2, 0, nOut) + bm + cat([zeros(T, B, nx + ny, dtype: f, device: u.device), next], 2);
        var pre0 = x0.mm(g0x.t()) + gu[0] + c[0];
        var steps = pre.unbind(0);
        var gT = new Tensor[stages];
        for (int k = 1; k < stages; k++) gT[k] = g[k].t();
        Tensor[]? d11Columns = d11 is null ? null : d11.t().contiguous().split(1, 0);   // row i: D11[:, i]ᵀ
        long[] parts = [nx, ny, n0];

        var x = x0;
        var ys = inference ? null : new Tensor[T];
        for (int t = 0; t < T; t++)
        {
            Tensor s = d11Columns is null
                ? Activate(pre0, activation, inference)
                : Equilibrium(pre0, d11Columns, activation, inference);
            for (int k = 1; k < stages; k++) s = Activate(addmm(c[k], s, gT[k], 1, 1), activation, inference);
            var z = cat([x, s], 1);
            Tensor[] o;
            if (inference)
            {
                // No autograd: accumulate into the precomputed row block in place; y is read from it at the end.
                o = steps[t].addmm_(z, mxsT).split(parts, 1);
            }
            else
            {
                o = addmm(steps[t], z, mxsT, 1, 1).split(parts, 1);
                ys![t] = o[1];
            }
            x = o[0]; pre0 = o[2];
        }
        var y = inference ? pre.narrow(2, nx, ny) : stack(ys!, 0);
        return (y, x);
    }

    private static Tensor Activate(Tensor v, Activation activation, bool inPlace) => activation switch
    {
        Activation.ReLU => inPlace ? v.relu_() : nn.functional.relu(v),
        Activation.Tanh => inPlace ? v.tanh_() : v.tanh(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>w = σ(D11·w + b) by forward substitution (D11 strictly lower triangular): neuron i, then its effect on
    /// the rest.</summary>
    private static Tensor Equilibrium(Tensor b, Tensor[] d11Columns, Activation activation, bool inference)
    {
        int nv = d11Columns.Length;
        var w = new Tensor[nv];
        var v = inference ? b.clone() : b;
        for (int i = 0; i < nv; i++)
        {
            var wi = Activate(inference ? v.narrow(1, i, 1).clone() : v.narrow(1, i, 1), activation, inference);
            w[i] = wi;
            if (i + 1 < nv) v = inference ? v.addmm_(wi, d11Columns[i]) : addmm(v, wi, d11Columns[i], 1, 1);
        }
        return cat(w, 1);
    }
}
