using Microsoft.ML.R2DN.Cli.Commands;

// r2dn: the command line of Microsoft.ML.R2DN. The commands (train, evaluate, forecast, inspect, plot, export, bench,
// bench-expressivity) are registered in Cli.CreateRootCommand; every failure ends as one readable line on stderr and an
// exit code (ExitCodes), never a stack trace.
return Cli.Run(args, Console.Out, Console.Error);
