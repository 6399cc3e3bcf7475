namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The contracting R2DN (MODELS.md 1.2, 2.7): contracting, with rate bound <see cref="R2dnOptions.ContractionRate"/>,
/// for every value of its direct parameters.
/// </summary>
/// <remarks>
/// Direct parameters (MODELS.md names): X (2nx×2nx), p, Y (nx×nx), B1 (nx×nv, implicit), C1 (nv×nx), B2 (nx×nu),
/// D12 (nv×nu), C2 (ny×nx), D21 (ny×nv), D22 (ny×nu), bx, bv, by, and <c>network/layers_k/{XY,a,d,b}</c>.
/// </remarks>
public sealed class ContractingR2dn : R2dn
{
    /// <summary>Creates a model with freshly initialised parameters.</summary>
    /// <param name="options">Sizes and choices; validated.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public ContractingR2dn(R2dnOptions options, int seed = 0) : base(options, CreateLayout(options))
    {
        Initialize(new Initializers(seed), options.IdentityOutput ? ["B2", "D12"] : ["B2", "D12", "C2", "D21"]);
    }

    /// <summary>Builds the parameter layout of a contracting R2DN (the flat order of
    /// <see cref="RecurrentModel.Parameters"/>).</summary>
    public static ParameterLayout CreateLayout(R2dnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int nu = options.InputSize, nx = options.StateSize, nv = options.NonlinearWidth, ny = options.OutputSize;
        var l = new ParameterLayout();
        l.Add("X", 2 * nx, 2 * nx); l.Add("p", 1); l.Add("Y", nx, nx);
        l.Add("B1", nx, nv); l.Add("C1", nv, nx); l.Add("B2", nx, nu); l.Add("D12", nv, nu);
        if (!options.IdentityOutput) { l.Add("C2", ny, nx); l.Add("D21", ny, nv); l.Add("D22", ny, nu); }
        l.Add("bx", nx); l.Add("bv", nv);
        if (!options.IdentityOutput) l.Add("by", ny);
        LbdnMap.AddParameters(l, "network/", NetworkWidths(options));
        return l;
    }

    internal override R2dnMap Map() => new ContractingR2dnMap(Parameters, Layout, Options, Threads);

    /// <inheritdoc/>
    public override Certificates.Certificate Certify(double relativeTolerance = 1e-9)
    {
        var m = Map();
        var (eig, scale) = Certificates.DissipationForm.Evaluate(m.A, m.B1, null, m.E, m.P, Options.ContractionRate,
                                                                 m.C1, null, null, null);
        return new(Certificates.CertifiedProperty.Contracting, "contracting R2DN", Options.ContractionRate, null, null,
                   null, null,
                   eig, scale, relativeTolerance);
    }
}
