using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Notebooks.Tests;

/// <summary>What a notebook sees as globals, standing in for the Polyglot kernel's <c>display</c> and <c>HTML</c>
/// helpers (<c>Microsoft.DotNet.Interactive.Kernel</c>): displayed values are written to <see cref="Output"/> as
/// text.</summary>
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

/// <summary>What a notebook's <c>#r</c> lines ask for, resolved to the assemblies this test project already has
/// (restored by its own package and project references), so that a notebook cannot ask for something the test does not
/// run.</summary>
/// <remarks>
/// <para><c>#r "nuget: Id, Version"</c>: a package in <see cref="Packages"/>; the version must be the one restored here
/// (read from the informational version of the package's first assembly), so that the notebooks and the build
/// agree.</para>
/// <para><c>#r "path/Name.dll"</c>: one of <see cref="Files"/>, by file name; the path is relative to the notebooks
/// folder and must name an existing project folder before its <c>bin/</c> (the notebooks point at the Release build,
/// which the test does not need: it uses its own copies of the same assemblies).</para>
/// </remarks>
internal static class NotebookReferences
{
    // Package ids and file names are matched as NuGet and the file system on Windows match them.
    private static readonly StringComparer IgnoreCase = StringComparer.OrdinalIgnoreCase;

    /// <summary>The NuGet packages a notebook may reference, with the assemblies each brings (the first carries the
    /// package version).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Packages = new Dictionary<string, string[]>(IgnoreCase)
    {
        ["Microsoft.ML"] =
        [
            "Microsoft.ML.Data", "Microsoft.ML.Core", "Microsoft.ML.DataView", "Microsoft.ML.Transforms",
            "Microsoft.ML.StandardTrainers", "Microsoft.ML.KMeansClustering", "Microsoft.ML.PCA",
            "Microsoft.ML.CpuMath",
        ],
        ["System.Numerics.Tensors"] = ["System.Numerics.Tensors"],
        ["MathNet.Numerics"] = ["MathNet.Numerics"],
        ["ScottPlot"] = ["ScottPlot", "SkiaSharp"],
    };

    /// <summary>The built assemblies a notebook may reference by path, by file name.</summary>
    public static readonly IReadOnlyDictionary<string, Assembly> Files = new Dictionary<string, Assembly>(IgnoreCase)
    {
        ["Microsoft.ML.R2DN.dll"] = typeof(ForecastingTransformer).Assembly,
        ["Microsoft.ML.R2DN.Engine.dll"] = typeof(LipschitzR2dn).Assembly,
    };

    /// <summary>The <c>#r</c> arguments of <paramref name="source"/>, in order: the quoted text of each line that
    /// starts with <c>#r</c>.</summary>
    /// <exception cref="FormatException">A <c>#r</c> line has no quoted argument.</exception>
    public static IReadOnlyList<string> Directives(string source)
    {
        var found = new List<string>();
        foreach (string line in source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            string t = line.Trim();
            if (!t.StartsWith("#r", StringComparison.Ordinal)) continue;
            int open = t.IndexOf('"', StringComparison.Ordinal), close = t.LastIndexOf('"');
            if (open < 0 || close <= open)
                throw new FormatException($"'{t}' is not a #r \"...\" reference.");
            found.Add(t[(open + 1)..close]);
        }
        return found;
    }

    /// <summary>The assemblies a <c>#r</c> argument stands for.</summary>
    /// <param name="reference">The quoted text of the directive: <c>nuget: Id, Version</c> or a path to a .dll.</param>
    /// <param name="notebookFolder">The folder of the notebook, which relative paths start from.</param>
    /// <exception cref="NotSupportedException">The test cannot supply the reference, or its version differs from the
    /// one restored here.</exception>
    public static IReadOnlyList<Assembly> Resolve(string reference, string notebookFolder)
    {
        const string NuGet = "nuget:";
        if (reference.StartsWith(NuGet, StringComparison.OrdinalIgnoreCase))
        {
            string[] parts = reference[NuGet.Length..].Split(',', StringSplitOptions.TrimEntries);
            string id = parts[0];
            string? version = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
            if (!Packages.TryGetValue(id, out var names))
                throw new NotSupportedException(
                    $"#r \"{reference}\": the test has no restored package '{id}' (it knows " +
                    $"{string.Join(", ", Packages.Keys)}); add it to the test project and to " +
                    $"{nameof(NotebookReferences)}.{nameof(Packages)}.");
            var assemblies = names.Select(n => Assembly.Load(new AssemblyName(n))).ToList();
            string restored = PackageVersion(assemblies[0]);
            if (version is null)
                throw new NotSupportedException(
                    $"#r \"{reference}\": give the version (the test restored {id} {restored}).");
            if (!string.Equals(version, restored, StringComparison.OrdinalIgnoreCase))
                throw new NotSupportedException(
                    $"#r \"{reference}\": the test restored {id} {restored}, not {version}.");
            return assemblies;
        }
        string fileName = Path.GetFileName(reference);
        if (!Files.TryGetValue(fileName, out var assembly))
            throw new NotSupportedException(
                $"#r \"{reference}\": the test supplies only {string.Join(", ", Files.Keys)} by path.");
        string full = Path.GetFullPath(Path.Combine(notebookFolder, reference));
        char separator = Path.DirectorySeparatorChar;
        int bin = full.IndexOf($"{separator}bin{separator}", StringComparison.Ordinal);
        string project = bin < 0 ? Path.GetDirectoryName(full)! : full[..bin];
        if (!Directory.Exists(project))
            throw new NotSupportedException($"#r \"{reference}\": {project} does not exist.");
        return [assembly];
    }

