using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>One completed epoch of an estimator's <c>Fit</c>, as <see cref="RecurrentModelOptions.Progress"/> receives
/// it: which training it belongs to and what the engine reported.</summary>
/// <param name="Stage">The training the epoch belongs to: the setting of the search, or the final refit.</param>
/// <param name="Epoch">The epoch: its number, the epochs planned, the losses, the learning rate, the time so far and
/// the estimate of what is left of this training.</param>
public sealed record TrainingProgress(TrainingStage Stage, EpochReport Epoch);
