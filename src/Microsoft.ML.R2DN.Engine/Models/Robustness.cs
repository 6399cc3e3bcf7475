namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>Which robustness property a model is built to have.</summary>
public enum Robustness
{
    /// <summary>Contracting (stable): it forgets its initial state. The default.</summary>
    Contracting,

    /// <summary>γ-Lipschitz from input to output (and contracting).</summary>
    Lipschitz,
}
