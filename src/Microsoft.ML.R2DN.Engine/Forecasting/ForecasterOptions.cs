namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>Settings of <see cref="Forecaster.Train"/>; the defaults come from <see cref="Defaults.Forecasting"/>.
/// </summary>
public sealed record ForecasterOptions : ModelTrainingOptions
{
    /// <summary>Creates the options with the forecasting defaults.</summary>
    public ForecasterOptions()
        : base(Defaults.Forecasting.Epochs, Defaults.Forecasting.LearningRate, Defaults.Forecasting.SegmentLength,
               Defaults.Forecasting.EarlyStoppingPatience)
    {
    }

    /// <summary>Steps ahead to forecast (&gt; 0).</summary>
    public required int Horizon { get; init; }

    /// <summary>Fraction of the end of each series held out to calibrate the intervals, in [0, 0.5). Default 0.15; 0
    /// turns intervals off.</summary>
    public double CalibrationFraction { get; init; } = Defaults.Forecasting.CalibrationFraction;

    /// <summary>Coverage of the split-conformal intervals, in (0, 1). Default 0.95.</summary>
    public double ConfidenceLevel { get; init; } = Defaults.Forecasting.ConfidenceLevel;

    /// <summary>The look-back L of the linear path (<see cref="LinearForecastPath"/>) that the recurrent model
    /// corrects: 0 (default) for none, else at least 2.</summary>
    public int LinearLookback { get; init; }

    /// <summary>Further look-backs tried for the linear path when there is validation data, each in [2, 100000]; the
    /// path with the lowest validation MSE is kept (<see cref="LinearLookback"/> wins ties). Those longer than a third
    /// of the training windows are skipped. Default none.</summary>
    public int[] LinearLookbackAlternatives { get; init; } = [];

    /// <summary>The ridge penalties tried for the linear path (relative to the mean diagonal of XᵀX), the best on the
    /// validation windows kept. Default {1e-4, 1e-3, …, 1000} (see <see cref="Defaults.Forecasting.LinearRidges"/>).
    /// </summary>
    public double[] LinearRidges { get; init; } = Defaults.Forecasting.LinearRidges;

    /// <summary>The linear path's fits shared with other trainings on the same series and linear settings (a search
    /// over recurrent settings): the first training fills it, the later ones reuse its fits instead of fitting again;
    /// null (default) to fit every time.</summary>
    public LinearPathFits? LinearFits { get; init; }

    /// <summary>Whether the recurrent model reads each target's change since the previous step, (y_t − y_{t−1})/σ,
    /// instead of its standardised level: the model is then blind to the level, as the forecast (a change from the
    /// last value) is, so a series that drifts away from the training range (a random walk, a trend) does not push
    /// its inputs outside what it was trained on. Default false.</summary>
    public bool DifferenceInputs { get; init; }

    /// <summary>One model shared by the targets, each run on its own (input: that target and the features; output:
    /// its h changes), instead of one model of all targets jointly. Default false. For one target both are the same.
    /// </summary>
    public bool ChannelIndependent { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Horizon, "horizon");
        ValidateTraining();
        Validation.ThrowIfNotFraction(CalibrationFraction, 0.5, nameof(CalibrationFraction));
        if (!(ConfidenceLevel > 0 && ConfidenceLevel < 1))
            throw new ArgumentOutOfRangeException("confidenceLevel", ConfidenceLevel,
                                                  "The confidence level must be in (0, 1).");
        ValidateLinearPath();
        if (!(CalibrationFraction + ValidationFraction < 0.8))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction,
                                                  "CalibrationFraction + ValidationFraction must be below 0.8.");
    }

    private void ValidateLinearPath()
    {
        if (LinearLookback is < 0 or 1 or > 100_000)
            throw new ArgumentOutOfRangeException(nameof(LinearLookback), LinearLookback,
                                                  "LinearLookback must be 0 (no linear path) or in [2, 100000].");
        if (LinearLookbackAlternatives is null || LinearLookbackAlternatives.Any(l => l is < 2 or > 100_000))
            throw new ArgumentOutOfRangeException(nameof(LinearLookbackAlternatives),
                "LinearLookbackAlternatives must not be null, and each must be in [2, 100000].");
        if (LinearLookback > 0 && (LinearRidges is null || LinearRidges.Length == 0
                                   || LinearRidges.Any(r => !(r >= 0) || !double.IsFinite(r))))
            throw new ArgumentOutOfRangeException(nameof(LinearRidges),
                                                  "LinearRidges must hold at least one finite penalty >= 0.");
    }
}
