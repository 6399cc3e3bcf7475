namespace Microsoft.ML.R2DN.Cli;

/// <summary>Process exit codes of <c>r2dn</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command started but failed (an unexpected error while running).</summary>
    public const int Failure = 1;

    /// <summary>The command line was invalid: an unknown option, a bad value, or a model that is not
    /// available.</summary>
    public const int Usage = 2;

    /// <summary>The user pressed Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}

/// <summary>
/// An error in what the user asked for. Its message is printed as one line (<c>r2dn: error: …</c>) and the process
/// exits with <see cref="ExitCodes.Usage"/>; no stack trace is shown.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
