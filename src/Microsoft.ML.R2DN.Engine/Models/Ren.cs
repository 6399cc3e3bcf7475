namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// What the recurrent equilibrium networks share (MODELS.md 1.1, 2.2): the direct parameters, the initialisations
/// and the explicit map from the LMI matrix H; the variants differ in the supply rate H carries.
/// </summary>
/// <remarks>
/// <code>
///   x_{t+1} = A x_t + B1 w_t + B2 u_t + bx,   w_t = σ(C1 x_t + D11 w_t + D12 u_t + bv),
///   y_t     = C2 x_t + D21 w_t + D22 u_t + by
/// </code>
/// D11 is strictly lower triangular, so the equilibrium is solved exactly by forward substitution; its nv neurons
/// are sequential, which is the cost the R2DN removes. Direct parameters: X ((2nx+nv)²), p, Y1 (nx×nx), B2 (nx×nu),
/// D12 (nv×nu), C2, D21, D22, bx, bv, by, and X3 (d×d), Y3 (d×d), Z3 (|ny−nu|×d) with d = min(nu, ny), which build D22
/// in the Lipschitz and (Q,S,R) variants (present, unused, in the contracting one, as in the reference code).
/// <para>Not thread-safe: one call at a time per instance.</para>
/// </remarks>
public abstract class Ren : RecurrentModel
{
    private protected Ren(RenOptions options)
        : base(CreateLayout(options), options.InputSize, options.StateSize, options.OutputSize, options.Activation)
    {
        Options = options;
    }

    /// <summary>The options this model was built with.</summary>
    public RenOptions Options { get; }

    /// <summary>
    /// Multiply-adds per time step per sequence: nx(nx+nv+nu) + ny(nx+nv+nu) + nv(nx+nu) + nv(nv−1)/2.
    /// </summary>
    public override long MultiplyAddsPerStep
    {
        get
        {
            var o = Options;
            return (long)(o.StateSize + o.OutputSize) * (o.StateSize + o.NonlinearWidth + o.InputSize)
                   + (long)o.NonlinearWidth * (o.StateSize + o.InputSize)
                   + (long)o.NonlinearWidth * (o.NonlinearWidth - 1) / 2;
        }
    }

    /// <summary>Builds the parameter layout of a REN (the flat order of
    /// <see cref="RecurrentModel.Parameters"/>).</summary>
    public static ParameterLayout CreateLayout(RenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int nu = options.InputSize, nx = options.StateSize, nv = options.NonlinearWidth, ny = options.OutputSize,
            d = Math.Min(nu, ny);
        var l = new ParameterLayout();
        l.Add("X", 2 * nx + nv, 2 * nx + nv); l.Add("p", 1); l.Add("Y1", nx, nx);
        l.Add("B2", nx, nu); l.Add("D12", nv, nu);
        if (!options.IdentityOutput) { l.Add("C2", ny, nx); l.Add("D21", ny, nv); l.Add("D22", ny, nu); }
        l.Add("bx", nx); l.Add("bv", nv);
        if (!options.IdentityOutput) l.Add("by", ny);
        l.Add("X3", d, d); l.Add("Y3", d, d); l.Add("Z3", Math.Abs(ny - nu), d);
        return l;
    }

    /// <summary>The explicit matrices of the current parameters (for inspection and certificates).</summary>
    public RenExplicit GetExplicit()
    {
        var m = Map();
        return new RenExplicit(m.A, m.B1, m.B2, m.C1, m.D11, m.D12, m.C2, m.D21, m.D22, m.Bx, m.Bv, m.By, m.E, m.P,
                               m.Lambda, m.H);
    }

    internal abstract RenMap Map();

    internal override IExplicitMap CreateMap() => Map();

    /// <summary>Verifies the dissipation form with the given supply rate (none: contraction only).</summary>
    private protected Certificates.Certificate Certify(Certificates.CertifiedProperty property, string model,
                                                       double? gamma,
                                                       Matrix? q, Matrix? s, Matrix? r, double relativeTolerance)
    {
        var m = Map();
        var (eig, scale) = q is null
            ? Certificates.DissipationForm.Evaluate(m.A, m.B1, null, m.E, m.P, Options.ContractionRate, m.C1, m.D11,
                                                    null, m.Lambda)
            : Certificates.DissipationForm.Evaluate(m.A, m.B1, m.B2, m.E, m.P, Options.ContractionRate, m.C1, m.D11,
                                                    m.D12, m.Lambda,
                                                    m.C2, m.D21, m.D22, q, s, r);
        return new(property, model, Options.ContractionRate, gamma, q, s, r, eig, scale, relativeTolerance);
    }

