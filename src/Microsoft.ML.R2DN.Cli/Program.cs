using System.CommandLine;
using Microsoft.ML.R2DN.Cli;
using Microsoft.ML.R2DN.Cli.Commands;

// r2dn: the command line of Microsoft.ML.R2DN. Every failure ends as one readable line on stderr and an exit code
// (ExitCodes), never a stack trace.
var root = new RootCommand("r2dn: robust recurrent networks (R2DN, REN) for .NET")
{
    BenchCommand.Create(),
    BenchExpressivityCommand.Create(),
};

try
{
    ParseResult parse = root.Parse(args);
    if (parse.Errors.Count > 0)
    {
        // The first error is the one to act on; a single line keeps logs and scripts readable.
        Console.Error.WriteLine($"r2dn: error: {parse.Errors[0].Message} Run 'r2dn --help' for usage.");
        return ExitCodes.Usage;
    }
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException e)
{
    Console.Error.WriteLine($"r2dn: error: {e.Message}");
    return ExitCodes.Usage;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("r2dn: cancelled.");
    return ExitCodes.Cancelled;
}
catch (Exception e)
{
    Console.Error.WriteLine($"r2dn: error: {Flatten(e)}");
    return ExitCodes.Failure;
}

static string Flatten(Exception e)
{
    if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
    string message = e.Message.ReplaceLineEndings(" ");
    return e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException
        ? message
        : $"{message} ({e.GetType().Name})";
}
