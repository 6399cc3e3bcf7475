namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>The benchmark files: where they are expected (under a data folder laid out as <c>../shared/data</c>),
/// where to get them, and how each data set's own protocol splits them into estimation and test records. They are
/// read through the CLI's one CSV path (<see cref="CsvLoader"/>), numbers at full (<c>Double</c>) precision.</summary>
internal static class SimulationDataSets
{
    private const string CascadedTanksFile = "CascadedTanks/dataBenchmark.csv";
    private const string EmpsEstimationFile = "EMPS/derived_csv/DATA_EMPS.csv";
    private const string EmpsTestFile = "EMPS/derived_csv/DATA_EMPS_PULSES.csv";
    private const string Role = "a benchmark column";
    private static readonly string[] F16Estimation = [.. new[] { 1, 3, 5, 7 }.Select(l => F16File(l, ""))];
    private static readonly string[] F16Test = [.. new[] { 2, 4, 6 }.Select(l => F16File(l, "_Validation"))];

    /// <summary>The files a data set needs, relative to the data folder.</summary>
    public static string[] Files(string key) => key switch
    {
        "cascaded-tanks" => [CascadedTanksFile],
        "emps" => [EmpsEstimationFile, EmpsTestFile],
        "f16" => [.. F16Estimation, .. F16Test],
        _ => throw new ArgumentException($"Unknown data set '{key}'.", nameof(key)),
    };

    /// <summary>Where to get a data set's files.</summary>
    public static string Source(string key) => key switch
    {
        "cascaded-tanks" => "the Cascaded Tanks benchmark (Schoukens, Mattsson, Wigren & Noël, " +
                            "nonlinearbenchmark.org): dataBenchmark.csv (columns uEst, uVal, yEst, yVal, Ts; also in " +
                            "github.com/forgi86/sysid-neural-continuous, examples/CTS/data/)",
        "emps" => "the EMPS benchmark (Janot, Gautier & Brunot, nonlinearbenchmark.org, EMPS.zip): DATA_EMPS.mat and " +
                  "DATA_EMPS_PULSES.mat converted to CSV with the headers t,qm,qg,vir and t,qm,qg,vir,pulses_N (see " +
                  "../shared/data/SOURCES.md)",
        "f16" => "the F-16 ground vibration test benchmark (Noël & Schoukens, 4TU.ResearchData " +
                 "doi:10.4121/12954911, F16GVT_Files.zip, BenchmarkData): F16Data_FullMSine_Level1..7.csv (Level 2, " +
                 "4 and 6 are named *_Validation.csv)",
        _ => throw new ArgumentException($"Unknown data set '{key}'.", nameof(key)),
    };

