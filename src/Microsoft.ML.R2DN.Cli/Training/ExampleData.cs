using Microsoft.ML.R2DN.Samples;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>The data and settings of <c>r2dn train --example</c>: the package's simulated nonlinear system
/// (<see cref="SampleData.NonlinearSystem"/>), two series of 1,500 steps with a daily (24-step) cycle, forecast 12
/// steps ahead from the output and the drive.</summary>
/// <remarks>The settings were chosen on a 2-core machine: training takes a few seconds and the forecasts beat the
/// seasonal naive forecast (period 24) by a wide margin (MAE about a third of the naive one).</remarks>
internal static class ExampleData
{
    public const int Series = 2;
    public const int Length = 1500;
    public const int DataSeed = 0;

    public const string DataFile = "r2dn-example-data.csv";
    public const string ModelFile = "r2dn-example.zip";
    public const string ForecastPlotFile = "r2dn-example-forecast.svg";
    public const string LossPlotFile = "r2dn-example-loss.svg";

    public const string Label = "Output";
    public const string Feature = "Drive";
    public const string SeriesId = "Series";
    public const int Horizon = 12;
    public const int Seasonality = 24;

    public const int Epochs = 150;
    public const int StateSize = 16;
    public const int Features = 16;
    public static readonly int[] HiddenSizes = [32, 32];
    public const double LearningRate = 0.01;
    public const int SegmentLength = 64;

    /// <summary>Writes the example's data as a CSV (Series, Step, Drive, Output), atomically.</summary>
    public static void Write(string path)
    {
        var c = CultureInfo.InvariantCulture;
        TextFiles.WriteAtomically(path, w =>
        {
            w.WriteLine("Series,Step,Drive,Output");
            foreach (var row in SampleData.NonlinearSystem(Length, Series, DataSeed))
            {
                string series = TextFiles.CsvField(row.Series);
                w.WriteLine(string.Create(c, $"{series},{row.Step},{row.Drive:R},{row.Output:R}"));
            }
        });
    }
}
