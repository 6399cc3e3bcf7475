using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Notebooks.Tests;

/// <summary>Executes the repository's Polyglot notebooks (notebooks/*.ipynb) cell by cell, so that they cannot rot.</summary>
/// <remarks>The cells run with Roslyn scripting in one state, as in the Polyglot C# kernel: the <c>#r</c> lines
/// (which point at the Release build for Polyglot) and <c>#!</c> magic commands are removed and the test supplies the
/// references to Microsoft.ML.R2DN and its engine itself; <c>display</c> and <c>HTML</c> come from
/// <see cref="NotebookGlobals"/>. Each notebook runs in its own temporary working folder, deleted afterwards; set the
/// environment variable R2DN_NOTEBOOK_OUTPUT to a folder to keep what the notebooks write (model files, SVG plots)
/// in a subfolder per notebook there.</remarks>
public sealed class NotebookTests(ITestOutputHelper output)
{
    /// <summary>Generous bound on one notebook's run time: they are meant to take seconds.</summary>
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(60);

    /// <summary>Every notebook file name in notebooks/.</summary>
    public static TheoryData<string> Notebooks => new(Notebook.All());

    [Fact]
    public void TheNotebooksFolderHoldsNotebooks()
    {
        Assert.True(Directory.Exists(Notebook.Folder()), $"{Notebook.Folder()} does not exist.");
        Assert.Contains("01-forecasting.ipynb", Notebook.All());
        Assert.Contains("02-system-identification.ipynb", Notebook.All());
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_IsAPolyglotCSharpNotebook(string name)
    {
        var notebook = Notebook.Load(Path.Combine(Notebook.Folder(), name));
        Assert.Equal(".net-csharp", notebook.KernelName);
        Assert.NotEmpty(notebook.CodeCells);
        Assert.All(notebook.CodeCells, cell => Assert.True(cell.Language == "csharp",
            $"{name}, cell {cell.Index}: language '{cell.Language}', expected csharp."));
        Assert.Contains("#r ", notebook.CodeCells.First().Source, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_RunsEveryCell(string name)
    {
        var notebook = Notebook.Load(Path.Combine(Notebook.Folder(), name));
        string? keep = Environment.GetEnvironmentVariable("R2DN_NOTEBOOK_OUTPUT");
        string workingDirectory = string.IsNullOrEmpty(keep)
            ? Directory.CreateTempSubdirectory("r2dn-notebook-").FullName
            : Directory.CreateDirectory(Path.Combine(Path.GetFullPath(keep), Path.GetFileNameWithoutExtension(name))).FullName;
        try
        {
            var result = await NotebookRunner.RunAsync(notebook, workingDirectory);
            output.WriteLine(result.Output);
            output.WriteLine($"{name}: {result.CellTimes.Count} code cells in {result.Elapsed.TotalSeconds:F1} s " +
                             $"({string.Join(", ", result.CellTimes.Select(c => $"cell {c.Cell}: {c.Time.TotalSeconds:F1} s"))}).");
            Assert.True(result.Elapsed < TimeLimit, $"{name} took {result.Elapsed.TotalSeconds:F0} s; notebooks should run in under {TimeLimit.TotalSeconds:F0} s.");
        }
        finally
        {
            if (string.IsNullOrEmpty(keep))
                Directory.Delete(workingDirectory, recursive: true);
        }
    }

    [Fact]
    public void ScriptText_BlanksReferenceAndMagicLines()
    {
        string text = NotebookRunner.ScriptText("#r \"a.dll\"\r\n  #!time\nusing System;\nvar x = 1; // #r in a comment stays\n");
        Assert.Equal("\n\nusing System;\nvar x = 1; // #r in a comment stays\n", text);
    }
}