    /// <summary>
    /// MODELS.md 3: long memory (E = P/ᾱ² with P = I, F = I − diag(eigs), B1 = C1 = 0, H22 = 2Λ − D11 − D11ᵀ from a
    /// LeCun-normal D11 with Λ = (λ_max(D11 + D11ᵀ)/2 + 1e-4)·I, X the upper Cholesky factor of H + εI, Y1 = I)
    /// or LeCun-normal X and Y1; then B2, D12, C2, D21 LeCun-normal, p = l2_norm(X), X3 = I, everything else zero.
    /// With ᾱ = 1 this is exactly the reference initialisation; E = P/ᾱ² keeps H positive definite for ᾱ &lt; 1.
    /// </summary>
    private protected void Initialize(int seed)
    {
        var init = new Initializers(seed);
        var o = Options;
        int nx = o.StateSize, nv = o.NonlinearWidth, n = 2 * nx + nv;
        var par = Parameters;
        var x = Layout["X"];
        if (o.Initialization == Initialization.LongMemory)
        {
            double inv = 1.0 / (o.ContractionRate * o.ContractionRate);
            var h = new Matrix(n, n);
            for (int i = 0; i < nx; i++)
            {
                double f = 1.0 - 0.05 * init.Uniform();
                h[i, i] = inv;                         // E + Eᵀ − P/ᾱ² with E = P/ᾱ², P = I
                h[nx + nv + i, i] = f; h[i, nx + nv + i] = f;
                h[nx + nv + i, nx + nv + i] = 1;       // P
            }
            var d11 = new Matrix(nv, nv);
            init.LecunNormal(d11.Data, nv);
            var sym = d11 + d11.Transpose();
            double lambda = SymmetricEigen.MaxEigenvalue(sym) / 2 + 1e-4;
            for (int i = 0; i < nv; i++)
                for (int j = 0; j < nv; j++)
                    h[nx + i, nx + j] = (i == j ? 2 * lambda : 0) - sym[i, j];
            for (int i = 0; i < n; i++) h[i, i] += Numerics.Epsilon;
            new CholeskyDecomposition(h).Upper.Data.CopyTo(x.Slice(par));
            var y1 = Layout["Y1"].Slice(par);
            for (int i = 0; i < nx; i++) y1[i * nx + i] = 1;
        }
        else
        {
            init.LecunNormal(x.Slice(par), n);
            init.LecunNormal(Layout["Y1"].Slice(par), nx);
        }
        par[Layout["p"].Offset] = PolarGram.L2Norm(x.Slice(par));
        foreach (var name in new[] { "B2", "D12", "C2", "D21" }.Where(Layout.Contains))
        {
            var g = Layout[name];
            init.LecunNormal(g.Slice(par), g.Rows);
        }
        var x3 = Layout["X3"];
        for (int i = 0; i < x3.Rows; i++) par[x3.Offset + i * x3.Columns + i] = 1;
    }
}

/// <summary>The explicit matrices of a REN, with the implicit E, P, the multiplier Λ and the LMI matrix H.</summary>
public sealed record RenExplicit(Matrix A, Matrix B1, Matrix B2, Matrix C1, Matrix D11, Matrix D12, Matrix C2,
                                 Matrix D21, Matrix D22,
                                 double[] Bx, double[] Bv, double[] By, Matrix E, Matrix P, double[] Lambda, Matrix H);

/// <summary>The contracting REN (MODELS.md 2.2): contracting with rate <see cref="RenOptions.ContractionRate"/> for
/// every parameter value.</summary>
public sealed class ContractingRen : Ren
{
    /// <summary>Creates a model with freshly initialised parameters.</summary>
    public ContractingRen(RenOptions options, int seed = 0) : base(options) => Initialize(seed);

    internal override RenMap Map() => new(Parameters, Layout, Options, supply: null);

    /// <inheritdoc/>
    public override Certificates.Certificate Certify(double relativeTolerance = 1e-9) =>
        Certify(Certificates.CertifiedProperty.Contracting, "contracting REN", null, null, null, null,
                relativeTolerance);
}

/// <summary>
/// The γ-Lipschitz REN (MODELS.md 2.3): ‖Δy‖ ≤ γ‖Δu‖ from a common initial state over every horizon, for every
/// parameter value. The (Q, S, R) = (−I/γ, 0, γI) case of <see cref="GeneralRen"/>.
/// </summary>
public sealed class LipschitzRen : Ren
{
    private readonly QsrSupply _supply;

