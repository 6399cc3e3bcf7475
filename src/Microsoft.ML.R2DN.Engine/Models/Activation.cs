namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// The element-wise activation of a model. Only monotone activations with slope in [0, 1] are offered:
/// the contraction and Lipschitz certificates rely on that sector condition (MODELS.md 6.13).
/// </summary>
public enum Activation
{
    /// <summary>max(0, v).</summary>
    ReLU,

    /// <summary>tanh(v).</summary>
    Tanh,
}
