using Microsoft.ML.Data;
using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Forecasting;
using Microsoft.ML.R2DN.Samples;
using Microsoft.ML.R2DN.Simulation;

namespace Microsoft.ML.R2DN.TorchSharp.Tests;

/// <summary>The backend as an ML.NET user selects it: <c>Backend = R2dnBackend.TorchSharp</c> in the options of
/// <c>mlContext.Forecasting.R2DN</c> / <c>SimulateREN</c>, found by name because this project references the
/// package.</summary>
public class PluginBackendTests
{
    private static R2dnForecastingOptions Forecasting(R2dnBackend backend) => new()
    {
        OutputColumnName = "Forecast", InputColumnName = "Output", Horizon = 4, FeatureColumnNames = ["Drive"],
        SeriesIdColumnName = "Series",
        Robustness = Robustness.Contracting, LearningRate = 3e-3, Epochs = 3, StateSize = 8, NonlinearWidth = 8,
        HiddenSizes = [8], Seed = 3,
        Threads = 1, Backend = backend, TimeBudget = null,
    };

    private static float[][] Forecasts(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<float[]>("Forecast")];

    [Fact]
    public void R2dnForecaster_TrainedOnTorchSharp_MatchesTheManagedRun_AndSavesAsAnyOther()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadNonlinearSystem(length: 400, series: 2);
        var torch = ml.Forecasting.R2DN(Forecasting(R2dnBackend.TorchSharp)).Fit(data);
        var managed = ml.Forecasting.R2DN(Forecasting(R2dnBackend.Managed)).Fit(data);
        Assert.True(torch.Certificate.IsVerified);
        // Same initial parameters, same trainer: the epoch losses agree to float32 rounding of the two libraries.
        Assert.Equal(managed.TrainingLoss.Count, torch.TrainingLoss.Count);
        for (int e = 0; e < managed.TrainingLoss.Count; e++)
            Assert.True(Math.Abs(torch.TrainingLoss[e] - managed.TrainingLoss[e])
                        <= 1e-3 * Math.Abs(managed.TrainingLoss[e]),
                        $"epoch {e}: torchsharp {torch.TrainingLoss[e]} vs managed {managed.TrainingLoss[e]}");

        var expected = Forecasts(torch, data);
        using var stream = new MemoryStream();
        ml.Model.Save(torch, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        Assert.Equal(expected, Forecasts(loaded, data));
        Assert.True(loaded.GetForecaster().Certificate.IsVerified);
    }

    [Fact]
    public void RenSimulator_TrainsOnTorchSharp()
    {
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadNonlinearSystem(length: 300, series: 2);
        var model = ml.Forecasting.SimulateREN(new RenSimulationOptions
        {
            OutputColumnNames = ["Output"], InputColumnNames = ["Drive"], SeriesIdColumnName = "Series", Epochs = 2,
            StateSize = 6, NonlinearWidth = 6,
            Washout = 10, Threads = 1, Backend = R2dnBackend.TorchSharp,
        }).Fit(data);
        Assert.True(model.Certificate.IsVerified);
        Assert.All(model.Transform(data).GetColumn<float>("OutputPredicted"), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void CudaDevice_WithoutCuda_SaysWhichPackageToAdd()
    {
        if (TorchSharpDevice.IsCudaAvailable) return;   // the message is about machines without CUDA
        var ml = new MLContext(seed: 1);
        var options = Forecasting(R2dnBackend.TorchSharp);
        options.Device = "cuda";
        var data = ml.Data.LoadNonlinearSystem(length: 200);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Forecasting.R2DN(options).Fit(data));
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
    }
}
