namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>Which recurrent model a task trains.</summary>
public enum ModelKind
{
    /// <summary>The robust recurrent deep network (the default): an LTI system in feedback with a 1-Lipschitz deep
    /// network.</summary>
    R2dn,

    /// <summary>The recurrent equilibrium network, the alternative trainer.</summary>
    Ren,
}
