namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>The learning-rate schedules of <see cref="SimulatorOptions.Schedule"/>.</summary>
public enum SimulationSchedule
{
    /// <summary>The paper's: the rate is multiplied by 0.1 every <see cref="SimulatorOptions.DecayEveryEpochs"/>
    /// epochs (floor 1e-6); constant when that is 0.</summary>
    Staircase,

    /// <summary>A half cosine from the learning rate down to 1% of it over the run, where the run's progress is the
    /// larger of the steps taken over the planned steps and the time spent over
    /// <see cref="ModelTrainingOptions.TimeBudget"/>: the rate reaches its floor when training ends, whichever of the
    /// two ends it.</summary>
    Cosine,
}
