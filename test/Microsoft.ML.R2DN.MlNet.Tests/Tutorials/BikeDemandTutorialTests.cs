using System.Globalization;
using System.Text;
using BikeDemandForecast;
using Microsoft.ML.R2DN.MlNet.Tests.RoundTrip;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.MlNet.Tests.Tutorials;

/// <summary>Issue 20, item 5: ML.NET's bike-demand forecasting tutorial with R2DN in place of ForecastBySsa, run as
/// the examples/BikeDemandForecast program runs it (on generated daily counts here; the example reads the real
/// day.csv): the rows into a SQLite table, <c>CreateDatabaseLoader</c>, <c>FilterRowsByColumn</c> to the first year,
/// R2DN with horizon 7 and 95 % bounds, <c>CreateTimeSeriesEngine</c>, <c>Predict()</c> at once, <c>CheckPoint</c>;
/// then a second process loads the checkpoint, creates the engine and must print the same 7 forecasts and
/// bounds.</summary>
public sealed class BikeDemandTutorialTests(ITestOutputHelper output)
{
    [Fact]
    public void The_tutorial_forecasts_the_week_after_training_at_once_and_a_new_process_from_the_checkpoint_agrees()
    {
        using var folder = new TempFolder();
        string csv = folder.File("day.csv");
        var days = WriteDayCsv(csv);

        var log = new StringWriter();
        var (forecaster, forecast, checkpoint) = Tutorial.Train(csv, folder.Path, log);
        output.WriteLine(log.ToString());
        Assert.Equal(7, forecast.ForecastedRentals.Length);
        for (int k = 0; k < 7; k++)
            Assert.InRange(forecast.ForecastedRentals[k], forecast.LowerBoundRentals[k], forecast.UpperBoundRentals[k]);

        // The first Predict() is what Transform writes on the last row of the first year.
        var ml = new MLContext(seed: 0);
        var firstYear = ml.Data.LoadFromEnumerable(days.Where(d => d.Year < 1));
        var scored = ml.Data.CreateEnumerable<ModelOutput>(forecaster.Transform(firstYear), reuseRowObject: false,
                                                           ignoreMissingColumns: true).Last();
        Assert.Equal(scored.ForecastedRentals, forecast.ForecastedRentals);
        Assert.Equal(scored.LowerBoundRentals, forecast.LowerBoundRentals);
        Assert.Equal(scored.UpperBoundRentals, forecast.UpperBoundRentals);

        var (exit, stdout, stderr) =
            SecondProcess.RunProgram("BikeDemandForecast", folder.Path, "forecast", checkpoint);
        output.WriteLine(stdout);
        Assert.True(exit == 0, $"the second process exited with {exit}:\n{stderr}");
        var printed = stdout.Split('\n', StringSplitOptions.TrimEntries)
                            .Where(l => l.StartsWith("FORECAST ", StringComparison.Ordinal));
        Assert.Equal(Tutorial.Lines(forecast), printed);
    }

    // Two years of daily rentals shaped like the UCI data: a yearly cycle, a weekly pattern, growth into the second
    // year and noise; written with the UCI file's header (the tutorial reads dteday, yr and cnt).
    private static List<ModelInput> WriteDayCsv(string path)
    {
        var rng = new Random(11);
        var text = new StringBuilder("instant,dteday,season,yr,mnth,holiday,weekday,workingday,weathersit,temp,atemp," +
                                     "hum,windspeed,casual,registered,cnt\n");
        var days = new List<ModelInput>();
        var start = new DateTime(2011, 1, 1);
        for (int i = 0; i < 731; i++)
        {
            var day = start.AddDays(i);
            int year = day.Year - 2011;
            double level = (3000 + 1500 * year) * (1 + 0.5 * Math.Sin(2 * Math.PI * (i - 100) / 365.25));
            double weekly = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? -400 : 150;
            int count = (int)Math.Max(20, level + weekly + 300 * (rng.NextDouble() - 0.5));
            text.Append(CultureInfo.InvariantCulture, $"{i + 1},{day:yyyy-MM-dd},1,{year},{day.Month},0,")
                .Append(CultureInfo.InvariantCulture, $"{(int)day.DayOfWeek},1,1,0.3,0.3,0.5,0.2,0,0,{count}\n");
            days.Add(new ModelInput { RentalDate = day, Year = year, TotalRentals = count });
        }
        File.WriteAllText(path, text.ToString());
        return days;
    }
}
