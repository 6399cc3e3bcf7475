namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The settings shared by the R2DN and REN forecasters (<see cref="R2dnForecastingOptions"/>,
/// <see cref="RenForecastingOptions"/>): columns, horizon, intervals, robustness, model sizes and training.</summary>
/// <remarks>
/// <para>At each step t the model reads the targets y_t and the features f_t (standardised with the training data's
/// mean and standard deviation) and outputs the next <see cref="Horizon"/> values of every target,
/// y_{t+1} … y_{t+h}. Training is truncated backpropagation through time on segments of
/// <see cref="SegmentLength"/> steps with the state carried between segments (MODELS.md section 4), with Adam and a
/// learning rate that decays smoothly from <see cref="LearningRate"/> to a tenth of it by the last epoch.</para>
/// <para>Intervals are split-conformal: a <see cref="CalibrationFraction"/> of every series, just before its validation
/// tail, is held out of training, and the half-width of the interval for each target and step ahead is the ⌈(n +
/// 1)·c⌉-th smallest absolute residual over those held-out rows, at the confidence level c.</para>
/// <para>Not an extension point: only the two derived classes exist.</para>
/// </remarks>
public abstract class RecurrentForecastingOptions : RecurrentModelOptions
{
    private protected RecurrentForecastingOptions()
    {
    }

    /// <summary>The column the forecasts are written to: a vector of <see cref="float"/> of length
    /// <see cref="Horizon"/> × the number of targets (all steps of the first target, then all steps of the next),
    /// holding the forecast made after observing the row. Required; not null or empty.</summary>
    public required string OutputColumnName { get; set; }

    /// <summary>The (first) target column y. Numeric: <c>Single</c>, <c>Double</c>, <c>Int32</c>, <c>Int64</c> or
    /// <c>Boolean</c>, read as <see cref="float"/>. Required; not null or empty.</summary>
    public required string InputColumnName { get; set; }

    /// <summary>Further target columns, forecast jointly with <see cref="InputColumnName"/> (numeric, as it). Default
    /// null: a single target.</summary>
    public string[]? AdditionalTargetColumnNames { get; set; }

    /// <summary>Exogenous feature columns f_t, observed at the same step as the targets (numeric). Default null: no
    /// features.</summary>
    public string[]? FeatureColumnNames { get; set; }

    /// <summary>A column that splits the rows into independent series, in the order each id first appears; the series
    /// train together as one batch. <c>String</c>, <c>Int32</c>, <c>Int64</c>, or <c>Single</c>/<c>Double</c> holding
    /// ids (as <c>LoadFromCsv</c> infers numeric columns). Rows of one series need not be contiguous but must be in
    /// time order. Default null: all rows are one series.</summary>
    /// <remarks>To train on several files, load them as one view with <c>LoadFromTextFile(string[] paths, ...)</c>
    /// and give each file's rows their own id in this column.</remarks>
    public string? SeriesIdColumnName { get; set; }

    /// <summary>The column for the lower bounds of the intervals (vector of <see cref="float"/>, laid out as the
    /// forecast). As in ML.NET, interval columns are produced only when named: set both bound columns or neither.
    /// Default null.</summary>
    /// <remarks>The intervals are calibrated whether or not the columns are named (unless
    /// <see cref="CalibrationFraction"/> is 0): <see cref="ForecastingTransformer.GetIntervalHalfWidths"/> gives them
    /// at any level.</remarks>
    public string? ConfidenceLowerBoundColumn { get; set; }

    /// <summary>The column for the upper bounds of the intervals; see <see cref="ConfidenceLowerBoundColumn"/>.
    /// Default null.</summary>
    public string? ConfidenceUpperBoundColumn { get; set; }

    /// <summary>The number of steps ahead h to forecast, at least 1. Required.</summary>
    public required int Horizon { get; set; }

    /// <summary>The coverage c of the intervals, in (0, 1). Default 0.95.</summary>
    public float ConfidenceLevel { get; set; } = (float)Defaults.Forecasting.ConfidenceLevel;

    /// <summary>The number of training epochs, at least 1. Default 60.</summary>
    public int Epochs { get; set; } = Defaults.Forecasting.Epochs;

    /// <summary>The initial Adam learning rate, finite and &gt; 0; it decays smoothly to a tenth by the last epoch.
    /// Default null: 3e-3, and 1e-3 is tried too when there is validation data and time left in
    /// <see cref="TimeBudget"/>.</summary>
    public double? LearningRate { get; set; }

    /// <summary>The look-back L of the linear path: a ridge regression from the last L values of each target to its
    /// next <see cref="Horizon"/> changes (shared by the targets, fitted in closed form, its penalty chosen on the
    /// validation data), which the recurrent model then corrects. With it the forecaster nests the linear forecasting
    /// baseline. When the correction does not beat the path alone on the validation data, or its gain over the path on
    /// all the held-out rows is less than twice its standard error, it is dropped and the path is refitted on every
    /// row, the validation and calibration tails included. 0 turns it off; otherwise at least 2. Default null: half of
    /// the rows each series trains on (those before the validation and calibration tails), at most 336; at 336, with
    /// validation data and at least 3 × 512 training windows, 512 is tried too and the one with the lower validation
    /// error kept.</summary>
    public int? LinearLookback { get; set; }

    /// <summary>Whether the recurrent model reads each target's change since the previous row instead of its level, so
    /// that it is blind to the level as its forecast (a change from the last value) is: a series that drifts away from
    /// the training range (a random walk, a trend, a level shift) then stays inside what the model was trained on.
    /// Default true.</summary>
    public bool DifferenceInputs { get; set; } = true;

    /// <summary>Whether one recurrent model is shared by the targets, each run on its own (its input is that target and
    /// the features), rather than one model of all targets jointly. Default true: with several targets it generalises
    /// better; with one target both are the same.</summary>
    public bool ChannelIndependent { get; set; } = true;

    /// <summary>The fraction at the end of each series (the latest rows, after the calibration tail) held out to
    /// validate, in [0, 0.5): the linear
    /// path's penalty, early stopping (the best epoch's weights are kept), whether the recurrent correction is kept at
    /// all, and the choice among the settings left unset. Default 0.2; 0 turns validation off.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Epochs without a lower validation error before training stops, at least 1. Default 15.</summary>
    public int EarlyStoppingPatience { get; set; } = 15;

    /// <summary>The most time training may take, all candidate settings together: no epoch starts after it, and a
    /// further setting starts only while the time left is at least what the quickest setting so far took (its checks on
    /// the held-out rows and its refit follow its training). Default 5 minutes; null for no limit; otherwise
    /// positive.</summary>
    public TimeSpan? TimeBudget { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The truncated-BPTT segment length in steps, at least 1. Default 128.</summary>
    public int SegmentLength { get; set; } = Defaults.Forecasting.SegmentLength;

    /// <summary>The fraction of each series, just before its validation tail, held out of training to calibrate the
    /// intervals, in [0, 0.5) (at least horizon + 1 rows are held out when it is &gt; 0). 0 turns intervals off, and
    /// then no bound column may be named. Default 0.15.</summary>
    public double CalibrationFraction { get; set; } = Defaults.Forecasting.CalibrationFraction;

    /// <summary>Whether the fitted model keeps, for every series it trained on, the state after that series' last
    /// training row, so that a time-series engine created from it (or from the saved model) continues from the end of
    /// training, as ML.NET's do: <c>engine.Predict()</c> at once forecasts the steps after the last training row.
    /// Default true. Each series costs about 4 × (targets × (look-back + horizon + 1) + features + states) bytes in
    /// memory and in the model file (a series of one target with the look-back 336, horizon 24 and 32 states: 1.6 kB).
    /// Set false for models over very many series whose states are kept elsewhere: engines then start every series from
    /// an empty history.</summary>
    public bool KeepEndStates { get; set; } = true;

    /// <summary>The targets: <see cref="InputColumnName"/>, then <see cref="AdditionalTargetColumnNames"/>.</summary>
    internal string[] TargetColumns => [InputColumnName, .. AdditionalTargetColumnNames ?? []];

    /// <summary>A copy that later changes to this object (or its arrays) do not affect.</summary>
    internal RecurrentForecastingOptions Snapshot()
    {
        var copy = (RecurrentForecastingOptions)MemberwiseClone();
        copy.AdditionalTargetColumnNames = (string[]?)AdditionalTargetColumnNames?.Clone();
        copy.FeatureColumnNames = (string[]?)FeatureColumnNames?.Clone();
        copy.HiddenSizesOrDefault = (int[]?)HiddenSizesOrDefault?.Clone();
        return copy;
    }

    /// <summary>Checks every setting, throwing <see cref="ArgumentException"/> or
    /// <see cref="ArgumentOutOfRangeException"/> named after the property.</summary>
    internal virtual void Validate()
    {
        OptionChecks.ColumnName(OutputColumnName, nameof(OutputColumnName));
        OptionChecks.ColumnName(InputColumnName, nameof(InputColumnName));
        OptionChecks.ColumnNames(AdditionalTargetColumnNames, nameof(AdditionalTargetColumnNames));
        OptionChecks.ColumnNames(FeatureColumnNames, nameof(FeatureColumnNames));
        if (SeriesIdColumnName is not null) OptionChecks.ColumnName(SeriesIdColumnName, nameof(SeriesIdColumnName));
        if (ConfidenceLowerBoundColumn is not null)
            OptionChecks.ColumnName(ConfidenceLowerBoundColumn, nameof(ConfidenceLowerBoundColumn));
        if (ConfidenceUpperBoundColumn is not null)
            OptionChecks.ColumnName(ConfidenceUpperBoundColumn, nameof(ConfidenceUpperBoundColumn));
        if ((ConfidenceLowerBoundColumn is null) != (ConfidenceUpperBoundColumn is null))
            throw new ArgumentException("Set both confidence bound columns or neither: intervals need a lower and an " +
                                        "upper column.",
                                        ConfidenceLowerBoundColumn is null
                                            ? nameof(ConfidenceLowerBoundColumn) : nameof(ConfidenceUpperBoundColumn));
        OptionChecks.Distinct([.. TargetColumns, .. FeatureColumnNames ?? [],
                               .. SeriesIdColumnName is null ? [] : new[] { SeriesIdColumnName }],
                              "The target, feature and series id columns");
        OptionChecks.Distinct([OutputColumnName,
                               .. ConfidenceLowerBoundColumn is null
                                   ? [] : new[] { ConfidenceLowerBoundColumn, ConfidenceUpperBoundColumn! }],
                              "The output and confidence bound columns");
        if (Horizon < 1)
            throw new ArgumentOutOfRangeException(nameof(Horizon), Horizon, "The horizon must be at least 1.");
        // Checked before anything is allocated: the forecast vector holds horizon × targets values per row.
        long outputs = (long)Horizon * TargetColumns.Length;
        if (outputs > MlNetCarrier.MaxForecastValues)
            throw new ArgumentOutOfRangeException(nameof(Horizon), Horizon,
                $"The horizon {Horizon} × {TargetColumns.Length} target(s) = {outputs} forecast values per row; at " +
                $"most {MlNetCarrier.MaxForecastValues} are supported.");
        OptionChecks.ConfidenceLevel(ConfidenceLevel, nameof(ConfidenceLevel));
        OptionChecks.Defined(MissingValues, nameof(MissingValues));
        OptionChecks.Model(Robustness, Gamma, StateSize, NonlinearWidth, Activation, Initialization, ContractionRate);
        OptionChecks.Defined(Backend, nameof(Backend));
        if (string.IsNullOrWhiteSpace(Device))
            throw new ArgumentException("Device must name a device: cpu, cuda or cuda:N.", nameof(Device));
        OptionChecks.AtLeast(Epochs, 1, nameof(Epochs));
        if (LearningRate is double rate) OptionChecks.Positive(rate, nameof(LearningRate));
        if (LinearLookback is int lookback && (lookback is < 0 or 1 or > 100_000))
            throw new ArgumentOutOfRangeException(nameof(LinearLookback), lookback,
                                                  "LinearLookback must be 0 (off) or in [2, 100000].");
        if (!(ValidationFraction >= 0 && ValidationFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction,
                                                  "ValidationFraction must be in [0, 0.5).");
        if (!(ValidationFraction + CalibrationFraction < 0.8))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction,
                                                  "ValidationFraction + CalibrationFraction must be below 0.8.");
        OptionChecks.AtLeast(EarlyStoppingPatience, 1, nameof(EarlyStoppingPatience));
        if (TimeBudget is { } budget && budget <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), budget,
                                                  "TimeBudget must be positive (or null for no limit).");
        OptionChecks.AtLeast(SegmentLength, 1, nameof(SegmentLength));
        OptionChecks.Positive(ClipValue, nameof(ClipValue));
        if (!(CalibrationFraction >= 0 && CalibrationFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(CalibrationFraction), CalibrationFraction,
                                                  "CalibrationFraction must be in [0, 0.5).");
        if (CalibrationFraction == 0 && ConfidenceLowerBoundColumn is not null)
            throw new ArgumentException("Confidence bound columns need calibration data: CalibrationFraction must be " +
                                        "greater than 0 when they are set.",
                                        nameof(CalibrationFraction));
        if (Threads is int t && t < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), t, "Threads must be at least 1.");
        OptionChecks.HiddenSizes(HiddenSizesOrDefault);
    }
}
