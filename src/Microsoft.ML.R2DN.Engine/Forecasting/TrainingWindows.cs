namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>
/// Where a forecaster's training rows, calibration tail and validation tail lie on the common axis of its series
/// (the series are aligned at their ends and cut to the shortest, <see cref="Length"/>), as forecast origins:
/// training [0, TrainSteps), calibration [CalibrationFrom, CalibrationTo), validation [ValidationFrom, ValidationTo).
/// The held-out parts are the latest rows, so that every choice is made on the period nearest the future.
/// </summary>
internal sealed record TrainingWindows
{
    private TrainingWindows(int length, int calibration, int validation, int horizon, int[] offsets)
    {
        Length = length;
        Calibration = calibration;
        Validation = validation;
        Offsets = offsets;
        TrainEnd = length - calibration - validation;
        TrainSteps = TrainEnd - horizon;
        ValidationFrom = length - validation - horizon;
        ValidationTo = length - horizon;
    }

    /// <summary>The common length.</summary>
    public int Length { get; }

    /// <summary>Rows held out to calibrate the intervals (0 without intervals).</summary>
    public int Calibration { get; }

    /// <summary>Rows held out to validate (0 without validation).</summary>
    public int Validation { get; }

    /// <summary>Per series, where the common axis starts in it.</summary>
    public int[] Offsets { get; }

    /// <summary>The end of the rows the scaling is fitted on.</summary>
    public int TrainEnd { get; }

    /// <summary>The training forecast origins: their targets lie before <see cref="TrainEnd"/>.</summary>
    public int TrainSteps { get; }

    /// <summary>The first calibration origin.</summary>
    public int CalibrationFrom => TrainSteps;

    /// <summary>The end of the calibration origins.</summary>
    public int CalibrationTo => ValidationFrom;

    /// <summary>The first validation origin.</summary>
    public int ValidationFrom { get; }

    /// <summary>The end of the validation origins (the last origin whose targets exist).</summary>
    public int ValidationTo { get; }

    /// <summary>The origins the tensors hold: the training ones, and the held-out ones when there is validation.
    /// </summary>
    public int Steps => Validation > 0 ? ValidationTo : TrainSteps;

    /// <summary>The windows of <paramref name="series"/> for <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than 8 training steps remain.</exception>
    public static TrainingWindows Of(IReadOnlyList<SeriesData> series, ForecasterOptions options)
    {
        int h = options.Horizon, length = series.Min(s => s.Length);
        int calibration = options.CalibrationFraction > 0
            ? Math.Max(h + 1, (int)(length * options.CalibrationFraction)) : 0;
        int validation = options.ValidationFraction > 0
            ? Math.Max(h + 1, (int)(length * options.ValidationFraction)) : 0;
        var windows = new TrainingWindows(length, calibration, validation, h,
                                          series.Select(s => s.Length - length).ToArray());
        if (windows.TrainSteps < 8)
            throw new ArgumentException(
                $"The series are too short: {windows.TrainSteps} training steps remain after the validation and " +
                "calibration tails.", nameof(series));
        return windows;
    }
}
