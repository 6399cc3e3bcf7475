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
        (string Option, string Quote)[] quotes =
        [
            ("ConfidenceLevel", N(F.ConfidenceLevel)),
            ("CalibrationFraction", N(F.CalibrationFraction)),
            ("ContractionRate", N(M.ContractionRate)),
            ("StateSize", $"forecasting {F.Size}, and {F.LargerSize}"),
            ("StateSize", $"simulation {M.SmallSize} below {M.SmallDataRows:N0} training rows, else {M.Size}"),
            ("HiddenSizes", $"forecasting {Sizes(F.HiddenSizes)}"),
            ("HiddenSizes", $"{Sizes(M.SmallHiddenSizes)} below {M.SmallDataRows:N0} rows, " +
                            $"else {Sizes(M.HiddenSizes)}"),
            ("ValidationFraction", $"{N(F.ValidationFraction)}; forecasting {F.EarlyStoppingPatience}"),
            ("ValidationFraction", $"{S.EarlyStoppingPatience} when it is set"),
            ("TimeBudget", $"{F.TimeBudgetMinutes} minutes"),
            ("Epochs", $"forecasting {F.Epochs}"),
            ("Epochs", $"each candidate {S.ScreeningSteps:N0} Adam steps"),
            ("Epochs", $"for {S.RefitSteps:N0} more"),
            ("Epochs", $"up to {S.MaxRefitSteps:N0}"),
            ("LearningRate", $"forecasting {F.LearningRate:0e0} ({F.AlternativeLearningRate:0e0} also tried"),
            ("LearningRate", $"simulation {S.LearningRate:0e0} and {S.HighLearningRate:0e0}"),
            ("SegmentLength", $"forecasting {F.SegmentLength}, simulation {S.SegmentLength}; {N(M.ClipValue)}"),
            ("Washout", $"{S.Washout}; true"),
            ("EncoderWindow", $"{S.EncoderWindow}; {S.SubsequenceLength}; {S.SubsequencesPerStep}"),
            ("Robustness", string.Join(" and ", F.LipschitzGammas.Select(g => $"γ = {N(g)}"))),
            ("Robustness", $"γ = {N(S.LipschitzGamma)}"),
        ];
        foreach (var (option, quote) in quotes) Assert.Contains(quote, Default($"`{option}`"));
    }
}
