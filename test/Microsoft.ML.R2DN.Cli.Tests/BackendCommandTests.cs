namespace Microsoft.ML.R2DN.Cli.Tests;

/// <summary>The TorchSharp backend from the command line: training with it, and both backends timed side by
/// side.</summary>
public class BackendCommandTests
{
    [Fact]
    public void Train_WithTheTorchSharpBackend_WritesAModelTheManagedEngineScores()
    {
        using var folder = CliRunner.TempFolder();
        var result = CliRunner.Run("train", "--example", "--epochs", "2", "--backend", "torchsharp",
                                   "--robustness", "contracting", "--learning-rate", "0.003", "--quiet",
                                   "--output-dir", folder.Path);
        Assert.True(result.ExitCode == 0, result.ToString());
        var ml = new MLContext();
        var loaded = ml.Model.Load(Path.Combine(folder.Path, "r2dn-example.zip"), out _);
        Assert.True(loaded.GetForecaster().Certificate.IsVerified);
    }

    [Fact]
    public void Bench_BothBackends_PrintsBothSideBySide()
    {
        var result = CliRunner.Run("bench", "--model", "r2dn", "--nu", "2", "--nx", "6", "--nv", "6", "--ny", "2",
                                   "--hidden", "8", "--batch", "2", "--seq", "16", "--steps", "2", "--warmup", "1",
                                   "--threads", "1", "--backend", "both", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.True(root.GetProperty("managed").GetProperty("train_step_seconds_median").GetDouble() > 0);
        Assert.True(root.GetProperty("torchsharp").GetProperty("train_step_seconds_median").GetDouble() > 0);
        Assert.True(root.GetProperty("fma_peak_gflops").GetDouble() > 0);
        Assert.True(root.GetProperty("managed_speedup_train").GetDouble() > 0);
    }

    [Fact]
    public void Train_ManagedBackendOnACudaDevice_IsAUsageError()
    {
        var result = CliRunner.Run("train", "--example", "--device", "cuda");
        CliRunner.AssertOneLineError(result, 2, "--device cuda needs --backend torchsharp");
    }

    [Fact]
    public void Bench_UnknownBackend_IsAUsageError() =>
        CliRunner.AssertOneLineError(CliRunner.Run("bench", "--backend", "gpu"), 2,
                                     "--backend must be managed, torchsharp or both");
}
