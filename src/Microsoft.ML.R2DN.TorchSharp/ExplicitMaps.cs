using Microsoft.ML.R2DN.Engine;
using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>
/// The weights of the runnable (fused) program, the same program as the managed engine's FusedRecurrentNetwork:
/// s_0 = σ([x | u]·G_0ᵀ + c_0), s_k = σ(s_{k−1}·G_kᵀ + c_k), [x⁺ | y] = [x | u | s_last]·W_oᵀ + b_o; for a REN one
/// stage whose neurons also feed each other through the strictly lower-triangular D11. All float64, inside the autograd
/// graph.
/// </summary>
internal sealed record FusedWeights(Tensor[] G, Tensor[] C, Tensor Wo, Tensor Bo, Tensor? D11);

/// <summary>
/// The direct-to-explicit maps of MODELS.md section 2 written as TorchSharp operations on the flat float64 parameter
/// tensor, in the engine's <see cref="ParameterLayout"/> order and with exactly the managed engine's formulas
/// (R2dnMap, RenMap, LbdnMap, SandwichLayer, Cayley, CayleyContraction, PolarGram). Autograd supplies the adjoints.
/// </summary>
internal sealed class ExplicitMaps
{
    private static readonly double Sqrt2 = Math.Sqrt(2);
    private const double Eps = Numerics.Epsilon;
    private readonly ModelDescription _m;
    private readonly Tensor _theta;

    private ExplicitMaps(ModelDescription model, Tensor theta) { _m = model; _theta = theta; }

    /// <summary>Builds the fused weights of <paramref name="model"/> at <paramref name="theta"/> (flat,
    /// float64).</summary>
    public static FusedWeights Build(ModelDescription model, Tensor theta)
    {
        var maps = new ExplicitMaps(model, theta);
        return model.Kind == ModelKind.Ren ? maps.Ren() : maps.R2dn();
    }

    private ScalarType F64 => ScalarType.Float64;
    private Device Dev => _theta.device;

    private bool Has(string name) => _m.Layout.Contains(name);

    private Tensor Get(string name)
    {
        var g = _m.Layout[name];
        var flat = _theta.narrow(0, g.Offset, g.Length);
        return g.Shape.Length == 1 ? flat : flat.view(g.Rows, g.Columns);
    }

    private Tensor Eye(int n) => eye(n, dtype: F64, device: Dev);
    private Tensor Zeros(int r, int c) => zeros(r, c, dtype: F64, device: Dev);
    private Tensor ZeroVector(int n) => zeros(n, dtype: F64, device: Dev);

    /// <summary>H₀ = p²/(ΣX² + ε)·XᵀX + εI (MODELS.md 2.1).</summary>
    private Tensor PolarGram(Tensor x, Tensor p)
    {
        var scale = p * p / (x.square().sum() + Eps);
        return scale * x.t().mm(x) + Eps * Eye((int)x.shape[1]);
    }

    /// <summary>cayley(W) for W = [U; V] ((n+m)×n): Aᵀ = (I+Z)⁻¹(I−Z), B = −2(I+Z)⁻ᵀVᵀ, Z = U − Uᵀ + VᵀV.</summary>
    private (Tensor AT, Tensor B) Cayley(Tensor w)
    {
        int n = (int)w.shape[1], m = (int)w.shape[0] - n;
        var u = w.narrow(0, 0, n);
        var v = w.narrow(0, n, m);
        var z = u - u.t() + v.t().mm(v);
        var id = Eye(n);
        var mz = id + z;
        var at = linalg.solve(mz, id - z);
        var b = -2.0 * linalg.solve(mz.t(), v.t());
        return (at, b);
    }

    /// <summary>The rows×cols contraction N(X, Y, Z) of MODELS.md 2.3 (identity sized min(rows, cols)).</summary>
    private Tensor Contraction(string xName, string yName, string zName, int rows, int cols)
    {
        int d = Math.Min(rows, cols);
        var x = Get(xName); var y = Get(yName); var z = Get(zName);
        var id = Eye(d);
        var mm = x.t().mm(x) + y - y.t() + z.t().mm(z) + Eps * id;
        var ipm = id + mm;
        if (rows >= cols)
        {
            var s = cat([id - mm, -2.0 * z], 0);                 // rows × d
            return linalg.solve(ipm.t(), s.t()).t();             // S·(I+M)⁻¹
        }
        var sw = cat([id - mm, -2.0 * z.t()], 1);                // d × cols
        return linalg.solve(ipm, sw);                            // (I+M)⁻¹·S
    }

