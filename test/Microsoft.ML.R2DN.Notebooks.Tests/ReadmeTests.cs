namespace Microsoft.ML.R2DN.Notebooks.Tests;

/// <summary>The README's pipeline example is examples/ReadmePipeline/Program.cs verbatim, so that the code the README
/// shows is the code that compiles (the example project builds with the solution) and runs.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void PipelineExample_IsTheReadmePipelineProgram()
    {
        string root = Path.GetDirectoryName(Notebook.Folder())!;
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        string program = File.ReadAllText(Path.Combine(root, "examples", "ReadmePipeline", "Program.cs")).ReplaceLineEndings("\n");
        int section = readme.IndexOf("\n## A forecasting pipeline", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## A forecasting pipeline' section.");
        const string Fence = "```csharp\n";
        int start = readme.IndexOf(Fence, section, StringComparison.Ordinal) + Fence.Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        Assert.True(start >= Fence.Length && end > start, "The pipeline section has no ```csharp block.");
        Assert.Equal(program.TrimEnd('\n'), readme[start..end].TrimEnd('\n'));
    }
}
