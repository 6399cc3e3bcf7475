using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.TorchSharp.Tests;

/// <summary>A fact that runs only when libtorch reports a CUDA device, and is reported as skipped otherwise.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when there is no CUDA device.</summary>
    public CudaFactAttribute()
    {
        if (!TorchSharpDevice.IsCudaAvailable)
            Skip = "No CUDA device: libtorch (the CPU package libtorch-cpu-linux-x64) reports " +
                   "torch.cuda.is_available() = false.";
    }
}

/// <summary>A fact that runs only when there is no CUDA device (it checks the error a user then gets).</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when there is a CUDA device.</summary>
    public NoCudaFactAttribute()
    {
        if (TorchSharpDevice.IsCudaAvailable) Skip = "A CUDA device is present.";
    }
}

public class CudaTests
{
    [NoCudaFact]
    public void Cuda_WithoutADevice_ThrowsNamingThePackageToAdd()
    {
        var model = TestModels.Create("contracting-r2dn-relu");
        foreach (var device in new[] { "cuda", "CUDA:0" })
        {
            var ex = Assert.Throws<InvalidOperationException>(() => new TorchSharpSequenceModel(model, device));
            Assert.Contains("TorchSharp-cuda-linux", ex.Message);
            Assert.Contains("TorchSharp-cuda-windows", ex.Message);
        }
        Assert.Throws<ArgumentException>(() => TorchSharpDevice.Resolve("tpu"));
    }

    [CudaFact]
    public void Cuda_ForwardAndGradient_EqualTheManagedEngine()
    {
        const int T = 24, B = 3;
        foreach (var variant in TestModels.Variants)
        {
            var managed = TestModels.Create(variant);
            var x0 = TestModels.Random(B * managed.StateSize, 3, 0.5);
            var u = TestModels.Random(T * B * managed.InputSize, 4);
            var target = TestModels.Random(T * B * managed.OutputSize, 5);
            var loss = new SumSquaredErrorMeanOverTime();
            var gM = new double[managed.ParameterCount];
            var yM = new float[T * B * managed.OutputSize];
            managed.Simulate(x0, u, T, B, yM, new float[B * managed.StateSize]);
            managed.LossAndGradient(x0, u, target, T, B, loss, gM, new float[B * managed.StateSize]);
            using var model = new TorchSharpSequenceModel(managed, "cuda");
            var yC = new float[yM.Length];
            var gC = new double[gM.Length];
            model.Simulate(x0, u, T, B, yC, new float[B * managed.StateSize]);
            model.LossAndGradient(x0, u, target, T, B, loss, gC, new float[B * managed.StateSize]);
            // TF32 is off by default for float32 matmuls in libtorch, so CUDA keeps float32 accuracy.
            Assert.True(TestModels.RelativeError(yC, yM) <= 1e-5, $"{variant}: y");
            Assert.True(TestModels.RelativeError(gC, gM) <= 1e-4, $"{variant}: gradient");
        }
    }
}