    /// <summary>One Sandwich layer: W1 = √2Ψ⁻¹B, W2 = √2AᵀΨ, and B.</summary>
    private (Tensor W1, Tensor W2, Tensor B) Sandwich(int k)
    {
        string prefix = $"network/layers_{k}/";
        var xy = Get(prefix + "XY");
        var a = Get(prefix + "a");
        var d = Get(prefix + "d");
        var norm = (xy.square().sum() + Eps).sqrt();
        var (at, b) = Cayley((a / norm) * xy);
        var psi = d.clamp(-20.0, 20.0).exp();
        var w1 = (Sqrt2 * b) / psi.unsqueeze(1);
        var w2 = (Sqrt2 * at) * psi.unsqueeze(0);
        return (w1, w2, b);
    }

    private FusedWeights R2dn()
    {
        var o = _m.R2dnOptions!;
        int nx = o.StateSize, nu = o.InputSize, nv = o.NonlinearWidth, ny = o.OutputSize;
        double abar2 = o.ContractionRate * o.ContractionRate;

        // The LTI part (MODELS.md 2.7, 2.8).
        Tensor a, b1, b2, c1, d12, c2, d21, d22;
        var x = Get("X"); var p = Get("p"); var yy = Get("Y");
        var b1Direct = Get("B1");
        c1 = Get("C1");
        var h0 = PolarGram(x, p);
        var h11 = h0.narrow(0, 0, nx).narrow(1, 0, nx);
        var h21 = h0.narrow(0, nx, nx).narrow(1, 0, nx);
        var h22 = h0.narrow(0, nx, nx).narrow(1, nx, nx);
        if (_m.Robustness == Robustness.Contracting)
        {
            b2 = Get("B2"); d12 = Get("D12");
            bool identity = !Has("C2");
            c2 = identity ? Eye(ny) : Get("C2");
            d21 = identity ? Zeros(ny, nv) : Get("D21");
            d22 = identity ? Zeros(ny, nu) : Get("D22");
            h11 = h11 + c1.t().mm(c1);
            h22 = h22 + b1Direct.mm(b1Direct.t());
            var e = 0.5 * (h11 + h22 / abar2 + yy - yy.t());
            var sol = linalg.solve(e, cat([h21, b1Direct], 1));
            a = sol.narrow(1, 0, nx); b1 = sol.narrow(1, nx, nv);
        }
        else
        {
            double g = _m.Gamma, sg = Math.Sqrt(g);
            var b2Direct = Get("B2");
            c2 = Get("C2");
            d12 = sg * Contraction("X12", "Y12", "Z12", nv, nu);
            d21 = sg * Contraction("X21", "Y21", "Z21", ny, nv);
            d22 = Zeros(ny, nu);
            // T = [[−C2ᵀD21/γ, −C1ᵀD12], [B1, B2]], R = blkdiag(I − D21ᵀD21/γ, γI − D12ᵀD12), H = H₀ + T·R⁻¹·Tᵀ + G.
            var t1 = cat([(-1.0 / g) * c2.t().mm(d21), b1Direct], 0);     // 2nx × nv
            var t2 = cat([-1.0 * c1.t().mm(d12), b2Direct], 0);           // 2nx × nu
            var r1 = Eye(nv) - d21.t().mm(d21) / g;
            var r2 = g * Eye(nu) - d12.t().mm(d12);
            var h = h0 + t1.mm(linalg.solve(r1, t1.t())) + t2.mm(linalg.solve(r2, t2.t()));
            h11 = h.narrow(0, 0, nx).narrow(1, 0, nx) + c1.t().mm(c1) + c2.t().mm(c2) / g;
            h21 = h.narrow(0, nx, nx).narrow(1, 0, nx);
            h22 = h.narrow(0, nx, nx).narrow(1, nx, nx);
            var e = 0.5 * (h11 + h22 / abar2 + yy - yy.t());
            var sol = linalg.solve(e, cat([h21, b1Direct, b2Direct], 1));
            a = sol.narrow(1, 0, nx); b1 = sol.narrow(1, nx, nv); b2 = sol.narrow(1, nx + nv, nu);
        }
        var bx = Get("bx"); var bv = Get("bv");
        var by = Has("by") ? Get("by") : ZeroVector(ny);

        // The 1-Lipschitz network (γ = 1), its stages joined (LbdnMap).
        int layers = o.HiddenSizes.Length + 1;
        bool linear = o.NetworkOutputLayer == LbdnOutputLayer.Linear;
        int stages = linear ? layers - 1 : layers;
        var sw = new (Tensor W1, Tensor W2, Tensor B)[layers];
        for (int k = 0; k < layers; k++) sw[k] = Sandwich(k);
        Tensor Bias(int k) => Get($"network/layers_{k}/b");
        var outMap = linear ? sw[layers - 1].B.mm(sw[stages - 1].W2) : sw[stages - 1].W2;
        var outBias = linear ? Bias(layers - 1) : ZeroVector(nv);

        var gs = new Tensor[stages];
        var cs = new Tensor[stages];
        var w1In = sw[0].W1;
        gs[0] = w1In.mm(cat([c1, d12], 1));
        cs[0] = w1In.mv(bv) + Bias(0);
        for (int k = 1; k < stages; k++) { gs[k] = sw[k].W1.mm(sw[k - 1].W2); cs[k] = Bias(k); }
        var wo = cat([cat([a, b2, b1.mm(outMap)], 1), cat([c2, d22, d21.mm(outMap)], 1)], 0);
        var bo = cat([bx + b1.mv(outBias), by + d21.mv(outBias)], 0);
        return new FusedWeights(gs, cs, wo, bo, null);
    }

