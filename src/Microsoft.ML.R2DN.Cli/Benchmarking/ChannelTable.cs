namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>A CSV's numeric columns as channels (a date or text column is not a channel), and the seasonality its
/// timestamps suggest.</summary>
internal sealed class ChannelTable
{
    private ChannelTable(string name, string[] channelNames, double[][] values, int seasonality)
    {
        Name = name; ChannelNames = channelNames; Values = values; SuggestedSeasonality = seasonality;
    }

    /// <summary>The file (or example) name.</summary>
    public string Name { get; }

    /// <summary>The channels' column names.</summary>
    public string[] ChannelNames { get; }

    /// <summary>[rows][channels].</summary>
    public double[][] Values { get; }

    /// <summary>The number of rows.</summary>
    public int Rows => Values.Length;

    /// <summary>The number of channels.</summary>
    public int Channels => ChannelNames.Length;

    /// <summary>24 for hourly timestamps, 96 for 15-minute, 7 for daily, 12 for monthly, else 1.</summary>
    public int SuggestedSeasonality { get; }

    /// <summary>Reads a CSV with a header through the CLI's one CSV path (<see cref="CsvLoader"/>), numbers at full
    /// precision: a column whose every value is a finite number is a channel; the first other column, when it holds
    /// dates, sets the seasonality.</summary>
    /// <exception cref="FormatException">The file is not well-formed CSV, has fewer than two rows, or has no numeric
    /// column.</exception>
    public static ChannelTable Read(string path)
    {
        var data = CsvLoader.Load([path], numbers: DataKind.Double);
        if (data.RowCount < 2)
            throw new FormatException($"{path} has {data.RowCount} data rows; a header and at least two rows are " +
                                      "needed.");
        var names = data.Columns.Names;
        var numeric = names.Where((_, i) => data.Columns.IsNumeric[i]).ToArray();
        var columns = DataViewReader.ReadDoubleColumns(data.View, numeric);
        var channels = Enumerable.Range(0, numeric.Length).Where(j => columns[j].All(double.IsFinite)).ToArray();
        if (channels.Length == 0)
            throw new FormatException($"{path} has no numeric column (every value a finite number).");
        var values = new double[data.RowCount][];
        for (int t = 0; t < values.Length; t++)
            values[t] = [.. channels.Select(j => columns[j][t])];
        string? other = names.FirstOrDefault(n => !channels.Any(j => numeric[j] == n));
        int seasonality = other is null ? 1 : SeasonalityOf(DataViewReader.ReadTextColumn(data.View, other));
        return new ChannelTable(path, [.. channels.Select(j => numeric[j])], values, seasonality);
    }

    /// <summary>A random walk (the built-in example): repeating the last value is the best forecast there is.</summary>
    public static ChannelTable RandomWalk(int rows = 6000, int seed = 0)
    {
        var rnd = new Random(seed);
        var values = new double[rows][];
        double y = 0;
        for (int t = 0; t < rows; t++)
        {
            y += Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());
            values[t] = [y];
        }
        return new ChannelTable("random-walk", ["y"], values, 1);
    }

    // The season of the step between the first two timestamps: a day of hours or of quarter-hours, a week of days, a
    // year of months; 1 when they are not dates.
    private static int SeasonalityOf(string[] stamps)
    {
        if (stamps.Length <= 2
            || !DateTime.TryParse(stamps[0], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d0)
            || !DateTime.TryParse(stamps[1], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d1))
            return 1;
        var step = d1 - d0;
        return step == TimeSpan.FromHours(1) ? 24 : step == TimeSpan.FromMinutes(15) ? 96
             : step == TimeSpan.FromDays(1) ? 7 : step.TotalDays is >= 28 and <= 31 ? 12 : 1;
    }
}
