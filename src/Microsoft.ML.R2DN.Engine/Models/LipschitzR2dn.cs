namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The γ-Lipschitz R2DN (MODELS.md 2.8): for any two input sequences from a common initial state,
/// ‖Δy‖ ≤ γ‖Δu‖ over every horizon, for every value of its direct parameters; it is also contracting with rate
/// <see cref="R2dnOptions.ContractionRate"/>. D22 = 0 (the case the paper covers).
/// </summary>
/// <remarks>
/// Direct parameters: X (2nx×2nx), p, Y (nx×nx), B1 (nx×nv) and B2 (nx×nu), both implicit, C1 (nv×nx), C2 (ny×nx),
/// bx, bv, by; D12 = √γ·N(X12, Y12, Z12) and D21 = √γ·N(X21, Y21, Z21), Cayley contractions (‖N‖₂ &lt; 1); and the
/// network <c>network/layers_k/{XY,a,d,b}</c>. No public reference code implements this model; its certificate is
/// checked numerically (see the tests and MODELS.md section 5 item 8).
/// </remarks>
public sealed class LipschitzR2dn : R2dn
{
    /// <summary>Creates a model with freshly initialised parameters.</summary>
    /// <param name="options">Sizes and choices; validated.</param>
    /// <param name="gamma">The Lipschitz bound γ (finite, &gt; 0).</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public LipschitzR2dn(R2dnOptions options, double gamma, int seed = 0) : base(options, CreateLayout(options))
    {
        if (options.IdentityOutput)
            throw new ArgumentException("IdentityOutput is available for contracting models only.", nameof(options));
        if (!(gamma > 0) || !double.IsFinite(gamma))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be finite and greater than 0.");
        Gamma = gamma;
        Initialize(new Initializers(seed), "B2", "C2");
        foreach (var name in new[] { "X12", "X21" })
        {
            var g = Layout[name];
            var x = g.Slice(Parameters);
            for (int i = 0; i < g.Rows; i++) x[i * g.Columns + i] = 1;   // X = I, Y = Z = 0: D12, D21 start near 0
        }
    }

    /// <summary>The Lipschitz bound γ.</summary>
    public double Gamma { get; }

    /// <summary>Builds the parameter layout of a γ-Lipschitz R2DN (the flat order of
    /// <see cref="RecurrentModel.Parameters"/>).</summary>
    public static ParameterLayout CreateLayout(R2dnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int nu = options.InputSize, nx = options.StateSize, nv = options.NonlinearWidth, ny = options.OutputSize;
        int d12 = Math.Min(nv, nu), d21 = Math.Min(ny, nv);
        var l = new ParameterLayout();
        l.Add("X", 2 * nx, 2 * nx); l.Add("p", 1); l.Add("Y", nx, nx);
        l.Add("B1", nx, nv); l.Add("C1", nv, nx); l.Add("B2", nx, nu); l.Add("C2", ny, nx);
        l.Add("bx", nx); l.Add("bv", nv); l.Add("by", ny);
        l.Add("X12", d12, d12); l.Add("Y12", d12, d12); l.Add("Z12", Math.Abs(nv - nu), d12);
        l.Add("X21", d21, d21); l.Add("Y21", d21, d21); l.Add("Z21", Math.Abs(ny - nv), d21);
        LbdnMap.AddParameters(l, "network/", NetworkWidths(options));
        return l;
    }

    internal override R2dnMap Map() => new LipschitzR2dnMap(Parameters, Layout, Options, Gamma, Threads);

    /// <inheritdoc/>
    public override Certificates.Certificate Certify(double relativeTolerance = 1e-9)
    {
        var m = Map();
        int nu = InputSize, ny = OutputSize;
        var q = (-1.0 / Gamma) * LinearAlgebra.Matrix.Identity(ny);
        var r = Gamma * LinearAlgebra.Matrix.Identity(nu);
        var (eig, scale) = Certificates.DissipationForm.Evaluate(m.A, m.B1, m.B2, m.E, m.P, Options.ContractionRate,
                                                                 m.C1, null, m.D12, null,
                                                                 m.C2, m.D21, m.D22, q,
                                                                     new LinearAlgebra.Matrix(nu, ny), r);
        return new(Certificates.CertifiedProperty.Lipschitz, "γ-Lipschitz R2DN", Options.ContractionRate, Gamma, null,
                   null, null,
                   eig, scale, relativeTolerance);
    }
}
