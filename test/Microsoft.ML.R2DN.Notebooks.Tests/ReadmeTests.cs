using F = Microsoft.ML.R2DN.Engine.Defaults.Forecasting;
using M = Microsoft.ML.R2DN.Engine.Defaults.Model;
using S = Microsoft.ML.R2DN.Engine.Defaults.Simulation;

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
        string program =
            File.ReadAllText(Path.Combine(root, "examples", "ReadmePipeline", "Program.cs")).ReplaceLineEndings("\n");
        int section = readme.IndexOf("\n## A forecasting pipeline", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '## A forecasting pipeline' section.");
        const string Fence = "```csharp\n";
        int start = readme.IndexOf(Fence, section, StringComparison.Ordinal) + Fence.Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        Assert.True(start >= Fence.Length && end > start, "The pipeline section has no ```csharp block.");
        Assert.Equal(program.TrimEnd('\n'), readme[start..end].TrimEnd('\n'));
    }

    // The README's table of options quotes the engine's table of defaults (Microsoft.ML.R2DN.Engine.Defaults): each
    // row named here must state, in its default column, the values the table holds.
    [Fact]
    public void OptionsTable_QuotesTheDefaultsTable()
    {
        string root = Path.GetDirectoryName(Notebook.Folder())!;
        var rows = File.ReadAllLines(Path.Combine(root, "README.md"))
                       .Where(l => l.StartsWith("| ", StringComparison.Ordinal)).ToList();
        string Default(string option)
        {
            var row = rows.FirstOrDefault(r => r.StartsWith("| " + option, StringComparison.Ordinal))
                      ?? throw new Xunit.Sdk.XunitException($"README.md has no option row '{option}'.");
            return row.Split('|', StringSplitOptions.TrimEntries)[^2];
        }
        static string N(double v) => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        static string Sizes(int[] widths) => "[" + string.Join(", ", widths) + "]";
        Assert.Contains(N(F.ConfidenceLevel), Default("`ConfidenceLevel`"));
        Assert.Contains(N(F.CalibrationFraction), Default("`CalibrationFraction`"));
        Assert.Contains(N(M.ContractionRate), Default("`ContractionRate`"));
        Assert.Contains($"forecasting {F.Size}, and {F.LargerSize}", Default("`StateSize`"));
        Assert.Contains($"simulation {M.SmallSize} below {M.SmallDataRows:N0} training rows, else {M.Size}",
                        Default("`StateSize`"));
        Assert.Contains($"forecasting {Sizes(F.HiddenSizes)}", Default("`HiddenSizes`"));
        Assert.Contains($"{Sizes(M.SmallHiddenSizes)} below {M.SmallDataRows:N0} rows, else {Sizes(M.HiddenSizes)}",
                        Default("`HiddenSizes`"));
        Assert.Contains($"{N(F.ValidationFraction)}; forecasting {F.EarlyStoppingPatience}",
                        Default("`ValidationFraction`"));
        Assert.Contains($"{S.EarlyStoppingPatience} when it is set", Default("`ValidationFraction`"));
        Assert.Contains($"{F.TimeBudgetMinutes} minutes", Default("`TimeBudget`"));
        Assert.Contains($"forecasting {F.Epochs}", Default("`Epochs`"));
        Assert.Contains($"each candidate {S.ScreeningSteps:N0} Adam steps", Default("`Epochs`"));
        Assert.Contains($"for {S.RefitSteps:N0} more", Default("`Epochs`"));
        Assert.Contains($"up to {S.MaxRefitSteps:N0}", Default("`Epochs`"));
        Assert.Contains($"forecasting {F.LearningRate:0e0} ({F.AlternativeLearningRate:0e0} also tried",
                        Default("`LearningRate`"));
        Assert.Contains($"simulation {S.LearningRate:0e0} and {S.HighLearningRate:0e0}", Default("`LearningRate`"));
        Assert.Contains($"forecasting {F.SegmentLength}, simulation {S.SegmentLength}; {N(M.ClipValue)}",
                        Default("`SegmentLength`"));
        Assert.Contains($"{S.Washout}; true", Default("`Washout`"));
        Assert.Contains(string.Join(" and ", F.LipschitzGammas.Select(g => $"γ = {N(g)}")), Default("`Robustness`"));
        Assert.Contains($"γ = {N(S.LipschitzGamma)}", Default("`Robustness`"));
    }
}
