namespace Microsoft.ML.R2DN.Engine;

/// <summary>Numerical constants shared by every parameterisation.</summary>
public static class Numerics
{
    /// <summary>
    /// ε = 2⁻²³ ≈ 1.19e-7 (float32 machine epsilon), added inside l2_norm, to H₀ and wherever MODELS.md 6.2 says;
    /// the same value as the reference code so that results agree.
    /// </summary>
    public const double Epsilon = 1.1920928955078125e-07;
}
