namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>One training within an estimator's <c>Fit</c>. With validation data and settings left unset, <c>Fit</c>
/// trains several candidate settings one after another and keeps the best (a simulator's is then trained again on all
/// the data); each of those trainings is a stage.</summary>
/// <param name="Model">What is trained, as the log names it: "contracting R2DN forecaster", "γ-Lipschitz (γ = 5) REN
/// simulator on all the data".</param>
/// <param name="Setting">The 1-based number of the setting, at most <paramref name="Settings"/>.</param>
/// <param name="Settings">The number of settings the search tries (1 without a search); the time budget may end the
/// search sooner.</param>
/// <param name="IsRefit">Whether this is the chosen setting trained again on all the data, after the search.</param>
public sealed record TrainingStage(string Model, int Setting, int Settings, bool IsRefit = false);
