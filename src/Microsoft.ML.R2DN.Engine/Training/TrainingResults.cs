namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>. Per-epoch lists have one entry per completed epoch.</summary>
public sealed class TrainingResult
{
    internal TrainingResult(double[] trainLoss, double[] validationLoss, double[] validationNrmse,
                            double[] secondsPerEpoch, int bestEpoch, double bestLoss, bool stoppedEarly,
                            bool restoredBestWeights, long totalSteps)
    {
        TrainLoss = trainLoss;
        ValidationLoss = validationLoss;
        ValidationNrmse = validationNrmse;
        SecondsPerEpoch = secondsPerEpoch;
        BestEpoch = bestEpoch;
        BestLoss = bestLoss;
        StoppedEarly = stoppedEarly;
        RestoredBestWeights = restoredBestWeights;
        TotalSteps = totalSteps;
    }

    /// <summary>Mean segment loss of each epoch.</summary>
    public IReadOnlyList<double> TrainLoss { get; }

    /// <summary>Validation loss of each epoch, NaN where not computed.</summary>
    public IReadOnlyList<double> ValidationLoss { get; }

    /// <summary>Validation NRMSE (a fraction) of each epoch, NaN where not computed.</summary>
    public IReadOnlyList<double> ValidationNrmse { get; }

    /// <summary>Wall-clock seconds of each epoch's training steps (validation excluded).</summary>
    public IReadOnlyList<double> SecondsPerEpoch { get; }

    /// <summary>Number of completed epochs.</summary>
    public int EpochsCompleted => TrainLoss.Count;

    /// <summary>0-based epoch with the lowest monitored loss (validation loss if validation data was given, else
    /// training loss); −1 if none.</summary>
    public int BestEpoch { get; }

    /// <summary>The lowest monitored loss (+∞ if none).</summary>
    public double BestLoss { get; }

    /// <summary>Whether early stopping ended training before <see cref="TrainerOptions.Epochs"/> epochs.</summary>
    public bool StoppedEarly { get; }

    /// <summary>Whether the best epoch's parameters were copied back into the model at the end.</summary>
    public bool RestoredBestWeights { get; }

    /// <summary>Total optimiser steps taken.</summary>
    public long TotalSteps { get; }
}

/// <summary>
/// Thrown by <see cref="Trainer.Fit"/> when a loss or gradient is NaN or infinite. Before it is thrown the model's
/// parameters are reset to the best parameters seen (the initial ones if no epoch had improved the monitored loss).
/// </summary>
/// <param name="epoch">0-based epoch index.</param>
/// <param name="segmentStep">0-based step within the epoch.</param>
/// <param name="globalStep">0-based optimiser step over the whole fit.</param>
/// <param name="loss">The loss value returned for that step.</param>
/// <param name="message">The message.</param>
public sealed class TrainingDivergedException(int epoch, int segmentStep, long globalStep, double loss,
                                              string message)
    : InvalidOperationException(message)
{
    /// <summary>0-based epoch index at which training diverged.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>0-based step within that epoch.</summary>
    public int SegmentStep { get; } = segmentStep;

    /// <summary>0-based optimiser step over the whole fit.</summary>
    public long GlobalStep { get; } = globalStep;

    /// <summary>The loss value returned for the failing step (may be finite when only the gradient was not).</summary>
    public double Loss { get; } = loss;
}
