using Microsoft.ML.R2DN.Engine.LinearAlgebra;

namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The contracting R2DN (MODELS.md 1.2, 2.7): an LTI system in feedback with a 1-Lipschitz deep network,
/// contracting for every value of its direct parameters.
/// </summary>
/// <remarks>
/// <code>
///   x_{t+1} = A x_t + B1 w_t + B2 u_t + bx,   v_t = C1 x_t + D12 u_t + bv,   w_t = φ(v_t),
///   y_t     = C2 x_t + D21 w_t + D22 u_t + by
/// </code>
/// Direct parameters (MODELS.md names): X (2nx×2nx), p, Y (nx×nx), B1 (nx×nv, implicit), C1 (nv×nx), B2 (nx×nu),
/// D12 (nv×nu), C2 (ny×nx), D21 (ny×nv), D22 (ny×nu), bx, bv, by, and <c>network/layers_k/{XY,a,d,b}</c>.
/// Parameters are float64 (the maps run in float64); the time loops run in float32 SIMD.
/// <para>Not thread-safe: one call at a time per instance (each call may use <see cref="RecurrentModel.Threads"/> cores).</para>
/// </remarks>
public sealed class ContractingR2dn : RecurrentModel
{
    /// <summary>Creates a model with freshly initialised parameters.</summary>
    /// <param name="options">Sizes and choices; validated.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public ContractingR2dn(R2dnOptions options, int seed = 0)
        : base(CreateLayout(options), options.InputSize, options.StateSize, options.OutputSize, options.Activation)
    {
        if (options.NetworkOutputLayer == LbdnOutputLayer.Linear && options.HiddenSizes.Length == 0)
            throw new ArgumentException("A linear network output layer needs at least one hidden layer.", nameof(options));
        Options = options with { HiddenSizes = (int[])options.HiddenSizes.Clone() };
        Initialize(new Initializers(seed));
    }

    /// <summary>The options this model was built with.</summary>
    public R2dnOptions Options { get; }
    /// <summary>
    /// Multiply-adds per time step per sequence of the explicit (unfused) model, the count used for FLOP rates:
    /// nx(nx+nv+nu) + ny(nx+nv+nu) + nv(nx+nu) + Σ over Sandwich layers m→n of (n·m + n·n).
    /// </summary>
    public override long MultiplyAddsPerStep
    {
        get
        {
            var o = Options;
            long macs = (long)(o.StateSize + o.OutputSize) * (o.StateSize + o.Features + o.InputSize) + (long)o.Features * (o.StateSize + o.InputSize);
            var widths = NetworkWidths(o);
            for (int k = 0; k + 1 < widths.Length; k++) macs += (long)widths[k + 1] * (widths[k] + widths[k + 1]);
            return macs;
        }
    }

    /// <summary>Builds the parameter layout of an R2DN with these options (the flat order of <see cref="RecurrentModel.Parameters"/>).</summary>
    public static ParameterLayout CreateLayout(R2dnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int nu = options.InputSize, nx = options.StateSize, nv = options.Features, ny = options.OutputSize;
        var l = new ParameterLayout();
        l.Add("X", 2 * nx, 2 * nx); l.Add("p", 1); l.Add("Y", nx, nx);
        l.Add("B1", nx, nv); l.Add("C1", nv, nx); l.Add("B2", nx, nu); l.Add("D12", nv, nu);
        l.Add("C2", ny, nx); l.Add("D21", ny, nv); l.Add("D22", ny, nu);
        l.Add("bx", nx); l.Add("bv", nv); l.Add("by", ny);
        LbdnMap.AddParameters(l, "network/", NetworkWidths(options));
        return l;
    }

    private static int[] NetworkWidths(R2dnOptions o) => [o.Features, .. o.HiddenSizes, o.Features];

    private void Initialize(Initializers init)
    {
        var o = Options;
        int nx = o.StateSize;
        var par = Parameters;
        Array.Clear(par);
        var x = Layout["X"];
        if (o.Initialization == Initialization.LongMemory)
        {
            // E = P = I, A = I − diag(eigs), eigs ~ 0.05·U(0,1); H = [[I, A], [A, I]] = XᵀX (upper Cholesky factor).
            var h = Matrix.Identity(2 * nx);
            for (int i = 0; i < nx; i++)
            {
                double a = 1.0 - 0.05 * init.Uniform();
                h[i, nx + i] = a; h[nx + i, i] = a;
            }
            CholeskyDecomposition chol;
            try { chol = new CholeskyDecomposition(h); }
            catch (ArgumentException)
            {
                // An eigenvalue 1 − a_i ≈ 0 makes H numerically singular; a floor of ε is enough (MODELS.md 3.2).
                for (int i = 0; i < 2 * nx; i++) h[i, i] += Numerics.Epsilon;
                chol = new CholeskyDecomposition(h);
            }
            chol.Upper.Data.CopyTo(x.Slice(par));
            var y = Layout["Y"].Slice(par);
            for (int i = 0; i < nx; i++) y[i * nx + i] = 1;
            // B1 and C1 stay zero.
        }
        else
        {
            init.LecunNormal(x.Slice(par), x.Rows);
            init.LecunNormal(Layout["Y"].Slice(par), nx);
            init.LecunNormal(Layout["B1"].Slice(par), nx);
            init.LecunNormal(Layout["C1"].Slice(par), o.Features);
        }
        double ss = 0;
        foreach (var v in x.Slice(par)) ss += v * v;
        par[Layout["p"].Offset] = Math.Sqrt(ss + Numerics.Epsilon);
        foreach (var name in new[] { "B2", "D12", "C2", "D21" })
        {
            var g = Layout[name];
            init.LecunNormal(g.Slice(par), g.Rows);
        }
        // D22 and the biases stay zero.
        LbdnMap.Initialize(par, Layout, "network/", o.HiddenSizes.Length + 1, init);
    }

    /// <summary>The explicit matrices of the current parameters (for inspection and certificates).</summary>
    public R2dnExplicit GetExplicit()
    {
        var map = Map();
        return new R2dnExplicit(map.A, map.B1, map.B2, map.C1, map.D12, map.C2, map.D21, map.D22,
                                map.Bx, map.Bv, map.By, map.E, map.P, map.H);
    }

    internal ContractingR2dnMap Map() => new(Parameters, Layout, Options, Threads);

    internal override IExplicitMap CreateMap() => Map();
}

/// <summary>The explicit matrices of a contracting R2DN, with the implicit E, P = H22 and the LMI matrix H.</summary>
public sealed record R2dnExplicit(Matrix A, Matrix B1, Matrix B2, Matrix C1, Matrix D12, Matrix C2, Matrix D21, Matrix D22,
                                  double[] Bx, double[] Bv, double[] By, Matrix E, Matrix P, Matrix H);
