using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;
using Xunit.Abstractions;

namespace Microsoft.ML.R2DN.TorchSharp.Tests;

/// <summary>
/// The parameter vector means the same thing on both backends: it round-trips bit for bit, a model trained on
/// TorchSharp certifies and scores on the managed engine, a managed model continues training on TorchSharp, and the
/// same training run on both backends reaches the same loss.
/// </summary>
public class RoundTripAndTrainingTests(ITestOutputHelper output)
{
    private static SequenceDataset Data(RecurrentModel m, int timeSteps, int batch, int seed)
    {
        // Targets from a fixed random "teacher" of the same shape, so that the task is learnable.
        var teacher = TestModels.Create(m is Ren ? "contracting-ren" : "contracting-r2dn-tanh", seed + 50);
        var u = TestModels.Random(timeSteps * batch * m.InputSize, seed);
        var y = new float[timeSteps * batch * m.OutputSize];
        teacher.Simulate(new float[batch * m.StateSize], u, timeSteps, batch, y, new float[batch * m.StateSize]);
        return new SequenceDataset(u, y, timeSteps, batch, m.InputSize, m.OutputSize);
    }

    private static TrainerOptions Options(SequenceDataset data, int epochs, int segment) => new()
    {
        Epochs = epochs, SegmentLength = segment, Threads = 1,
        Schedule = ExponentialDecaySchedule.ForF16Protocol(data.Split(segment).Length),
    };

    [Theory]
    [MemberData(nameof(TestModels.All), MemberType = typeof(TestModels))]
    public void Parameters_RoundTripBitForBit_BothWays(string variant)
    {
        var managed = TestModels.Create(variant);
        using var network = new TorchRecurrentNetwork(managed);
        Assert.Equal(managed.Parameters, network.GetParameters());
        var back = network.ToEngineModel();
        Assert.Equal(managed.GetType(), back.GetType());
        Assert.Equal(managed.Parameters, back.Parameters);
        Assert.Equal(managed.Layout.Groups.Select(g => (g.Name, g.Offset)),
                     back.Layout.Groups.Select(g => (g.Name, g.Offset)));

        // Changed on the TorchSharp side, written back into an existing engine model.
        var changed = managed.Parameters.Select((v, i) => v + 1e-3 * Math.Sin(i)).ToArray();
        network.LoadParameters(changed);
        var target = TestModels.Create(variant, seed: 99);
        network.CopyTo(target);
        Assert.Equal(changed, target.Parameters);
        // And from an engine model into the module.
        network.LoadFrom(managed);
        Assert.Equal(managed.Parameters, network.GetParameters());
        var other = TestModels.Create(variant == "contracting-ren" ? "lipschitz-r2dn" : "contracting-ren");
        Assert.Throws<ArgumentException>(() => network.LoadFrom(other));
    }

    [Theory]
    [InlineData("contracting-r2dn-relu")]
    [InlineData("lipschitz-r2dn")]
    [InlineData("lipschitz-ren")]
    public void TrainedOnTorchSharp_CertifiesAndScoresOnTheManagedEngine(string variant)
    {
        var init = TestModels.Create(variant);
        var data = Data(init, 120, 3, 11);
        using var torchModel = new TorchSharpSequenceModel(init);
        var result = new Trainer().Fit(torchModel, data, Options(data, 3, 40));
        Assert.True(result.TrainLoss[^1] < result.TrainLoss[0], $"loss {string.Join(", ", result.TrainLoss)}");

        var engine = torchModel.ToEngineModel();
        Assert.NotEqual(init.Parameters, engine.Parameters);
        var certificate = engine.Certify();
        output.WriteLine($"{variant}: {certificate}");
        Assert.True(certificate.IsVerified);
        var (lossManaged, _) = Trainer.Evaluate(engine, data, 10);
        var (lossTorch, _) = Trainer.Evaluate(torchModel, data, 10);
        Assert.True(Math.Abs(lossManaged - lossTorch) <= 1e-5 * lossManaged, $"{lossManaged} vs {lossTorch}");
    }

    [Fact]
    public void ManagedModel_ContinuesTrainingOnTorchSharp()
    {
        var managed = TestModels.Create("contracting-r2dn-tanh");
        var data = Data(managed, 120, 3, 12);
        var first = new Trainer().Fit(managed, data, Options(data, 2, 40));
        using var torchModel = new TorchSharpSequenceModel(managed);
        var (before, _) = Trainer.Evaluate(managed, data, 0);
        var (beforeTorch, _) = Trainer.Evaluate(torchModel, data, 0);
        Assert.True(Math.Abs(before - beforeTorch) <= 1e-5 * before);
        var second = new Trainer().Fit(torchModel, data, Options(data, 2, 40));
        output.WriteLine($"managed epochs {string.Join(", ", first.TrainLoss)}; " +
                         $"TorchSharp epochs {string.Join(", ", second.TrainLoss)}");
        Assert.True(second.TrainLoss[^1] < first.TrainLoss[^1]);
        Assert.True(torchModel.ToEngineModel().Certify().IsVerified);
    }

    [Theory]
    [InlineData("contracting-r2dn-relu")]
    [InlineData("contracting-ren")]
    public void SameTrainingRun_OnBothBackends_ReachesTheSameLoss(string variant)
    {
        var managed = TestModels.Create(variant);
        managed.Threads = 1;
        var data = Data(managed, 160, 4, 13);
        var options = Options(data, 4, 40);
        using var torchModel = new TorchSharpSequenceModel(managed);
        var rm = new Trainer().Fit(managed, data, options);
        var rt = new Trainer().Fit(torchModel, data, options);
        output.WriteLine($"{variant}: managed {string.Join(", ", rm.TrainLoss.Select(v => v.ToString("G8")))}");
        output.WriteLine($"{variant}: torch   {string.Join(", ", rt.TrainLoss.Select(v => v.ToString("G8")))}");
        Assert.True(rm.TrainLoss[^1] < rm.TrainLoss[0]);
        for (int e = 0; e < rm.TrainLoss.Count; e++)
            Assert.True(Math.Abs(rm.TrainLoss[e] - rt.TrainLoss[e]) <= 1e-3 * rm.TrainLoss[e],
                        $"epoch {e}: {rm.TrainLoss[e]} vs {rt.TrainLoss[e]}");
        double pe = TestModels.RelativeError(torchModel.Parameters, managed.Parameters);
        output.WriteLine($"{variant}: parameters after training, max rel difference {pe:E2}");
    }
}