    /// <summary>The NuGet version an assembly came from: its informational version without the "+commit"
    /// suffix.</summary>
    public static string PackageVersion(Assembly assembly)
    {
        string? informational =
            assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return informational is null ? assembly.GetName().Version?.ToString() ?? "" : informational.Split('+')[0];
    }
}

/// <summary>Runs the code cells of a notebook in order in one Roslyn script state, as the Polyglot C# kernel
/// does.</summary>
internal static class NotebookRunner
{
    /// <summary>The namespaces the Polyglot C# kernel imports by default.</summary>
    private static readonly string[] DefaultImports =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks"];

    /// <summary>The outcome of a run.</summary>
    /// <param name="Output">What the cells displayed (and returned as their last expression).</param>
    /// <param name="Elapsed">The time to run every cell.</param>
    /// <param name="CellTimes">Each code cell's index and time.</param>
    /// <param name="References">The assemblies the notebook's <c>#r</c> lines resolved to, by name.</param>
    public sealed record Result(string Output, TimeSpan Elapsed, IReadOnlyList<(int Cell, TimeSpan Time)> CellTimes,
                                IReadOnlyList<string> References);

    /// <summary>The text the test runs for a cell: lines starting with <c>#r</c> or <c>#!</c> (Polyglot's assembly
    /// references and magic commands) become empty lines, so the line numbers of errors still match the notebook. The
    /// references are resolved apart, by <see cref="NotebookReferences"/>.</summary>
    public static string ScriptText(string source) =>
        string.Join('\n', source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(line => IsDirective(line.TrimStart()) ? "" : line));

    private static bool IsDirective(string line) =>
        line.StartsWith("#r", StringComparison.Ordinal) || line.StartsWith("#!", StringComparison.Ordinal);

    /// <summary>Runs every code cell of <paramref name="notebook"/> in order, with the working directory set to
    /// <paramref name="workingDirectory"/> (where the notebook's files go). Each cell gets the assemblies its <c>#r</c>
    /// lines name (and those of the cells before it), resolved by <see cref="NotebookReferences"/>; nothing else of
    /// this package is referenced, so a notebook that forgets a <c>#r</c> fails here as in Polyglot.</summary>
    /// <exception cref="NotebookCellException">A cell does not compile, throws, or has a <c>#r</c> the test cannot
    /// supply.</exception>
    public static async Task<Result> RunAsync(Notebook notebook, string workingDirectory)
    {
        var options = ScriptOptions.Default
            .WithReferences(typeof(object).Assembly, typeof(Enumerable).Assembly, typeof(Console).Assembly,
                            typeof(Stopwatch).Assembly, typeof(System.Text.Json.JsonSerializer).Assembly,
                            typeof(NotebookGlobals).Assembly)
            .WithImports(DefaultImports);
        string notebookFolder = Path.GetDirectoryName(Path.GetFullPath(notebook.Path))!;
        var referenced = new List<Assembly>();
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
                try
                {
                    foreach (string reference in NotebookReferences.Directives(cell.Source))
                        foreach (var assembly in NotebookReferences.Resolve(reference, notebookFolder))
                            if (!referenced.Contains(assembly))
                                referenced.Add(assembly);
                }
                catch (Exception e) when (e is NotSupportedException or FormatException)
                {
                    throw new NotebookCellException(notebook.Path, cell,
                                                    "has a reference the test cannot supply: " + e.Message, e);
                }
                options = options.AddReferences(referenced);
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
                    string diagnostics = string.Join(Environment.NewLine, e.Diagnostics.Select(d => d.ToString()));
                    throw new NotebookCellException(notebook.Path, cell,
                                                    "does not compile:" + Environment.NewLine + diagnostics, e);
                }
                catch (Exception e)
                {
                    throw new NotebookCellException(notebook.Path, cell,
                                                    $"threw {e.GetType().FullName}: {e.Message}", e);
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
        return new Result(globals.Output.ToString(), total.Elapsed, times,
                          [.. referenced.Select(a => a.GetName().Name ?? "")]);
    }
}

/// <summary>A notebook cell that failed to compile or threw.</summary>
internal sealed class NotebookCellException(string notebookPath, NotebookCell cell, string what, Exception inner)
    : Exception($"{Path.GetFileName(notebookPath)}, cell {cell.Index} {what}{Environment.NewLine}" +
                $"--- cell {cell.Index} ---{Environment.NewLine}{cell.Source}", inner);
