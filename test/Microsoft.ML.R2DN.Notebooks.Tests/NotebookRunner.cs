using System.Collections;
using System.Diagnostics;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Notebooks.Tests;

/// <summary>What a notebook sees as globals, standing in for the Polyglot kernel's <c>display</c> and <c>HTML</c>
/// helpers (<c>Microsoft.DotNet.Interactive.Kernel</c>): displayed values are written to <see cref="Output"/> as text.</summary>
/// <remarks>Public, with lower-case names, because the scripts call its members as unqualified globals.</remarks>
public sealed class NotebookGlobals
{
    /// <summary>Everything displayed, in order.</summary>
    public StringBuilder Output { get; } = new();

    /// <summary>Displays a value, as Polyglot's <c>display(value)</c> does (here: as text).</summary>
    /// <param name="value">The value.</param>
    /// <param name="mimeTypes">Ignored: Polyglot's preferred MIME types.</param>
    /// <returns>The value (Polyglot returns a display handle; notebooks here do not use it).</returns>
#pragma warning disable IDE1006 // lower-case: the name the notebooks call
    public object? display(object? value, params string[] mimeTypes)
#pragma warning restore IDE1006
    {
        _ = mimeTypes;
        Output.AppendLine(Describe(value));
        return value;
    }

    /// <summary>Marks a string as HTML, as Polyglot's <c>HTML(content)</c> does.</summary>
    /// <param name="content">The HTML text.</param>
    /// <returns>The HTML content.</returns>
    public HtmlContent HTML(string content) => new(content);

    /// <summary>A value as text: HTML as its size, sequences one item a line, anything else through ToString.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "<null>",
        string s => s,
        HtmlContent h => $"[HTML, {h.Content.Length} characters]",
        IEnumerable items => string.Join(Environment.NewLine, items.Cast<object?>().Select(Describe)),
        _ => value.ToString() ?? "",
    };
}

/// <summary>HTML to display (the result of <see cref="NotebookGlobals.HTML"/>).</summary>
/// <param name="Content">The HTML text.</param>
public sealed record HtmlContent(string Content)
{
    /// <inheritdoc/>
    public override string ToString() => Content;
}

/// <summary>Runs the code cells of a notebook in order in one Roslyn script state, as the Polyglot C# kernel does.</summary>
internal static class NotebookRunner
{
    /// <summary>The namespaces the Polyglot C# kernel imports by default.</summary>
    private static readonly string[] DefaultImports =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks"];

    /// <summary>The outcome of a run.</summary>
    /// <param name="Output">What the cells displayed (and returned as their last expression).</param>
    /// <param name="Elapsed">The time to run every cell.</param>
    /// <param name="CellTimes">Each code cell's index and time.</param>
    public sealed record Result(string Output, TimeSpan Elapsed, IReadOnlyList<(int Cell, TimeSpan Time)> CellTimes);

    /// <summary>The text the test runs for a cell: lines starting with <c>#r</c> or <c>#!</c> (Polyglot's assembly
    /// references and magic commands) become empty lines, so the line numbers of errors still match the notebook.</summary>
    public static string ScriptText(string source) =>
        string.Join('\n', source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(line => line.TrimStart() is var t && (t.StartsWith("#r", StringComparison.Ordinal) || t.StartsWith("#!", StringComparison.Ordinal))
                ? ""
                : line));

    /// <summary>Runs every code cell of <paramref name="notebook"/> in order, with the working directory set to
    /// <paramref name="workingDirectory"/> (where the notebook's files go).</summary>
    /// <exception cref="NotebookCellException">A cell does not compile or throws.</exception>
    public static async Task<Result> RunAsync(Notebook notebook, string workingDirectory)
    {
        var options = ScriptOptions.Default
            .WithReferences(typeof(MLContext).Assembly, typeof(LipschitzR2dn).Assembly, typeof(object).Assembly,
                            typeof(Enumerable).Assembly, typeof(Console).Assembly, typeof(Stopwatch).Assembly,
                            typeof(System.Text.Json.JsonSerializer).Assembly, typeof(NotebookGlobals).Assembly)
            .WithImports(DefaultImports);
        var globals = new NotebookGlobals();
        var times = new List<(int, TimeSpan)>();
        string previousDirectory = Directory.GetCurrentDirectory();
        var total = Stopwatch.StartNew();
        Directory.SetCurrentDirectory(workingDirectory);
        try
        {
            ScriptState<object>? state = null;
            foreach (var cell in notebook.CodeCells)
            {
                string code = ScriptText(cell.Source);
                // Diagnostics then read "01-forecasting.ipynb, cell 4(3,9): error ...": the line within the cell.
                var cellOptions = options.WithFilePath($"{Path.GetFileName(notebook.Path)}, cell {cell.Index}");
                var clock = Stopwatch.StartNew();
                try
                {
                    state = state is null
                        ? await CSharpScript.RunAsync(code, cellOptions, globals, typeof(NotebookGlobals))
                        : await state.ContinueWithAsync(code, cellOptions);
                }
                catch (CompilationErrorException e)
                {
                    throw new NotebookCellException(notebook.Path, cell,
                        "does not compile:" + Environment.NewLine + string.Join(Environment.NewLine, e.Diagnostics.Select(d => d.ToString())), e);
                }
                catch (Exception e)
                {
                    throw new NotebookCellException(notebook.Path, cell, $"threw {e.GetType().FullName}: {e.Message}", e);
                }
                times.Add((cell.Index, clock.Elapsed));
                // Polyglot displays the value of a cell that ends with an expression (no semicolon).
                if (state.ReturnValue is not null)
                    globals.display(state.ReturnValue);
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }
        return new Result(globals.Output.ToString(), total.Elapsed, times);
    }
}

/// <summary>A notebook cell that failed to compile or threw.</summary>
internal sealed class NotebookCellException(string notebookPath, NotebookCell cell, string what, Exception inner)
    : Exception($"{Path.GetFileName(notebookPath)}, cell {cell.Index} {what}{Environment.NewLine}--- cell {cell.Index} ---{Environment.NewLine}{cell.Source}", inner);
