namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>
/// The linear path's fits, kept for trainings on the same series with the same look-back, horizon, penalties and
/// held-out fractions (<see cref="ForecasterOptions.LinearFits"/>): the fit on the training windows, and its refit on
/// every window once a correction was dropped. The first training fills them and the later ones reuse them, so that a
/// search over recurrent settings fits the path once. Not thread-safe: share it between trainings run one at a time.
/// </summary>
public sealed class LinearPathFits
{
    /// <summary>The path fitted on the training windows, its penalty chosen on the validation windows; null until a
    /// training with a linear path ran.</summary>
    public LinearForecastPath? HeldOut { get; internal set; }

    /// <summary><see cref="HeldOut"/> refitted with its penalty on every window; null until a training dropped its
    /// correction.</summary>
    public LinearForecastPath? Refit { get; internal set; }
}
