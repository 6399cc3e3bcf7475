using System.Globalization;

namespace F16SystemIdentification;

/// <summary>Command-line options of the example. Invalid input throws <see cref="ArgumentException"/> with a one-line
/// message.</summary>
internal sealed record ExampleOptions(string? DataDirectory, int Epochs, int Seed, int Threads, string? JsonPath,
                                      bool Help)
{
    public const string Usage =
        """
        F16 system identification with a contracting R2DN (the paper's protocol, MODELS.md 4.1).

        Usage: dotnet run -c Release --project examples/F16SystemIdentification -- [options]

        Options:
          --data DIR     folder with F16Data_FullMSine_Level{1..7}*.csv (default: shared/data/F16GVT,
                         found by walking up from the current and the program's directory)
          --epochs N     training epochs (default 70, the paper's)
          --seed S       seed of the initialisation (default 0)
          --threads T    threads used by the model (default 2)
          --json PATH    also write the per-epoch timings and losses and the NRMSE to PATH as JSON
          -h, --help     show this help
        """;

    public static ExampleOptions Parse(string[] args)
    {
        var o = new ExampleOptions(null, 70, 0, 2, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Length) throw new ArgumentException($"{arg} needs a value.");
                return args[++i];
            }
            int Int(int minimum)
            {
                string text = Value();
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
                    || v < minimum)
                    throw new ArgumentException($"{arg} must be an integer ≥ {minimum} (got '{text}').");
                return v;
            }
            o = arg switch
            {
                "--data" => o with { DataDirectory = Value() },
                "--epochs" => o with { Epochs = Int(1) },
                "--seed" => o with { Seed = Int(int.MinValue) },
                "--threads" => o with { Threads = Int(1) },
                "--json" => o with { JsonPath = Value() },
                "-h" or "--help" or "-?" => o with { Help = true },
                _ => throw new ArgumentException($"unknown option '{args[i]}'."),
            };
        }
        return o;
    }
}
