using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.R2DN;

namespace BikeDemandForecast;

/// <summary>The tutorial's steps: the data into SQLite, the database loader, the first year to train, the second to
/// evaluate, the engine's forecast of the week after training, and the checkpoint.</summary>
public static class Tutorial
{
    /// <summary>The checkpoint's file name in the output folder.</summary>
    public const string CheckpointFile = "bike-r2dn.zip";

    private const int Horizon = 7;

    /// <summary>Trains on the first year of <paramref name="dayCsv"/> (columns dteday, yr and cnt of the UCI file),
    /// writes the evaluation on the second year to <paramref name="log"/> and the checkpoint to
    /// <paramref name="directory"/>, and returns the engine's first forecast: the week after the first year.</summary>
    public static (ITransformer Forecaster, ModelOutput Forecast, string Checkpoint) Train(string dayCsv,
        string directory, TextWriter log)
    {
        Directory.CreateDirectory(directory);
        var ml = new MLContext(seed: 0);
        string connection = WriteDatabase(ml, dayCsv, Path.Combine(directory, "rentals.db"));

        var loader = ml.Data.CreateDatabaseLoader<ModelInput>();
        var source = new DatabaseSource(SqliteFactory.Instance, connection,
            "SELECT RentalDate, CAST(Year AS REAL) AS Year, CAST(TotalRentals AS REAL) AS TotalRentals " +
            "FROM Rentals ORDER BY RentalDate");
        IDataView dataView = loader.Load(source);
        IDataView firstYearData = ml.Data.FilterRowsByColumn(dataView, "Year", upperBound: 1);

        var forecastingPipeline = ml.Forecasting.R2DN(outputColumnName: "ForecastedRentals",
            inputColumnName: "TotalRentals", horizon: Horizon, confidenceLevel: 0.95f,
            confidenceLowerBoundColumn: "LowerBoundRentals", confidenceUpperBoundColumn: "UpperBoundRentals");
        var forecaster = forecastingPipeline.Fit(firstYearData);
        log.WriteLine($"Trained: {forecaster.Certificate.Statement}");
        Evaluate(ml, forecaster, dataView, log);

        var forecastEngine = forecaster.CreateTimeSeriesEngine<ModelInput, ModelOutput>(ml);
        string checkpoint = Path.Combine(directory, CheckpointFile);
        forecastEngine.CheckPoint(ml, checkpoint);
        log.WriteLine($"Checkpoint: {checkpoint}");
        return (forecaster, forecastEngine.Predict(), checkpoint);
    }

    /// <summary>Loads the checkpoint, creates the engine and returns its forecast: the week after the first
    /// year.</summary>
    public static ModelOutput ForecastFromCheckpoint(string checkpoint)
    {
        var ml = new MLContext(seed: 0);
        ITransformer model = ml.Model.Load(checkpoint, out _);
        var forecastEngine = model.CreateTimeSeriesEngine<ModelInput, ModelOutput>(ml);
        return forecastEngine.Predict();
    }

    /// <summary>One line per day ahead, "FORECAST day +k: value (95% lower .. upper)", in round-trip form so that two
    /// processes can be compared by their text.</summary>
    public static IEnumerable<string> Lines(ModelOutput forecast)
    {
        var inv = CultureInfo.InvariantCulture;
        for (int k = 0; k < forecast.ForecastedRentals.Length; k++)
            yield return string.Create(inv, $"FORECAST day +{k + 1}: {forecast.ForecastedRentals[k]:R} " +
                $"(95% {forecast.LowerBoundRentals[k]:R} .. {forecast.UpperBoundRentals[k]:R})");
    }

    // Scored on the whole history in order (the recurrent state needs the first year), evaluated on the second.
    private static void Evaluate(MLContext ml, ITransformer forecaster, IDataView dataView, TextWriter log)
    {
        IDataView secondYear = ml.Data.FilterRowsByColumn(forecaster.Transform(dataView), "Year", lowerBound: 1);
        var metrics = ml.Forecasting.Evaluate(secondYear, labelColumnName: "TotalRentals",
            forecastColumnName: "ForecastedRentals", lowerBoundColumnName: "LowerBoundRentals",
            upperBoundColumnName: "UpperBoundRentals", seasonality: 7);
        log.WriteLine("Evaluation on the second year:");
        log.WriteLine(metrics);
    }

    // The rows of the day.csv file (read by ML.NET's text loader) into a table Rentals(RentalDate, Year, TotalRentals).
    private static string WriteDatabase(MLContext ml, string dayCsv, string databasePath)
    {
        var file = ml.Data.LoadFromTextFile<DayRow>(dayCsv, separatorChar: ',', hasHeader: true);
        var days = ml.Data.CreateEnumerable<DayRow>(file, reuseRowObject: false).ToList();
        if (File.Exists(databasePath)) File.Delete(databasePath);
        string connection = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString();
        using var db = new SqliteConnection(connection);
        db.Open();
        using (var create = db.CreateCommand())
        {
            create.CommandText = "CREATE TABLE Rentals (RentalDate TEXT, Year INTEGER, TotalRentals INTEGER)";
            create.ExecuteNonQuery();
        }
        using var transaction = db.BeginTransaction();
        using var insert = db.CreateCommand();
        insert.CommandText = "INSERT INTO Rentals VALUES ($date, $year, $total)";
        var date = insert.Parameters.Add("$date", SqliteType.Text);
        var year = insert.Parameters.Add("$year", SqliteType.Integer);
        var total = insert.Parameters.Add("$total", SqliteType.Integer);
        foreach (var d in days)
        {
            (date.Value, year.Value, total.Value) = (d.Date, d.Year, d.Count);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return connection;
    }
}

/// <summary>A row of the table, as the tutorial's model reads it.</summary>
public sealed class ModelInput
{
    /// <summary>The day.</summary>
    public DateTime RentalDate { get; set; }

    /// <summary>0 for the first year, 1 for the second.</summary>
    public float Year { get; set; }

    /// <summary>The rentals of the day.</summary>
    public float TotalRentals { get; set; }
}

/// <summary>The engine's forecast of the next seven days, with its 95 % bounds.</summary>
public sealed class ModelOutput
{
    /// <summary>The forecast rentals.</summary>
    public float[] ForecastedRentals { get; set; } = [];

    /// <summary>The lower bounds.</summary>
    public float[] LowerBoundRentals { get; set; } = [];

    /// <summary>The upper bounds.</summary>
    public float[] UpperBoundRentals { get; set; } = [];
}

/// <summary>The columns of the UCI day.csv file the tutorial needs.</summary>
public sealed class DayRow
{
    /// <summary>dteday: the day, as text (yyyy-mm-dd).</summary>
    [LoadColumn(1)] public string Date { get; set; } = "";

    /// <summary>yr: 0 or 1.</summary>
    [LoadColumn(3)] public int Year { get; set; }

    /// <summary>cnt: the rentals of the day.</summary>
    [LoadColumn(15)] public int Count { get; set; }
}
