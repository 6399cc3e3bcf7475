using System.Diagnostics;

namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>The <see cref="SimulationSchedule.Cosine"/> schedule: a half cosine from <paramref name="initial"/> down to
/// <paramref name="floorFraction"/> of it, where progress is by steps or by time, whichever is further.</summary>
internal sealed class BudgetedCosineSchedule(double initial, long plannedSteps, TimeSpan? budget,
                                             double floorFraction = 0.01) : ILearningRateSchedule
{
    private long _start;

    public double GetLearningRate(long step)
    {
        if (_start == 0) _start = Stopwatch.GetTimestamp();
        double progress = (double)Math.Max(step, 0) / plannedSteps;
        if (budget is { } b)
            progress = Math.Max(progress, Stopwatch.GetElapsedTime(_start).TotalSeconds / b.TotalSeconds);
        progress = Math.Clamp(progress, 0, 1);
        return initial * (floorFraction + (1 - floorFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    public override string ToString() =>
        $"BudgetedCosine(init={initial:R}, steps={plannedSteps}, budget={budget}, floor={floorFraction:R})";
}
