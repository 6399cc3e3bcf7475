using System.Globalization;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;

namespace Microsoft.ML.R2DN.MlNet.Tests;

/// <summary>One row of the package's sample system as these tests load it, with the extra columns the tests need: an
/// integer series number, integer-valued copies of the drive and output (for the Int32/Int64 columns) and the next
/// output of the series (a regression label).</summary>
public sealed class SystemRow
{
    [LoadColumn(0)] public string Series { get; set; } = "";
    [LoadColumn(1)] public int SeriesNumber { get; set; }
    [LoadColumn(2)] public int Step { get; set; }
    [LoadColumn(3)] public float Drive { get; set; }
    [LoadColumn(4)] public float Output { get; set; }
    [LoadColumn(5)] public int DriveMilli { get; set; }
    [LoadColumn(6)] public int OutputCenti { get; set; }
    [LoadColumn(7)] public float Next { get; set; }
}

/// <summary>The rows the tests read back: the forecast and the bounds.</summary>
public sealed class ForecastRow
{
    public float[] Forecast { get; set; } = [];
    public float[]? Lower { get; set; }
    public float[]? Upper { get; set; }
}

/// <summary>Small, fast data and settings shared by the tests.</summary>
internal static class TestData
{
    public const int Length = 400;
    public const int SeriesCount = 2;

    /// <summary>The sample system (two series of <see cref="Length"/> steps) with the extra columns of
    /// <see cref="SystemRow"/>.</summary>
    public static List<SystemRow> Rows(int seed = 0, int length = Length)
    {
        var samples = SampleData.NonlinearSystem(length, SeriesCount, seed).ToList();
        var rows = new List<SystemRow>(samples.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            bool last = i + 1 == samples.Count || samples[i + 1].Series != s.Series;
            rows.Add(new SystemRow
            {
                Series = s.Series, SeriesNumber = int.Parse(s.Series["unit-".Length..], CultureInfo.InvariantCulture),
                Step = s.Step,
                Drive = s.Drive, Output = s.Output, DriveMilli = (int)MathF.Round(s.Drive * 1000),
                OutputCenti = (int)MathF.Round(s.Output * 100),
                Next = last ? s.Output : samples[i + 1].Output,
            });
        }
        return rows;
    }

    /// <summary>The rows as a CSV file with a header, floats in round-trip form; rows where <paramref name="blank"/>
    /// holds get a blank drive (read as NaN).</summary>
    public static void WriteCsv(string path, IEnumerable<SystemRow> rows, Func<int, bool>? blank = null)
    {
        var text = new StringBuilder("Series,SeriesNumber,Step,Drive,Output,DriveMilli,OutputCenti,Next\n");
        int i = 0;
        foreach (var r in rows)
        {
            string drive = blank?.Invoke(i) == true ? "" : R(r.Drive);
            text.Append(CultureInfo.InvariantCulture,
                        $"{r.Series},{r.SeriesNumber},{r.Step},{drive},{R(r.Output)},{r.DriveMilli},{r.OutputCenti}," +
                        $"{R(r.Next)}\n");
            i++;
        }
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Fast R2DN forecasting settings: horizon 4, drive as feature, intervals, two epochs, one candidate
    /// setting (contracting, learning rate 3e-3), and the recurrent model alone (no linear path, no validation split
    /// that could drop it): every forecast value depends on the trained network, so equal forecasts mean equal inputs
    /// and seeds. <paramref name="seed"/> null draws the seed from the MLContext.</summary>
    public static R2dnForecastingOptions R2dn(string target = "Output", string[]? features = null,
                                              string? seriesId = "Series", bool bounds = true, int horizon = 4,
                                              int epochs = 2, int? seed = null)
    {
        return new()
        {
            OutputColumnName = "Forecast", InputColumnName = target, Horizon = horizon,
            FeatureColumnNames = features ?? ["Drive"], SeriesIdColumnName = seriesId,
            ConfidenceLowerBoundColumn = bounds ? "Lower" : null, ConfidenceUpperBoundColumn = bounds ? "Upper" : null,
            Epochs = epochs, Robustness = Robustness.Contracting, LearningRate = 3e-3, LinearLookback = 0,
            ValidationFraction = 0, Seed = seed, DifferenceInputs = false,
        };
    }

    /// <summary>Fast REN forecasting settings as <see cref="R2dn"/>, without intervals.</summary>
    public static RenForecastingOptions Ren(string? seriesId = "Series", int horizon = 3, int epochs = 2) => new()
    {
        OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = horizon, FeatureColumnNames = ["Drive"],
        SeriesIdColumnName = seriesId, Epochs = epochs, Robustness = Robustness.Contracting, LearningRate = 3e-3,
        LinearLookback = 0, ValidationFraction = 0,
    };

    /// <summary>The forecast column of <paramref name="scored"/>.</summary>
    public static List<ForecastRow> Forecasts(MLContext ml, IDataView scored) =>
        ml.Data.CreateEnumerable<ForecastRow>(scored, reuseRowObject: false).ToList();

    /// <summary>Every value of the rows' forecasts, bounds included, as IEEE bits (for bit-identical
    /// comparisons).</summary>
    public static uint[] Bits(IEnumerable<ForecastRow> rows) =>
        [.. rows.SelectMany(r => r.Forecast.Concat(r.Lower ?? []).Concat(r.Upper ?? []))
                .Select(BitConverter.SingleToUInt32Bits)];

    public static string R(float v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A folder under the system's temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } =
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "r2dn-mlnet-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