    /// <summary>The data folder: <paramref name="explicitFolder"/> when given, else the first <c>shared/data</c> found
    /// walking up from the current directory, then from the program's directory (from the repository root that is
    /// <c>../shared/data</c>); null when none is found (<paramref name="searched"/> lists where it looked).</summary>
    public static string? Locate(string? explicitFolder, out List<string> searched)
    {
        searched = [];
        if (explicitFolder is not null)
        {
            string full = Path.GetFullPath(explicitFolder);
            searched.Add(full);
            return Directory.Exists(full) ? full : null;
        }
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (searched.Contains(candidate)) continue;
                searched.Add(candidate);
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>The files of <paramref name="key"/> missing from <paramref name="folder"/>.</summary>
    public static string[] Missing(string key, string folder) =>
        [.. Files(key).Where(f => !File.Exists(Path.Combine(folder, f)))];

    /// <summary>Reads a data set (its files must exist).</summary>
    /// <exception cref="FormatException">A file is not well-formed CSV (the message names it and the row or
    /// line).</exception>
    /// <exception cref="UsageException">A column is missing, not numeric or not finite, or a file is too
    /// short.</exception>
    public static SimulationDataSet Load(string key, string folder,
                                         int empsDecimation = SimulationBenchmark.DefaultEmpsDecimation) => key switch
                                         {
                                             "cascaded-tanks" => CascadedTanks(folder),
                                             "emps" => Emps(folder, empsDecimation),
                                             "f16" => F16(folder),
                                             _ => throw new ArgumentException(
                                                 $"Unknown data set '{key}'.",
                                                 nameof(key)),
                                         };

    // Estimation uEst → yEst, test uVal → yVal, 1024 rows each at Ts = 4 s;
    // the test is simulated from its first row.
    private static SimulationDataSet CascadedTanks(string folder)
    {
        var table = ReadColumns(Path.Combine(folder, CascadedTanksFile), ["uEst", "uVal", "yEst", "yVal"]);
        return new SimulationDataSet("cascaded-tanks", "Cascaded Tanks", ["u"], ["y"],
                                     [new IoSeries("estimation", table[0].Length, table[0], table[2])],
                                     [new IoSeries("test", table[1].Length, table[1], table[3])],
                                     "estimation uEst -> yEst, test uVal -> yVal (1024 rows each, Ts 4 s), simulated " +
                                     "from the first test row", 5, "V", CascadedTanksPublished);
    }

    // Estimation DATA_EMPS, test DATA_EMPS_PULSES (the data set's README): input vir (motor force), output qm (motor
    // position), 24,841 rows at 1 kHz each, averaged over blocks of `decimation` rows.
    private static SimulationDataSet Emps(string folder, int decimation)
    {
        IoSeries Read(string file, string name)
        {
            var table = ReadColumns(Path.Combine(folder, file), ["vir", "qm"]);
            var u = Decimate(table[0], decimation);
            var y = Decimate(table[1], decimation);
            if (u.Length < 2 * SimulationBenchmark.Washout)
                throw new FormatException($"{Path.GetFileName(file)} has {u.Length} rows after averaging blocks of " +
                                          $"{decimation}; the benchmark needs at least " +
                                          $"{2 * SimulationBenchmark.Washout}.");
            return new IoSeries(name, u.Length, u, y);
        }
        var estimation = Read(EmpsEstimationFile, "DATA_EMPS");
        var test = Read(EmpsTestFile, "DATA_EMPS_PULSES");
        string rate = decimation == 1 ? "at 1 kHz" : $"1 kHz averaged over blocks of {decimation} rows";
        string hertz = (1000.0 / decimation).ToString("0.##", CultureInfo.InvariantCulture);
        return new SimulationDataSet("emps", "EMPS", ["vir"], ["qm"], [estimation], [test],
                                     $"estimation DATA_EMPS, test DATA_EMPS_PULSES, vir (force) -> qm (position); " +
                                     $"{rate} ({estimation.Length} and {test.Length} rows at {hertz} Hz)",
                                     (20 + decimation - 1) / decimation, "m", EmpsPublished);
    }

    // Estimation Level 1, 3, 5, 7 and test Level 2, 4, 6 (the paper's protocol, MODELS.md 4.1): inputs Force and
    // Voltage, outputs Acceleration1..3, 73,728 rows each at 400 Hz.
    private static SimulationDataSet F16(string folder)
    {
        string[] inputs = ["Force", "Voltage"], outputs = ["Acceleration1", "Acceleration2", "Acceleration3"];
        IoSeries Read(string file)
        {
            var t = ReadColumns(Path.Combine(folder, file), [.. inputs, .. outputs]);
            string name = Path.GetFileNameWithoutExtension(file);
            return new IoSeries(name, t[0].Length, Interleave(t[..inputs.Length]), Interleave(t[inputs.Length..]));
        }
        return new SimulationDataSet("f16", "F-16 GVT", inputs, outputs, [.. F16Estimation.Select(Read)],
                                     [.. F16Test.Select(Read)],
                                     "estimation Level 1, 3, 5, 7, test Level 2, 4, 6 (FullMSine, 73,728 rows each " +
                                     "at 400 Hz); Force, Voltage -> Acceleration1..3", SimulationBenchmark.Washout,
                                     "m/s^2", []);
    }

    // nonlinearbenchmark.org's test record, scored from row 5. Sources: the papers' tables; the GRU and LSTM rows are
    // the "rmse" of nonlinear_baselines' stored results (data_NN/CT_GRU_NN.json, CT_LSTM_NN.json).
    private static readonly PublishedResult[] CascadedTanksPublished =
    [
        new("grey-box model from the tanks' physics", 0.18, "Rogers et al. 2017"),
        new("neural continuous-time state space", 0.33, "Forgione & Piga 2021"),
        new("NLSS2", 0.34, "nonlinearbenchmark.org results"),
        new("GP-SSM", 0.45, "nonlinearbenchmark.org results"),
        new("Volterra", 0.54, "nonlinearbenchmark.org results"),
        new("GRU", 0.396, "Champneys et al. 2024, nonlinear_baselines"),
        new("LSTM", 0.490, "Champneys et al. 2024, nonlinear_baselines"),
    ];

    // nonlinear_baselines' EMPS split: DATA_EMPS (first half train, second half validation), test DATA_EMPS_PULSES at
    // 1 kHz, RMSE of qm in metres after each model's look-back (their stored "rmse"). dynoNet's EMPS script scores on
    // DATA_EMPS itself (it loads that file whatever its 'dataset' setting says) and prints metres as "mm", so its
    // figure is not on this split and is not listed.
    private static readonly PublishedResult[] EmpsPublished =
    [
        new("LSTM", 0.0741, "Champneys et al. 2024, nonlinear_baselines (1 kHz)"),
        new("GRU", 0.2203, "Champneys et al. 2024, nonlinear_baselines (1 kHz)"),
    ];

    private static string F16File(int level, string suffix) => $"F16GVT/F16Data_FullMSine_Level{level}{suffix}.csv";

    // Columns side by side as rows, row-major: [c0[0], c1[0], ..., c0[1], c1[1], ...].
    private static double[] Interleave(double[][] columns)
    {
        int n = columns[0].Length, width = columns.Length;
        var rows = new double[n * width];
        for (int t = 0; t < n; t++)
            for (int c = 0; c < width; c++)
                rows[t * width + c] = columns[c][t];
        return rows;
    }

    /// <summary>Block means of <paramref name="factor"/> rows (a partial last block is dropped).</summary>
    internal static double[] Decimate(double[] values, int factor)
    {
        if (factor <= 1) return values;
        var result = new double[values.Length / factor];
        for (int i = 0; i < result.Length; i++)
        {
            double sum = 0;
            for (int k = 0; k < factor; k++) sum += values[i * factor + k];
            result[i] = sum / factor;
        }
        return result;
    }

    /// <summary>The named columns of a benchmark file, each value a finite number (other columns, like the Cascaded
    /// Tanks and F16 files' Ts and Fs, given in the first row only, may have empty fields).</summary>
    /// <exception cref="UsageException">A column is missing, not numeric or not finite (the message names the file and
    /// the row), or the file is shorter than the benchmark needs.</exception>
    internal static double[][] ReadColumns(string path, string[] columns)
    {
        var data = CsvLoader.Load([path], numbers: DataKind.Double);
        CsvChecks.RequireColumns(data, columns.Select(c => (c, Role)), numeric: true);
        var values = DataViewReader.ReadDoubleColumns(data.View, columns);
        for (int c = 0; c < columns.Length; c++)
            CsvChecks.RequireFinite(data, columns[c], Role, values[c], "; the benchmark needs every value.");
        int needed = 2 * SimulationBenchmark.Washout;
        if (data.RowCount < needed)
            throw new UsageException($"{Path.GetFileName(path)} has {data.RowCount} data rows; the benchmark needs " +
                                     $"at least {needed}.");
        return values;
    }
}