    private FusedWeights Ren()
    {
        var o = _m.RenOptions!;
        int nx = o.StateSize, nu = o.InputSize, nv = o.NonlinearWidth, ny = o.OutputSize;
        double abar2 = o.ContractionRate * o.ContractionRate;
        var y1 = Get("Y1"); var b2Direct = Get("B2"); var d12Direct = Get("D12");
        bool identity = !Has("C2");
        var c2 = identity ? Eye(ny) : Get("C2");
        var d21 = identity ? Zeros(ny, nv) : Get("D21");
        var bx = Get("bx"); var bv = Get("bv");
        var by = identity ? ZeroVector(ny) : Get("by");
        var h = PolarGram(Get("X"), Get("p"));
        Tensor d22;
        if (_m.Supply is not { } supply)
        {
            d22 = identity ? Zeros(ny, nu) : Get("D22");
        }
        else
        {
            var q = supply.Q.to(Dev); var s = supply.S.to(Dev); var r = supply.R.to(Dev);
            d22 = o.D22Zero ? Zeros(ny, nu)
                : supply.LQInverse.to(Dev).mm(Contraction("X3", "Y3", "Z3", ny,
                                                          nu)).mm(supply.LR.to(Dev)) - supply.QInvST.to(Dev);
            var l = d22.t().mm(q) + s;                                           // D22ᵀQ + S
            var c2Imp = l.mm(c2);
            var d21Imp = l.mm(d21) - d12Direct.t();
            var r1 = r + s.mm(d22) + d22.t().mm(s.t()) + d22.t().mm(q).mm(d22);
            var mQ = cat([c2, d21, Zeros(ny, nx)], 1);
            var mR = cat([c2Imp, d21Imp, b2Direct.t()], 1);
            var w = linalg.solve(0.5 * (r1 + r1.t()), mR);
            h = h + mR.t().mm(w) - mQ.t().mm(q).mm(mQ);
        }
        var h11 = h.narrow(0, 0, nx).narrow(1, 0, nx);
        var h22 = h.narrow(0, nx, nv).narrow(1, nx, nv);
        var hBottom = h.narrow(0, nx + nv, nx);
        var f = hBottom.narrow(1, 0, nx);
        var b1Imp = hBottom.narrow(1, nx, nv);
        var pm = hBottom.narrow(1, nx + nv, nx);
        var e = 0.5 * (h11 + pm / abar2 + y1 - y1.t());
        var sol = linalg.solve(e, cat([f, b1Imp, b2Direct], 1));
        var a = sol.narrow(1, 0, nx); var b1 = sol.narrow(1, nx, nv); var b2 = sol.narrow(1, nx + nv, nu);
        var lambdaInv = (2.0 / h22.diagonal()).unsqueeze(1);                 // Λ⁻¹ = 2/diag(H22)
        var c1 = lambdaInv * (-1.0 * h.narrow(0, nx, nv).narrow(1, 0, nx));
        var d11 = lambdaInv * (-1.0 * h22.tril(-1));
        var d12 = lambdaInv * d12Direct;
        var g0 = cat([c1, d12], 1);
        var wo = cat([cat([a, b2, b1], 1), cat([c2, d22, d21], 1)], 0);
        var bo = cat([bx, by], 0);
        return new FusedWeights([g0], [bv], wo, bo, d11);
    }
}
