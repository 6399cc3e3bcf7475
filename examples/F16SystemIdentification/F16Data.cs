using System.Globalization;

namespace F16SystemIdentification;

/// <summary>One F16 recording: inputs u (T, nu = 2) and outputs y (T, ny = 3), row-major, standardised.</summary>
internal sealed record F16Sequence(string Name, int Length, float[] Inputs, float[] Outputs);

/// <summary>
/// The F-16 ground vibration test benchmark as the paper uses it (MODELS.md §4.1): columns 0–1 are the inputs (shaker
/// force and voltage), 2–4 the three accelerations; every file is standardised with the column means and (population)
/// standard deviations of Level4_Validation.
/// </summary>
internal static class F16Data
{
    public const int InputSize = 2;
    public const int OutputSize = 3;
    private const int Columns = InputSize + OutputSize;

    public static readonly string[] TrainFiles =
    [
        "F16Data_FullMSine_Level1.csv", "F16Data_FullMSine_Level3.csv",
        "F16Data_FullMSine_Level5.csv", "F16Data_FullMSine_Level7.csv",
    ];

    public static readonly string[] ValidationFiles =
    [
        "F16Data_FullMSine_Level2_Validation.csv", "F16Data_FullMSine_Level4_Validation.csv",
        "F16Data_FullMSine_Level6_Validation.csv",
    ];

    public const string StandardisationFile = "F16Data_FullMSine_Level4_Validation.csv";

    public static IEnumerable<string> AllFiles => TrainFiles.Concat(ValidationFiles);

    /// <summary>Where the data is, or null: <paramref name="explicitDirectory"/> if given, else the first
    /// <c>shared/data/F16GVT</c> found walking up from the current directory, then from the program's
    /// directory.</summary>
    public static string? Locate(string? explicitDirectory, out List<string> searched)
    {
        searched = [];
        if (explicitDirectory is not null)
        {
            string full = Path.GetFullPath(explicitDirectory);
            searched.Add(full);
            return HasAllFiles(full) ? full : null;
        }
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", "F16GVT");
                if (searched.Contains(candidate)) continue;
                searched.Add(candidate);
                if (HasAllFiles(candidate)) return candidate;
            }
        }
        return null;
    }

    public static List<string> MissingFiles(string directory) =>
        AllFiles.Where(f => !File.Exists(Path.Combine(directory, f))).ToList();

    private static bool HasAllFiles(string directory) =>
        Directory.Exists(directory) && MissingFiles(directory).Count == 0;

    /// <summary>Loads the training and validation sequences from <paramref name="directory"/>, standardised.</summary>
    public static (F16Sequence[] Train, F16Sequence[] Validation) Load(string directory)
    {
        double[][] reference = ReadColumns(Path.Combine(directory, StandardisationFile));
        var mean = new double[Columns];
        var std = new double[Columns];
        for (int c = 0; c < Columns; c++)
        {
            double[] column = reference[c];
            double m = 0;
            foreach (double v in column) m += v;
            m /= column.Length;
            double ss = 0;
            foreach (double v in column) ss += (v - m) * (v - m);
            mean[c] = m;
            std[c] = Math.Sqrt(ss / column.Length);   // numpy/jax std: ddof = 0
            if (!(std[c] > 0))
                throw new InvalidDataException(
                    $"Column {c} of {StandardisationFile} is constant; it cannot be used to standardise.");
        }

        F16Sequence Read(string file)
        {
            double[][] columns = ReadColumns(Path.Combine(directory, file));
            int t = columns[0].Length;
            var u = new float[t * InputSize];
            var y = new float[t * OutputSize];
            for (int k = 0; k < t; k++)
            {
                for (int i = 0; i < InputSize; i++)
                    u[k * InputSize + i] = (float)((columns[i][k] - mean[i]) / std[i]);
                for (int j = 0, c = InputSize; j < OutputSize; j++, c++)
                    y[k * OutputSize + j] = (float)((columns[c][k] - mean[c]) / std[c]);
            }
            return new F16Sequence(Path.GetFileNameWithoutExtension(file), t, u, y);
        }

        return (TrainFiles.Select(Read).ToArray(), ValidationFiles.Select(Read).ToArray());
    }

    /// <summary>Stacks sequences of equal length as the batch axis: (T, B, width), time-major.</summary>
    public static (float[] Inputs, float[] Outputs) StackTimeMajor(IReadOnlyList<F16Sequence> sequences, int length)
    {
        int batch = sequences.Count;
        var u = new float[length * batch * InputSize];
        var y = new float[length * batch * OutputSize];
        for (int b = 0; b < batch; b++)
        {
            var s = sequences[b];
            for (int t = 0; t < length; t++)
            {
                s.Inputs.AsSpan(t * InputSize, InputSize).CopyTo(u.AsSpan((t * batch + b) * InputSize));
                s.Outputs.AsSpan(t * OutputSize, OutputSize).CopyTo(y.AsSpan((t * batch + b) * OutputSize));
            }
        }
        return (u, y);
    }

    // The files have a header line ("Force","Voltage",...) and a trailing comma; Fs appears only in the first data row.
    private static double[][] ReadColumns(string path)
    {
        var columns = new List<double>[Columns];
        for (int c = 0; c < Columns; c++) columns[c] = new List<double>(80_000);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            string[] fields = line.Split(',');
            if (lineNumber == 1 && !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                continue;   // header
            string where = $"{Path.GetFileName(path)} line {lineNumber}";
            if (fields.Length < Columns)
                throw new InvalidDataException(
                    $"{where}: expected at least {Columns} comma-separated values, found {fields.Length}.");
            for (int c = 0; c < Columns; c++)
            {
                if (!double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                    || !double.IsFinite(v))
                    throw new InvalidDataException($"{where}, column {c}: '{fields[c]}' is not a finite number.");
                columns[c].Add(v);
            }
        }
        if (columns[0].Count == 0) throw new InvalidDataException($"{Path.GetFileName(path)} has no data rows.");
        return columns.Select(c => c.ToArray()).ToArray();
    }
}
