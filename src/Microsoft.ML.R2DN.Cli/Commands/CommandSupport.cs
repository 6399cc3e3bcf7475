namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>What the train, evaluate, forecast, inspect and plot commands share: their writers, the error policy and
/// Ctrl+C, and the parsing of list and choice options.</summary>
internal static class CommandSupport
{
    /// <summary>Where results go: stdout, or the writer <see cref="Cli.Run"/> was given.</summary>
    public static TextWriter Out(ParseResult parse) => parse.InvocationConfiguration.Output;

    /// <summary>Where progress and errors go: stderr, or the writer <see cref="Cli.Run"/> was given.</summary>
    public static TextWriter Error(ParseResult parse) => parse.InvocationConfiguration.Error;

    /// <summary>Whether the error writer is a terminal (progress is then redrawn in place).</summary>
    public static bool Interactive(ParseResult parse) =>
        Error(parse) is Cli.TerminalWriter
            || (ReferenceEquals(Error(parse), Console.Error) && !Console.IsErrorRedirected);

    // A cancellation besides Ctrl+C, for this call chain only (Cli.Run's caller: tests, a host program).
    private static readonly AsyncLocal<CancellationToken> ExternalCancellation = new();

    /// <summary>Runs <paramref name="work"/> with
    /// <see cref="Cli.Run(string[], TextWriter, TextWriter, bool, CancellationToken)"/>'s
    /// cancellation token for the duration (read by <see cref="Run"/>).</summary>
    internal static T WithCancellation<T>(CancellationToken cancel, Func<T> work)
    {
        var before = ExternalCancellation.Value;
        ExternalCancellation.Value = cancel;
        try
        {
            return work();
        }
        finally
        {
            ExternalCancellation.Value = before;
        }
    }

    /// <summary>Runs a command's work with a cancellation token that Ctrl+C cancels (the work hands it to the options'
    /// <c>CancellationToken</c> and checks it), and turns errors in what the user gave (a bad CSV, a missing column, a
    /// wrong path, an invalid setting) into a <see cref="UsageException"/>: one line on stderr and exit code
    /// 2.</summary>
    /// <remarks>Other failures (training diverged, a file that cannot be written) keep their type and end with exit
    /// code 1; a cancellation ends with 130. A second Ctrl+C ends the process at once.</remarks>
    public static int Run(Func<CancellationToken, int> work)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ExternalCancellation.Value);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;   // the second Ctrl+C: let it end the process
            e.Cancel = true;   // the first: let the work stop at its next check and report it
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return work(cancel.Token);
        }
        catch (Exception e) when (IsUserError(e) && !cancel.IsCancellationRequested)
        {
            throw new UsageException(Message(e));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Errors caused by the arguments or the data rather than by the program or the machine.</summary>
    private static bool IsUserError(Exception e) =>
        e is FormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
            or NotSupportedException;

    /// <summary>The message without .NET's parameter decoration (" (Parameter 'input')", "Actual value was ..."), on
    /// one line.</summary>
    internal static string Message(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            int at = message.IndexOf(suffix, StringComparison.Ordinal);
            if (at >= 0) message = message.Remove(at, suffix.Length);
        }
        if (e is ArgumentOutOfRangeException)
        {
            int at = message.IndexOf("Actual value was", StringComparison.Ordinal);
            if (at > 0) message = message[..at];
        }
        return Cli.OneLine(message);
    }

    /// <summary>The values of a list option: repeated options and comma-separated values together, trimmed, without
    /// empty items.</summary>
    public static string[] List(ParseResult parse, Option<string[]> option) =>
        (parse.GetValue(option) ?? [])
        .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        .ToArray();

    /// <summary>Whether the user typed <paramref name="option"/> (rather than it taking its default).</summary>
    public static bool IsExplicit(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>Parses a choice, case-insensitively, naming the valid values when it is not one.</summary>
    public static T Choice<T>(string? value, string option, params (string Name, T Value)[] choices)
    {
        foreach (var (name, v) in choices)
            if (string.Equals(name, value?.Trim(), StringComparison.OrdinalIgnoreCase))
                return v;
        throw new UsageException($"{option} must be one of {string.Join(", ", choices.Select(c => c.Name))} (got '" +
                                 $"{value}').");
    }

    /// <summary>Parses <c>--hidden</c>: positive widths separated by commas ("64,64"), or "none" (any case) for no
    /// hidden layer. Spaces around a width are allowed; an empty item, a sign, a fraction or a zero are not.</summary>
    /// <exception cref="UsageException">The text is not such a list; the message names the item at fault.</exception>
    public static int[] ParseHidden(string text)
    {
        if (string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase)) return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) && sizes[i] >= 1)
                continue;
            string fault = parts[i].Length == 0 ? $"item {i + 1} is empty" : $"'{parts[i]}' is not a positive integer";
            throw new UsageException("--hidden takes positive widths separated by commas, e.g. 64,64, or 'none' for " +
                                     $"no hidden layer (got '{text}': {fault}).");
        }
        return sizes;
    }

    /// <summary>Checks that an output file's folder exists (before any long work), creating nothing.</summary>
    public static void CheckWritable(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"{option} '{path}' is a folder; give a file name.");
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
            throw new UsageException($"the folder of {option} '{path}' does not exist.");
    }

    /// <summary>A positive value of an optional option, or null when not given.</summary>
    public static int? Positive(ParseResult parse, Option<int?> option)
    {
        int? value = parse.GetValue(option);
        if (value is int v && v < 1) throw new UsageException($"{option.Name} must be at least 1 (got {v}).");
        return value;
    }

    /// <summary>A positive, finite value of an optional option, or null when not given.</summary>
    public static double? Positive(ParseResult parse, Option<double?> option)
    {
        double? value = parse.GetValue(option);
        if (value is double v && !(v > 0 && double.IsFinite(v)))
            throw new UsageException($"{option.Name} must be a positive number (got " +
                                     $"{v.ToString(CultureInfo.InvariantCulture)}).");
        return value;
    }

    /// <summary>A fraction in (0, 1).</summary>
    public static double Fraction(double value, string option)
    {
        if (!(value > 0 && value < 1))
            throw new UsageException($"{option} must be between 0 and 1, exclusive (got " +
                                     $"{value.ToString(CultureInfo.InvariantCulture)}).");
        return value;
    }
}
