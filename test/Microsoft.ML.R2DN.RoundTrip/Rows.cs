using Microsoft.ML.Data;

namespace RoundTrip;

/// <summary>One row of the CSV files this program reads: the package's sample system (series, step, drive, output).
/// Drive and Output may be blank (missing), which ML.NET's text loader reads as NaN.</summary>
public sealed class Observation
{
    /// <summary>The series ("unit-1", "unit-2").</summary>
    [LoadColumn(0)] public string Series { get; set; } = "";

    /// <summary>The time step within the series.</summary>
    [LoadColumn(1)] public int Step { get; set; }

    /// <summary>The exogenous input.</summary>
    [LoadColumn(2)] public float Drive { get; set; }

    /// <summary>The measured output: what is forecast or simulated.</summary>
    [LoadColumn(3)] public float Output { get; set; }
}

/// <summary>What the time-series engine writes: the forecast and, when the model has intervals, the bounds. The
/// forecasters this program meets write their forecast to "Forecast" and their bounds to "Lower" and "Upper".</summary>
public sealed class Prediction
{
    /// <summary>The forecast, horizon × targets values.</summary>
    public float[] Forecast { get; set; } = [];

    /// <summary>The lower bounds (null when the model has none).</summary>
    public float[]? Lower { get; set; }

    /// <summary>The upper bounds (null when the model has none).</summary>
    public float[]? Upper { get; set; }
}

/// <summary>The step column alone: what <see cref="Report.TrainingRows"/> filters on.</summary>
public sealed class StepOnly
{
    /// <summary>The time step within the series.</summary>
    public int Step { get; set; }
}
