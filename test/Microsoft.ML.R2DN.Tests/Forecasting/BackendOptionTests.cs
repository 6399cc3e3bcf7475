using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>The backend options without the TorchSharp package referenced (this project does not reference
/// it).</summary>
public class BackendOptionTests
{
    private static R2dnForecastingOptions Options() => new()
    {
        OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 3, Epochs = 1,
        Robustness = Engine.Models.Robustness.Contracting,
        LearningRate = 3e-3, StateSize = 4, NonlinearWidth = 4, HiddenSizes = [4], Threads = 1,
    };

    [Fact]
    public void TorchSharpBackend_WithoutItsPackage_SaysWhatToAdd()
    {
        var ml = new MLContext(seed: 1);
        var options = Options();
        options.Backend = R2dnBackend.TorchSharp;
        var data = ml.Data.LoadNonlinearSystem(length: 200);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Forecasting.R2DN(options).Fit(data));
        Assert.Contains("Microsoft.ML.R2DN.TorchSharp", e.Message);
        Assert.Contains("libtorch-cpu-linux-x64", e.Message);
    }

    [Fact]
    public void ManagedBackend_OnAGpu_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var options = Options();
        options.Device = "cuda";
        var data = ml.Data.LoadNonlinearSystem(length: 200);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.R2DN(options).Fit(data));
        Assert.Equal("Device", e.ParamName);
    }

    [Fact]
    public void UndefinedBackend_IsRefusedWhenTheEstimatorIsCreated()
    {
        var ml = new MLContext(seed: 1);
        var options = Options();
        options.Backend = (R2dnBackend)7;
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.R2DN(options));
    }
}
