using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Simulation;
using Microsoft.ML.R2DN.Engine.Tests.Forecasting;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Simulation;

/// <summary>Subsequence training with an initial-state encoder: the batch it steps on is the per-subsequence
/// simulation, training lowers the validation error, runs repeat bit for bit, and bad settings are refused.</summary>
public sealed class SubsequenceTrainerTests
{
    private static SubsequenceOptions Small => new()
    {
        EncoderWindow = 5, EncoderHiddenSizes = [8], SubsequenceLength = 30, SubsequencesPerStep = 8, Steps = 300,
        LearningRate = 5e-3, ValidationFraction = 0.2, ValidateEvery = 50, Seed = 3, Threads = 1,
    };

    private static RecurrentModel Model(int seed = 1) =>
        new ModelSpec { StateSize = 4, NonlinearWidth = 8, HiddenSizes = [8] }.Create(1, 1, seed);

    [Fact]
    public void Sampler_EachBatchRow_IsThatSubsequenceSimulatedFromItsEncodedState()
    {
        var data = new[] { SimulatorTests.System(200, 1), SimulatorTests.System(150, 2) };
        var model = Model();
        model.Threads = 1;
        var encoder = StateEncoder.Create(5, 1, 1, model.StateSize, [8], seed: 2);
        var sampler = new SubsequenceSampler(data, [200, 150], 5, Small, seed: 4).Next();
        const int K = 8, T = 30;
        var x0 = new float[K * model.StateSize];
        encoder.Encode(sampler.Windows, K, x0);
        var batch = new float[T * K];
        model.Simulate(x0, sampler.Inputs, T, K, batch, new float[x0.Length]);
        for (int k = 0; k < K; k++)
        {
            var (sequence, start) = Locate(data, sampler, k, T);
            var alone = new float[T];
            EncodedSimulation.Simulate(model, encoder, sequence, start, start + T, alone);
            for (int t = 0; t < T; t++) Assert.Equal(alone[t], batch[t * K + k], 1e-5f);
        }
    }

    // The subsequence a batch row holds: found by its targets, which are the measured outputs of that stretch.
    private static (SequenceData Sequence, int Start) Locate(SequenceData[] data, SubsequenceSampler sampler, int k,
                                                             int T)
    {
        foreach (var s in data)
            for (int start = 5; start + T <= s.Length; start++)
                if (Enumerable.Range(0, T).All(t => s.Outputs[start + t] == sampler.Targets[t * 8 + k]))
                    return (s, start);
        throw new InvalidOperationException("The batch row is no subsequence of the data.");
    }

    [Fact]
    public void Fit_LowersTheValidationError_KeepsTheBestWeights_AndRepeats()
    {
        var data = new[] { SimulatorTests.System(600, 1), SimulatorTests.System(600, 2) };
        TrainingResult Train(out double[] parameters, out double[] encoder)
        {
            var model = Model();
            var e = StateEncoder.Create(5, 1, 1, model.StateSize, [8], seed: 3);
            var result = SubsequenceTrainer.Fit(model, e, data, Small);
            (parameters, encoder) = (model.Parameters, e.Parameters);
            return result;
        }
        var first = Train(out var p1, out var e1);
        Train(out var p2, out var e2);
        Assert.Equal(p1, p2);
        Assert.Equal(e1, e2);
        Assert.Equal(6, first.EpochsCompleted);
        Assert.Equal(300, first.TotalSteps);
        Assert.True(first.ValidationNrmse[first.BestEpoch] < first.ValidationNrmse[0] || first.BestEpoch == 0);
        Assert.True(first.BestLoss < 0.5, $"best validation NRMSE {first.BestLoss}");
        Assert.True(first.RestoredBestWeights);
    }

    [Fact]
    public void Fit_BadSettingsAndData_Throw()
    {
        var model = Model();
        var encoder = StateEncoder.Create(5, 1, 1, model.StateSize, [8], seed: 3);
        var data = new[] { SimulatorTests.System(100, 1) };
        Assert.Throws<ArgumentOutOfRangeException>("SubsequenceLength",
            () => SubsequenceTrainer.Fit(model, encoder, data, Small with { SubsequenceLength = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("EncoderHiddenSizes",
            () => SubsequenceTrainer.Fit(model, encoder, data, Small with { EncoderHiddenSizes = [0] }));
        var e = Assert.Throws<ArgumentException>(
            () => SubsequenceTrainer.Fit(model, encoder, data, Small with { SubsequenceLength = 90 }));
        Assert.Contains("95 training rows", e.Message);
        var wide = StateEncoder.Create(5, 2, 1, model.StateSize, [8], seed: 3);
        Assert.Throws<ArgumentException>("encoder", () => SubsequenceTrainer.Fit(model, wide, data, Small));
    }

    [Fact]
    public void Fit_Cancelled_Throws()
    {
        var model = Model();
        var encoder = StateEncoder.Create(5, 1, 1, model.StateSize, [8], seed: 3);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(
            () => SubsequenceTrainer.Fit(model, encoder, [SimulatorTests.System(300, 1)], Small, null, cancel.Token));
    }
}
