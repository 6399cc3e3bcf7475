using Microsoft.ML.R2DN.Engine;
using static TorchSharp.torch;

namespace Microsoft.ML.R2DN.TorchSharp;

/// <summary>The fixed (Q, S, R) quantities of a REN supply rate (the engine's QsrSupply), float64 on the CPU.</summary>
internal sealed class SupplyConstants
{
    public SupplyConstants(double[,] q, double[,] s, double[,] r, bool shift)
    {
        using var scope = NewDisposeScope();
        var qt = tensor(q, ScalarType.Float64); var st = tensor(s, ScalarType.Float64);
        var rt = tensor(r, ScalarType.Float64);
        if (shift)
        {
            qt = qt - Numerics.Epsilon * eye(qt.shape[0], dtype: ScalarType.Float64);
            rt = rt + Numerics.Epsilon * eye(rt.shape[0], dtype: ScalarType.Float64);
        }
        var lq = linalg.cholesky(-1.0 * qt).t();                  // upper: L_QᵀL_Q = −Q
        var qInvSt = linalg.solve(qt, st.t());                       // Q⁻¹Sᵀ
        var lr = linalg.cholesky(rt - st.mm(qInvSt)).t();            // upper: L_RᵀL_R = R − SQ⁻¹Sᵀ
        Q = qt.MoveToOuterDisposeScope(); S = st.MoveToOuterDisposeScope(); R = rt.MoveToOuterDisposeScope();
        LQInverse = linalg.inv(lq).MoveToOuterDisposeScope();
        LR = lr.contiguous().MoveToOuterDisposeScope();
        QInvST = qInvSt.MoveToOuterDisposeScope();
    }

    public Tensor Q { get; }
    public Tensor S { get; }
    public Tensor R { get; }
    public Tensor LQInverse { get; }
    public Tensor LR { get; }
    public Tensor QInvST { get; }
}

/// <summary>What the TorchSharp backend needs to know about an engine model: its kind, options, layout and supply
/// rate.</summary>
internal sealed class ModelDescription
{
    private ModelDescription(RecurrentModel model)
    {
        Layout = model.Layout;
        InputSize = model.InputSize; StateSize = model.StateSize; OutputSize = model.OutputSize;
        Activation = model.Activation;
        (Kind, R2dnOptions, RenOptions) = model switch
        {
            R2dn r => (ModelKind.R2dn, r.Options, (RenOptions?)null),
            Ren r => (ModelKind.Ren, null, r.Options),
            _ => throw Unsupported(model),
        };
        (Robustness, Gamma, Name) = model switch
        {
            ContractingR2dn => (Robustness.Contracting, 1.0, "contracting R2DN"),
            LipschitzR2dn l => (Robustness.Lipschitz, l.Gamma, "γ-Lipschitz R2DN"),
            ContractingRen => (Robustness.Contracting, 1.0, "contracting REN"),
            LipschitzRen l => (Robustness.Lipschitz, l.Gamma, "γ-Lipschitz REN"),
            GeneralRen => (Robustness.Contracting, 1.0, "(Q, S, R) REN"),
            _ => throw Unsupported(model),
        };
        Supply = model switch
        {
            LipschitzRen l => LipschitzSupply(l),
            GeneralRen g => new SupplyConstants(ToArray(g.Q), ToArray(g.S), ToArray(g.R), shift: true),
            _ => null,
        };
        Template = model;
    }

    private static NotSupportedException Unsupported(RecurrentModel model) =>
        new($"The TorchSharp backend supports ContractingR2dn, LipschitzR2dn, ContractingRen, LipschitzRen " +
            $"and GeneralRen, not {model.GetType().Name}.");

    /// <summary>The supply rate of a γ-Lipschitz REN: Q = -I/γ, S = 0, R = γI.</summary>
    private static SupplyConstants LipschitzSupply(LipschitzRen lr)
    {
        int nu = lr.InputSize, ny = lr.OutputSize;
        var q = new double[ny, ny]; var r = new double[nu, nu];
        for (int i = 0; i < ny; i++) q[i, i] = -1.0 / lr.Gamma;
        for (int i = 0; i < nu; i++) r[i, i] = lr.Gamma;
        return new SupplyConstants(q, new double[nu, ny], r, shift: false);
    }

    public static ModelDescription From(RecurrentModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ModelDescription(model);
    }

    public ModelKind Kind { get; }
    public Robustness Robustness { get; }
    public string Name { get; }
    public ParameterLayout Layout { get; }
    public R2dnOptions? R2dnOptions { get; }
    public RenOptions? RenOptions { get; }
    public double Gamma { get; }
    public SupplyConstants? Supply { get; }
    public Activation Activation { get; }
    public int InputSize { get; }
    public int StateSize { get; }
    public int OutputSize { get; }
    public int ParameterCount => Layout.Count;

    /// <summary>The engine model this description came from (its type and options; its parameters are not read
    /// again).</summary>
    public RecurrentModel Template { get; }

    /// <summary>A new engine model of the same type and options, holding <paramref name="parameters"/>.</summary>
    public RecurrentModel CreateEngineModel(ReadOnlySpan<double> parameters)
    {
        RecurrentModel m = Template switch
        {
            ContractingR2dn c => new ContractingR2dn(c.Options),
            LipschitzR2dn l => new LipschitzR2dn(l.Options, l.Gamma),
            ContractingRen cr => new ContractingRen(cr.Options),
            LipschitzRen lr => new LipschitzRen(lr.Options, lr.Gamma),
            GeneralRen g => new GeneralRen(g.Options, g.Q, g.S, g.R),
            _ => throw new NotSupportedException(Template.GetType().Name),
        };
        parameters.CopyTo(m.Parameters);
        m.Threads = Template.Threads;
        return m;
    }

    private static double[,] ToArray(Engine.LinearAlgebra.Matrix m)
    {
        var a = new double[m.Rows, m.Columns];
        for (int i = 0; i < m.Rows; i++) for (int j = 0; j < m.Columns; j++) a[i, j] = m[i, j];
        return a;
    }
}
