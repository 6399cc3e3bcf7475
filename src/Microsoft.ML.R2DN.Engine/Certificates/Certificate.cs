using System.Globalization;

namespace Microsoft.ML.R2DN.Engine.Certificates;

/// <summary>The robustness property a model is built to have.</summary>
public enum CertifiedProperty
{
    /// <summary>Contracting: any two trajectories with the same inputs converge, V(Δx⁺) ≤ ᾱ²V(Δx).</summary>
    Contracting,

    /// <summary>γ-Lipschitz from input to output (from a common initial state, over every horizon); also
    /// contracting.</summary>
    Lipschitz,

    /// <summary>Incrementally (Q, S, R)-dissipative: V(Δx⁺) − ᾱ²V(Δx) ≤ [Δy; Δu]ᵀ[[Q, Sᵀ], [S, R]][Δy; Δu].</summary>
    Dissipative,
}

/// <summary>
/// A statement of a model's robustness property, verified without sampling on its explicit matrices: the largest
/// eigenvalue of the dissipation quadratic form of MODELS.md section 5 must not exceed the tolerance.
/// </summary>
/// <remarks>
/// The form is built in float64 from the explicit matrices, with the metric M = EᵀP⁻¹E and the activation's sector
/// condition (a diagonal multiplier Λ for a REN; |Δw| ≤ |Δv| for the R2DN's 1-Lipschitz network). In exact arithmetic
/// its largest eigenvalue is ≤ 0 for every parameter value; the tolerance allows float64 rounding relative to the
/// size of the terms. Immutable and thread-safe.
/// </remarks>
public sealed class Certificate
{
    internal Certificate(CertifiedProperty property, string model, double contractionRate, double? gamma,
                         Matrix? q, Matrix? s, Matrix? r, double maxEigenvalue, double scale, double relativeTolerance)
    {
        Property = property; Model = model; ContractionRate = contractionRate; Gamma = gamma;
        Q = q; S = s; R = r;
        MaxEigenvalue = maxEigenvalue; Scale = scale; RelativeTolerance = relativeTolerance;
    }

    /// <summary>The property stated.</summary>
    public CertifiedProperty Property { get; }

    /// <summary>The model kind, for example "contracting R2DN".</summary>
    public string Model { get; }

    /// <summary>The contraction-rate bound ᾱ in (0, 1].</summary>
    public double ContractionRate { get; }

    /// <summary>The Lipschitz bound γ, for <see cref="CertifiedProperty.Lipschitz"/>.</summary>
    public double? Gamma { get; }

    /// <summary>Q, S, R of the supply rate, for <see cref="CertifiedProperty.Dissipative"/>.</summary>
    public Matrix? Q { get; }

    /// <summary>S of the supply rate.</summary>
    public Matrix? S { get; }

    /// <summary>R of the supply rate.</summary>
    public Matrix? R { get; }

    /// <summary>Largest eigenvalue of the dissipation quadratic form (≤ 0 in exact arithmetic).</summary>
    public double MaxEigenvalue { get; }

    /// <summary>The size of the form's terms (largest absolute entry), which the tolerance is relative to.</summary>
    public double Scale { get; }

    /// <summary>The relative tolerance used.</summary>
    public double RelativeTolerance { get; }

    /// <summary>MaxEigenvalue / Scale: the verified residual, comparable across models.</summary>
    public double RelativeResidual => Scale > 0 ? MaxEigenvalue / Scale : MaxEigenvalue;

    /// <summary>Whether the largest eigenvalue is within the tolerance: the property holds for these
    /// matrices.</summary>
    public bool IsVerified =>
        double.IsFinite(MaxEigenvalue) && MaxEigenvalue <= RelativeTolerance * Math.Max(Scale, 1e-300);

    /// <summary>A one-line statement of the property, for example "γ-Lipschitz with γ = 2.5 (and contracting with
    /// rate 1)".</summary>
    public string Statement => Property switch
    {
        CertifiedProperty.Contracting => $"contracting with rate {Format(ContractionRate)}",
        CertifiedProperty.Lipschitz =>
            $"γ-Lipschitz with γ = {Format(Gamma!.Value)} (and contracting with rate {Format(ContractionRate)})",
        _ => $"(Q, S, R)-dissipative with rate {Format(ContractionRate)}",
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Model}: {Statement}; verified: {(IsVerified ? "yes" : "NO")} (largest eigenvalue of the dissipation form " +
        $"{MaxEigenvalue.ToString("G3", CultureInfo.InvariantCulture)}, " +
        $"relative {RelativeResidual.ToString("G3", CultureInfo.InvariantCulture)}, " +
        $"tolerance {RelativeTolerance.ToString("G1", CultureInfo.InvariantCulture)})";

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
