using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.Notebooks.Tests;

/// <summary>Executes the repository's Polyglot notebooks (notebooks/*.ipynb) cell by cell, so that they cannot
/// rot.</summary>
/// <remarks>The cells run with Roslyn scripting in one state, as in the Polyglot C# kernel. Each <c>#r</c> line is
/// resolved to the assemblies this project already has (<see cref="NotebookReferences"/>): <c>#r "nuget: Microsoft.ML,
/// 6.0.0"</c> to the restored ML.NET assemblies (the version must match), and the paths to the Release build of
/// Microsoft.ML.R2DN and its engine to this project's copies; <c>#!</c> magic commands are removed; <c>display</c> and
/// <c>HTML</c> come from <see cref="NotebookGlobals"/>. Each notebook runs in its own temporary working folder, deleted
/// afterwards; set the environment variable R2DN_NOTEBOOK_OUTPUT to a folder to keep what the notebooks write (model
/// files, SVG plots) in a subfolder per notebook there.</remarks>
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
        var references = NotebookReferences.Directives(notebook.CodeCells.First().Source);
        Assert.Contains("nuget: Microsoft.ML, 6.0.0", references);
        Assert.Contains(references, r => r.EndsWith("/Microsoft.ML.R2DN.dll", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_ReferencesResolveToTheRestoredAssemblies(string name)
    {
        var notebook = Notebook.Load(Path.Combine(Notebook.Folder(), name));
        var resolved = notebook.CodeCells.SelectMany(c => NotebookReferences.Directives(c.Source))
                               .SelectMany(r => NotebookReferences.Resolve(r, Notebook.Folder())).ToList();
        Assert.Contains(typeof(MLContext).Assembly, resolved);
        Assert.Contains(typeof(IDataView).Assembly, resolved);
        Assert.Contains(typeof(Forecasting.ForecastingTransformer).Assembly, resolved);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_RunsEveryCell(string name)
    {
        var notebook = Notebook.Load(Path.Combine(Notebook.Folder(), name));
        string? keep = Environment.GetEnvironmentVariable("R2DN_NOTEBOOK_OUTPUT");
        string workingDirectory = string.IsNullOrEmpty(keep)
            ? Directory.CreateTempSubdirectory("r2dn-notebook-").FullName
            : Directory.CreateDirectory(Path.Combine(Path.GetFullPath(keep), Path.GetFileNameWithoutExtension(name)))
                       .FullName;
        try
        {
            var result = await NotebookRunner.RunAsync(notebook, workingDirectory);
            output.WriteLine(result.Output);
            output.WriteLine($"References: {string.Join(", ", result.References)}.");
            var cells = result.CellTimes.Select(c => $"cell {c.Cell}: {c.Time.TotalSeconds:F1} s");
            output.WriteLine($"{name}: {result.CellTimes.Count} code cells in {result.Elapsed.TotalSeconds:F1} s " +
                             $"({string.Join(", ", cells)}).");
            Assert.True(result.Elapsed < TimeLimit, $"{name} took {result.Elapsed.TotalSeconds:F0} s; notebooks " +
                                                    $"should run in under {TimeLimit.TotalSeconds:F0} s.");
        }
        finally
        {
            if (string.IsNullOrEmpty(keep))
                Directory.Delete(workingDirectory, recursive: true);
        }
    }

    [Fact]
    public void Resolve_MlNetPackage_IsTheRestoredMicrosoftMl()
    {
        var assemblies = NotebookReferences.Resolve("nuget: Microsoft.ML, 6.0.0", Notebook.Folder());
        Assert.Equal(typeof(MLContext).Assembly, assemblies[0]);
        Assert.Equal("6.0.0", NotebookReferences.PackageVersion(assemblies[0]));
        Assert.Contains(typeof(Microsoft.ML.Transforms.MissingValueReplacingEstimator).Assembly, assemblies);
    }

    [Theory]
    [InlineData("nuget: Microsoft.ML, 5.0.1", "restored Microsoft.ML 6.0.0, not 5.0.1")]
    [InlineData("nuget: Microsoft.ML", "give the version")]
    [InlineData("nuget: Microsoft.ML.TimeSeries, 6.0.0", "no restored package 'Microsoft.ML.TimeSeries'")]
    [InlineData("../src/Other/bin/Release/net10.0/Other.dll", "supplies only")]
    [InlineData("../src/NoSuchProject/bin/Release/net10.0/Microsoft.ML.R2DN.dll", "does not exist")]
    public void Resolve_UnsupportedReference_SaysWhy(string reference, string expected)
    {
        var e = Assert.Throws<NotSupportedException>(() => NotebookReferences.Resolve(reference, Notebook.Folder()));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Directives_ReadsTheQuotedArgumentOfEveryReferenceLine()
    {
        var found = NotebookReferences.Directives(
            "// #r in a comment\n#r \"nuget: Microsoft.ML, 6.0.0\"\r\n  #r \"../a/b.dll\"\nusing System;\n");
        Assert.Equal(["nuget: Microsoft.ML, 6.0.0", "../a/b.dll"], found);
        Assert.Throws<FormatException>(() => NotebookReferences.Directives("#r nothing-quoted"));
    }

    [Fact]
    public void ScriptText_BlanksReferenceAndMagicLines()
    {
        string text =
            NotebookRunner.ScriptText("#r \"a.dll\"\r\n  #!time\nusing System;\nvar x = 1; // #r in a comment stays\n");
        Assert.Equal("\n\nusing System;\nvar x = 1; // #r in a comment stays\n", text);
    }
}
