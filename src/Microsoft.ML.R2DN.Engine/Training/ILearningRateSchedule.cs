namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>A learning rate as a function of the optimiser step index.</summary>
public interface ILearningRateSchedule
{
    /// <summary>
    /// The learning rate for the update with 0-based index <paramref name="step"/> (the first Adam step of a
    /// training run uses step 0, as optax's <c>scale_by_schedule</c> does).
    /// </summary>
    /// <param name="step">0-based step index; values ≤ 0 give the initial rate.</param>
    /// <returns>A finite rate ≥ 0.</returns>
    double GetLearningRate(long step);
}

/// <summary>A learning rate that never changes.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>Creates a constant schedule.</summary>
    /// <param name="learningRate">The rate, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not
    /// finite.</exception>
    public ConstantSchedule(double learningRate)
    {
        if (!(learningRate >= 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate,
                                                  "The learning rate must be finite and ≥ 0.");
        LearningRate = learningRate;
    }

    /// <summary>The rate returned for every step (finite, ≥ 0).</summary>
    public double LearningRate { get; }

    /// <inheritdoc />
    public double GetLearningRate(long step) => LearningRate;

    /// <inheritdoc />
    public override string ToString() => $"Constant({LearningRate:R})";
}

/// <summary>
/// Exponential decay with the semantics of <c>optax.exponential_decay</c>:
/// <c>rate = init · decay^((step − begin) / transitionSteps)</c> for step &gt; begin (the exponent floored when
/// <see cref="Staircase"/>), <c>init</c> for step ≤ begin, then clipped at <see cref="EndValue"/> — from below
/// when decay &lt; 1, from above when decay &gt; 1.
/// </summary>
/// <remarks>
/// The F16 protocol of MODELS.md §4.1 is <see cref="ForF16Protocol"/>: 1e-3, ×0.1 every 20 epochs' worth of
/// steps, staircase, end 1e-6, giving 1e-3, 1e-4, 1e-5, 1e-6 for epoch blocks 0–19, 20–39, 40–59, 60–69.
/// </remarks>
public sealed class ExponentialDecaySchedule : ILearningRateSchedule
{
    /// <summary>Creates an exponential-decay schedule.</summary>
    /// <param name="initialValue">Rate at step 0, finite and ≥ 0.</param>
    /// <param name="transitionSteps">Steps per factor of <paramref name="decayRate"/>, at least 1.</param>
    /// <param name="decayRate">Multiplicative factor per <paramref name="transitionSteps"/>, finite and &gt; 0.</param>
    /// <param name="staircase">Whether the exponent is floored (a piecewise-constant rate). Default false.</param>
    /// <param name="endValue">Optional bound, finite and ≥ 0, or null for none: a floor when decay &lt; 1, a ceiling
    /// when decay &gt; 1 (ignored when decay = 1).</param>
    /// <param name="transitionBegin">Steps before the decay starts, at least 0. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its valid range.</exception>
    public ExponentialDecaySchedule(double initialValue, long transitionSteps, double decayRate, bool staircase = false,
                                    double? endValue = null, long transitionBegin = 0)
    {
        if (!(initialValue >= 0) || !double.IsFinite(initialValue))
            throw new ArgumentOutOfRangeException(nameof(initialValue), initialValue,
                                                  "initialValue must be finite and ≥ 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(transitionSteps, 1);
        if (!(decayRate > 0) || !double.IsFinite(decayRate))
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "decayRate must be finite and > 0.");
        if (endValue is double e && (!(e >= 0) || !double.IsFinite(e)))
            throw new ArgumentOutOfRangeException(nameof(endValue), e, "endValue must be finite and ≥ 0.");
        ArgumentOutOfRangeException.ThrowIfNegative(transitionBegin);
        InitialValue = initialValue;
        TransitionSteps = transitionSteps;
        DecayRate = decayRate;
        Staircase = staircase;
        EndValue = endValue;
        TransitionBegin = transitionBegin;
    }

    /// <summary>
    /// The F16 protocol (MODELS.md §4.1): init 1e-3, ×0.1 every 20 epochs' worth of steps, staircase, end 1e-6.
    /// </summary>
    /// <param name="stepsPerEpoch">Adam steps (segments) per epoch, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepsPerEpoch"/> is less than 1.</exception>
    public static ExponentialDecaySchedule ForF16Protocol(int stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        return new ExponentialDecaySchedule(1e-3, 20L * stepsPerEpoch, 0.1, staircase: true, endValue: 1e-6);
    }

    /// <summary>Rate at step 0 (finite, ≥ 0).</summary>
    public double InitialValue { get; }

    /// <summary>Steps per factor of <see cref="DecayRate"/> (≥ 1).</summary>
    public long TransitionSteps { get; }

    /// <summary>Multiplicative decay factor per <see cref="TransitionSteps"/> (finite, &gt; 0).</summary>
    public double DecayRate { get; }

    /// <summary>Whether the exponent is floored.</summary>
    public bool Staircase { get; }

    /// <summary>Optional floor (decay &lt; 1) or ceiling (decay &gt; 1); null for none.</summary>
    public double? EndValue { get; }

    /// <summary>Steps before the decay starts (≥ 0).</summary>
    public long TransitionBegin { get; }

    /// <inheritdoc />
    public double GetLearningRate(long step)
    {
        long count = step - TransitionBegin;
        double value;
        if (count <= 0)
        {
            value = InitialValue;
        }
        else
        {
            double p = Staircase ? (double)(count / TransitionSteps) : (double)count / TransitionSteps;
            value = InitialValue * Math.Pow(DecayRate, p);
        }
        if (EndValue is double end)
        {
            if (DecayRate < 1) value = Math.Max(value, end);
            else if (DecayRate > 1) value = Math.Min(value, end);
        }
        return value;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ExponentialDecay(init={InitialValue:R}, transition={TransitionSteps}, decay={DecayRate:R}, " +
        $"staircase={Staircase}, end={EndValue?.ToString("R") ?? "none"}, begin={TransitionBegin})";
}