    /// <summary>Creates a model with freshly initialised parameters.</summary>
    /// <param name="options">Sizes and choices.</param>
    /// <param name="gamma">The Lipschitz bound γ (finite, &gt; 0).</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public LipschitzRen(RenOptions options, double gamma, int seed = 0) : base(options)
    {
        if (!(gamma > 0) || !double.IsFinite(gamma))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be finite and greater than 0.");
        if (options.IdentityOutput)
            throw new ArgumentException("IdentityOutput is available for contracting models only.", nameof(options));
        Gamma = gamma;
        int nu = options.InputSize, ny = options.OutputSize;
        _supply = new QsrSupply((-1.0 / gamma) * Matrix.Identity(ny), new Matrix(nu, ny), gamma * Matrix.Identity(nu),
                                shift: false);
        Initialize(seed);
    }

    /// <summary>The Lipschitz bound γ.</summary>
    public double Gamma { get; }

    internal override RenMap Map() => new(Parameters, Layout, Options, _supply);

    /// <inheritdoc/>
    public override Certificates.Certificate Certify(double relativeTolerance = 1e-9) =>
        Certify(Certificates.CertifiedProperty.Lipschitz, "γ-Lipschitz REN", Gamma,
                (-1.0 / Gamma) * Matrix.Identity(OutputSize), new Matrix(InputSize, OutputSize),
                    Gamma * Matrix.Identity(InputSize),
                relativeTolerance);
}

/// <summary>
/// The (Q, S, R)-dissipative REN (MODELS.md 2.4): V(Δx⁺) − ᾱ²V(Δx) ≤ [Δy; Δu]ᵀ[[Q, Sᵀ], [S, R]][Δy; Δu] for every
/// parameter value. Special cases: Lipschitz (−I/γ, 0, γI); incrementally input-passive (0, I, −2νI) needs Q ≺ 0,
/// so use a tiny negative Q; output-strictly passive (−2ρI, I, 0).
/// </summary>
public sealed class GeneralRen : Ren
{
    private readonly QsrSupply _supply;

    /// <summary>Creates a model with freshly initialised parameters.</summary>
    /// <param name="options">Sizes and choices.</param>
    /// <param name="q">Q (ny×ny), symmetric negative definite.</param>
    /// <param name="s">S (nu×ny).</param>
    /// <param name="r">R (nu×nu), symmetric, with R − S·Q⁻¹·Sᵀ positive definite.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    /// <exception cref="ArgumentException">A shape is wrong, Q is not negative definite, or R − SQ⁻¹Sᵀ is not positive
    /// definite.</exception>
    public GeneralRen(RenOptions options, Matrix q, Matrix s, Matrix r, int seed = 0) : base(options)
    {
        ArgumentNullException.ThrowIfNull(q); ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(r);
        if (options.IdentityOutput)
            throw new ArgumentException("IdentityOutput is available for contracting models only.", nameof(options));
        int nu = options.InputSize, ny = options.OutputSize;
        if (q.Rows != ny || q.Columns != ny)
            throw new ArgumentException($"Q must be {ny}x{ny} (ny×ny), got {q.Rows}x{q.Columns}.", nameof(q));
        if (s.Rows != nu || s.Columns != ny)
            throw new ArgumentException($"S must be {nu}x{ny} (nu×ny), got {s.Rows}x{s.Columns}.", nameof(s));
        if (r.Rows != nu || r.Columns != nu)
            throw new ArgumentException($"R must be {nu}x{nu} (nu×nu), got {r.Rows}x{r.Columns}.", nameof(r));
        foreach (var (m, name) in new[] { (q, nameof(q)), (s, nameof(s)), (r, nameof(r)) })
            Validation.ThrowIfNotFinite(m.Data, name);
        if ((q - q.Transpose()).MaxAbs() > 1e-10 * (1 + q.MaxAbs()))
            throw new ArgumentException("Q must be symmetric.", nameof(q));
        if ((r - r.Transpose()).MaxAbs() > 1e-10 * (1 + r.MaxAbs()))
            throw new ArgumentException("R must be symmetric.", nameof(r));
        Q = q.Clone(); S = s.Clone(); R = r.Clone();
        _supply = new QsrSupply(Q, S, R, shift: true);
        if (options.D22Zero)
        {
            // With D22 = 0 the LMI needs R₁ = R itself positive definite.
            try { _ = new CholeskyDecomposition(_supply.R); }
            catch (ArgumentException)
            {
                throw new ArgumentException("With D22Zero, R must be positive definite.",
                                                                    nameof(r));
            }
        }
        Initialize(seed);
    }

    /// <summary>Q of the supply rate.</summary>
    public Matrix Q { get; }
    /// <summary>S of the supply rate.</summary>
    public Matrix S { get; }
    /// <summary>R of the supply rate.</summary>
    public Matrix R { get; }

    internal override RenMap Map() => new(Parameters, Layout, Options, _supply);

    /// <inheritdoc/>
    public override Certificates.Certificate Certify(double relativeTolerance = 1e-9) =>
        Certify(Certificates.CertifiedProperty.Dissipative, "(Q, S, R) REN", null, Q, S, R, relativeTolerance);
}
