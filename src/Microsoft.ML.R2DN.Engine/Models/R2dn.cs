namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// What the R2DN variants share (MODELS.md 1.2): an LTI system in feedback with a 1-Lipschitz deep network φ (an
/// LBDN with γ = 1, parameter groups <c>network/layers_k/{XY,a,d,b}</c>), the state-space initialisations and the
/// explicit matrices. The variants differ in how the LTI matrices are parameterised.
/// </summary>
/// <remarks>
/// <code>
///   x_{t+1} = A x_t + B1 w_t + B2 u_t + bx,   v_t = C1 x_t + D12 u_t + bv,   w_t = φ(v_t),
///   y_t     = C2 x_t + D21 w_t + D22 u_t + by
/// </code>
/// Parameters are float64 (the maps run in float64); the time loops run in float32 SIMD.
/// <para>Not thread-safe: one call at a time per instance (each call may use <see cref="RecurrentModel.Threads"/>
/// cores).</para>
/// </remarks>
public abstract class R2dn : RecurrentModel
{
    private protected R2dn(R2dnOptions options, ParameterLayout layout)
        : base(layout, options.InputSize, options.StateSize, options.OutputSize, options.Activation)
    {
        if (options.NetworkOutputLayer == LbdnOutputLayer.Linear && options.HiddenSizes.Length == 0)
            throw new ArgumentException("A linear network output layer needs at least one hidden layer.",
                                        nameof(options));
        Options = options with { HiddenSizes = (int[])options.HiddenSizes.Clone() };
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
            long macs = (long)(o.StateSize + o.OutputSize) * (o.StateSize + o.NonlinearWidth + o.InputSize)
                + (long)o.NonlinearWidth * (o.StateSize + o.InputSize);
            var widths = NetworkWidths(o);
            for (int k = 0; k + 1 < widths.Length; k++) macs += (long)widths[k + 1] * (widths[k] + widths[k + 1]);
            return macs;
        }
    }

    private protected static int[] NetworkWidths(R2dnOptions o) =>
        [o.NonlinearWidth, .. o.HiddenSizes, o.NonlinearWidth];

    /// <summary>The explicit matrices of the current parameters (for inspection and certificates).</summary>
    public R2dnExplicit GetExplicit()
    {
        var map = Map();
        return new R2dnExplicit(map.A, map.B1, map.B2, map.C1, map.D12, map.C2, map.D21, map.D22,
                                map.Bx, map.Bv, map.By, map.E, map.P, map.H);
    }

    internal abstract R2dnMap Map();

    internal override IExplicitMap CreateMap() => Map();

    /// <summary>
    /// Initialises X, p, Y, B1 and C1 (MODELS.md 3): long memory (E = P = I, A = I − diag(eigs), eigs ~ 0.05·U(0,1),
    /// X the upper Cholesky factor of [[I, A], [A, I]], Y = I, B1 = C1 = 0) or LeCun-normal; p = l2_norm(X); then the
    /// groups in <paramref name="lecunGroups"/>, and the network. Everything else stays zero.
    /// </summary>
    private protected void Initialize(Initializers init, params string[] lecunGroups)
    {
        var o = Options;
        int nx = o.StateSize;
        var par = Parameters;
        Array.Clear(par);
        var x = Layout["X"];
        if (o.Initialization == Initialization.LongMemory)
        {
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
        }
        else
        {
            init.LecunNormal(x.Slice(par), x.Rows);
            init.LecunNormal(Layout["Y"].Slice(par), nx);
            init.LecunNormal(Layout["B1"].Slice(par), nx);
            init.LecunNormal(Layout["C1"].Slice(par), o.NonlinearWidth);
        }
        par[Layout["p"].Offset] = PolarGram.L2Norm(x.Slice(par));
        foreach (var name in lecunGroups)
        {
            var g = Layout[name];
            init.LecunNormal(g.Slice(par), g.Rows);
        }
        LbdnMap.Initialize(par, Layout, "network/", o.HiddenSizes.Length + 1, init);
    }
}

/// <summary>The explicit matrices of an R2DN, with the implicit E, P = H22 and the LMI matrix H.</summary>
public sealed record R2dnExplicit(Matrix A, Matrix B1, Matrix B2, Matrix C1, Matrix D12, Matrix C2, Matrix D21,
                                  Matrix D22,
                                  double[] Bx, double[] Bv, double[] By, Matrix E, Matrix P, Matrix H);
