using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.TorchSharp.Tests;

public class BenchTests
{
    [Theory]
    [InlineData(ModelKind.R2dn, Robustness.Contracting)]
    [InlineData(ModelKind.Ren, Robustness.Lipschitz)]
    public void TrainStep_ReturnsPositiveMedians(ModelKind kind, Robustness robustness)
    {
        var spec = new ModelSpec
        {
            Kind = kind, Robustness = robustness, StateSize = 6, NonlinearWidth = 5,
            HiddenSizes = [8]
        };
        var r = TorchSharpBench.TrainStep(spec.Create(2, 3, 0), batch: 2, timeSteps: 16, threads: 1, steps: 3,
                                          warmup: 1);
        Assert.Equal(3, r.TrainStepSamples.Length);
        Assert.True(r.TrainStepSeconds > 0 && r.ForwardSeconds > 0);
        Assert.True(r.TrainGflops > 0 && r.MultiplyAddsPerStep > 0);
        Assert.Equal(spec.Create(2, 3, 0).ParameterCount, r.ParameterCount);
    }
}
