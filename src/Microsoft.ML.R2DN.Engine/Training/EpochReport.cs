namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>What happened in one completed epoch, as <see cref="Trainer.Fit"/> reports it to its progress.</summary>
/// <param name="Epoch">0-based epoch index.</param>
/// <param name="Epochs">The number of epochs the fit runs at most (<see cref="TrainerOptions.Epochs"/>); early stopping
/// or the time budget may end it sooner.</param>
/// <param name="TrainLoss">Mean of the epoch's segment losses.</param>
/// <param name="ValidationLoss">Validation loss after the washout, or NaN when not computed this epoch.</param>
/// <param name="ValidationNrmse">Validation NRMSE (a fraction) after the washout, or NaN when not computed this
/// epoch.</param>
/// <param name="LearningRate">Effective rate (schedule × plateau scale) of the epoch's last step.</param>
/// <param name="PlateauScale">Reduce-on-plateau scale after this epoch's update (1 without a plateau rule).</param>
/// <param name="Seconds">Wall-clock seconds of the epoch's training steps (validation excluded).</param>
/// <param name="ValidationSeconds">Wall-clock seconds of validation (0 when not computed).</param>
/// <param name="TotalSteps">Optimiser steps taken so far in this fit.</param>
/// <param name="IsBest">Whether this epoch improved the monitored loss.</param>
/// <param name="Elapsed">Wall-clock time since the fit started, validation included.</param>
/// <param name="Remaining">Estimated time to the last epoch at the mean pace so far, at most what is left of
/// <see cref="TrainerOptions.TimeBudget"/>; zero after the last epoch.</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double ValidationLoss, double ValidationNrmse,
                                 double LearningRate, double PlateauScale, double Seconds, double ValidationSeconds,
                                 long TotalSteps, bool IsBest, TimeSpan Elapsed, TimeSpan Remaining);
