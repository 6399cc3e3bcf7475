namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>
/// Reduce-on-plateau scaling with the semantics of <c>optax.contrib.reduce_on_plateau</c> (accumulation size 1):
/// a multiplicative scale on the learning rate, cut by <see cref="Factor"/> when the monitored value has not
/// improved for <see cref="Patience"/> consecutive updates.
/// </summary>
/// <remarks>
/// <para>Each <see cref="Update"/> with value x: x improves on the best value b when <c>x &lt; (1 − rtol)·b − atol</c>
/// (b starts at +∞, so the first finite value improves). On improvement b ← x and the plateau count is 0; otherwise the
/// plateau count grows by 1. During a cooldown the count of remaining cooldown updates falls by 1, the plateau count
/// is held at 0 and the scale is unchanged. Outside a cooldown, when the plateau count reaches the patience (and the
/// value did not improve) the scale becomes <c>max(scale·factor, minScale)</c>, the plateau count restarts at 0
/// and a cooldown of <see cref="Cooldown"/> updates begins.</para>
/// <para>The <see cref="Trainer"/> calls <see cref="Reset"/> at the start of each fit and <see cref="Update"/> once per
/// epoch with the mean training loss of that epoch; the new scale multiplies the schedule's rate from the next
/// epoch on. An instance holds state, so do not share one between concurrent fits.</para>
/// </remarks>
public sealed class ReduceOnPlateau
{
    /// <summary>Creates a reduce-on-plateau rule.</summary>
    /// <param name="factor">Scale multiplier on a plateau, in (0, 1). Default 0.1.</param>
    /// <param name="patience">Updates without improvement before the scale is cut, at least 0 (0 cuts on every
    /// non-improving update). Default 10.</param>
    /// <param name="rtol">Relative improvement tolerance, in [0, 1). Default 1e-4.</param>
    /// <param name="atol">Absolute improvement tolerance, finite and ≥ 0. Default 0. rtol and atol may not both be
    /// 0.</param>
    /// <param name="cooldown">Updates to wait after a cut before counting again, at least 0. Default 0.</param>
    /// <param name="minScale">Lower bound of the scale, in [0, 1]. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its valid range.</exception>
    /// <exception cref="ArgumentException">Both <paramref name="rtol"/> and <paramref name="atol"/> are 0.</exception>
    public ReduceOnPlateau(double factor = 0.1, int patience = 10, double rtol = 1e-4, double atol = 0,
                           int cooldown = 0, double minScale = 0)
    {
        if (!(factor > 0 && factor < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must lie in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        if (!(rtol >= 0 && rtol < 1))
            throw new ArgumentOutOfRangeException(nameof(rtol), rtol, "rtol must lie in [0, 1).");
        if (!(atol >= 0) || !double.IsFinite(atol))
            throw new ArgumentOutOfRangeException(nameof(atol), atol, "atol must be finite and ≥ 0.");
        if (rtol == 0 && atol == 0)
            throw new ArgumentException("At least one of rtol and atol must be positive.", nameof(rtol));
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (!(minScale >= 0 && minScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(minScale), minScale, "minScale must lie in [0, 1].");
        Factor = factor;
        Patience = patience;
        RelativeTolerance = rtol;
        AbsoluteTolerance = atol;
        Cooldown = cooldown;
        MinScale = minScale;
        Reset();
    }

    /// <summary>Scale multiplier on a plateau, in (0, 1).</summary>
    public double Factor { get; }

    /// <summary>Updates without improvement before the scale is cut (≥ 0).</summary>
    public int Patience { get; }

    /// <summary>Relative improvement tolerance rtol, in [0, 1).</summary>
    public double RelativeTolerance { get; }

    /// <summary>Absolute improvement tolerance atol (≥ 0).</summary>
    public double AbsoluteTolerance { get; }

    /// <summary>Updates to wait after a cut (≥ 0).</summary>
    public int Cooldown { get; }

    /// <summary>Lower bound of the scale, in [0, 1].</summary>
    public double MinScale { get; }

    /// <summary>The current scale, in [<see cref="MinScale"/>, 1]; 1 after <see cref="Reset"/>.</summary>
    public double Scale { get; private set; }

    /// <summary>The best value seen so far (+∞ after <see cref="Reset"/>).</summary>
    public double BestValue { get; private set; }

    /// <summary>Consecutive non-improving updates counted toward <see cref="Patience"/>.</summary>
    public int PlateauCount { get; private set; }

    /// <summary>Cooldown updates still to wait.</summary>
    public int CooldownCount { get; private set; }

    /// <summary>Restores the initial state: scale 1, best +∞, counters 0.</summary>
    public void Reset()
    {
        Scale = 1.0;
        BestValue = double.PositiveInfinity;
        PlateauCount = 0;
        CooldownCount = 0;
    }

    /// <summary>Feeds one monitored value (for the trainer: the epoch's mean training loss) and returns the new
    /// scale.</summary>
    /// <param name="value">The monitored value; NaN never counts as an improvement.</param>
    /// <returns>The updated <see cref="Scale"/>.</returns>
    public double Update(double value)
    {
        bool improved = value < (1 - RelativeTolerance) * BestValue - AbsoluteTolerance;
        if (improved) BestValue = value;
        int plateau = improved ? 0 : PlateauCount + 1;

        if (CooldownCount > 0)
        {
            PlateauCount = 0;
            CooldownCount--;
        }
        else if (!improved && plateau >= Patience)
        {
            Scale = Math.Max(Scale * Factor, MinScale);
            PlateauCount = 0;
            CooldownCount = Cooldown;
        }
        else
        {
            PlateauCount = plateau;
            CooldownCount = 0;
        }
        return Scale;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ReduceOnPlateau(factor={Factor:R}, patience={Patience}, rtol={RelativeTolerance:R}, " +
        $"atol={AbsoluteTolerance:R}, cooldown={Cooldown}, minScale={MinScale:R})";
}
