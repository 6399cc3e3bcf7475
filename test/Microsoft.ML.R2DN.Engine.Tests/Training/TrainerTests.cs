using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Training;

public class TrainerTests
{
    // True system: a stable 2-state, 1-input, 1-output linear system.
    private static readonly double[] TrueA = [0.9, 0.2, -0.2, 0.8];
    private static readonly double[] TrueB = [1.0, 0.5];
    private static readonly double[] TrueC = [1.0, -0.5];
    private static readonly double[] TrueD = [0.1];

    private static SequenceDataset MakeSystemData(int timeSteps, int batch, int seed)
    {
        var plant = new LinearStateSpaceTestModel(2, 1, 1);
        plant.SetMatrices(TrueA, TrueB, TrueC, TrueD);
        var rng = new Random(seed);
        var u = new float[timeSteps * batch];
        for (int k = 0; k < u.Length; k++) u[k] = (float)(rng.NextDouble() * 2 - 1);
        var y = new float[timeSteps * batch];
        plant.Simulate(new float[batch * 2], u, timeSteps, batch, y, new float[batch * 2]);
        return new SequenceDataset(u, y, timeSteps, batch, 1, 1);
    }

    private static LinearStateSpaceTestModel MakeInitialModel()
    {
        var m = new LinearStateSpaceTestModel(2, 1, 1);
        m.SetMatrices([0.5, 0.0, 0.0, 0.5], [0.3, -0.1], [0.2, 0.1], [0.0]);
        return m;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TestModelGradientMatchesFiniteDifferences(bool sumSquaredError)
    {
        var model = new LinearStateSpaceTestModel(2, 2, 2);
        var rng = new Random(3);
        for (int i = 0; i < model.ParameterCount; i++) model.Parameters[i] = (rng.NextDouble() - 0.5) * 0.8;
        const int t = 15, b = 2;
        float[] x0 = [0.5f, -0.3f, 0.1f, 0.2f];
        var u = Enumerable.Range(0, t * b * 2).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, t * b * 2).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        ISequenceLoss loss = sumSquaredError ? new SumSquaredErrorMeanOverTime() : new MeanSquaredError();

        var grad = new double[model.ParameterCount];
        var final = new float[b * 2];
        model.LossAndGradient(x0, u, y, t, b, loss, grad, final);

        // The final state agrees with Simulate.
        var outputs = new float[t * b * 2];
        var final2 = new float[b * 2];
        model.Simulate(x0, u, t, b, outputs, final2);
        Assert.Equal(final2, final);

        var scratch = new double[model.ParameterCount];
        double maxAbs = grad.Max(Math.Abs);
        const double h = 1e-3;
        for (int i = 0; i < model.ParameterCount; i++)
        {
            double p = model.Parameters[i];
            model.Parameters[i] = p + h;
            double lp = model.LossAndGradient(x0, u, y, t, b, loss, scratch, final);
            model.Parameters[i] = p - h;
            double lm = model.LossAndGradient(x0, u, y, t, b, loss, scratch, final);
            model.Parameters[i] = p;
            double fd = (lp - lm) / (2 * h);
            Assert.True(Math.Abs(fd - grad[i]) <= 1e-3 * maxAbs + 1e-6,
                $"parameter {i}: analytic {grad[i]}, finite difference {fd}");
        }
    }

    [Fact]
    public void TrainingReducesLossOnToySystemIdentification()
    {
        var train = MakeSystemData(600, 2, seed: 1);
        var validation = MakeSystemData(300, 1, seed: 2);
        var model = MakeInitialModel();
        var options = new TrainerOptions
        {
            Epochs = 40,
            SegmentLength = 50,
            Schedule = new ConstantSchedule(1e-2),
            ValidationData = validation,
            ValidationWashout = 20,
            ValidateEvery = 5,
        };
        var reports = new List<EpochReport>();
        var trainer = new Trainer();
        var progress = new SynchronousProgress<EpochReport>(r => reports.Add(r));

        var initialNrmse = Trainer.Evaluate(model, validation, 20).Nrmse;
        var result = trainer.Fit(model, train, options, progress);

        Assert.Equal(40, result.EpochsCompleted);
        Assert.Equal(40 * 12, result.TotalSteps);
        Assert.Equal(40, reports.Count);
        // Every report says how far the fit is: the epochs planned, the time so far and the estimate of what is left.
        Assert.All(reports, r => Assert.Equal(40, r.Epochs));
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Elapsed <= p.Second.Elapsed));
        Assert.True(reports[0].Remaining > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, reports[^1].Remaining);
        Assert.True(result.TrainLoss[^1] < 0.1 * result.TrainLoss[0],
            $"loss went from {result.TrainLoss[0]} to {result.TrainLoss[^1]}");
        // Validation only every 5 epochs (and at the last).
        Assert.True(double.IsNaN(result.ValidationLoss[0]));
        Assert.False(double.IsNaN(result.ValidationLoss[4]));
        Assert.False(double.IsNaN(result.ValidationNrmse[^1]));
        double finalNrmse = Trainer.Evaluate(model, validation, 20).Nrmse;
        Assert.True(finalNrmse < 0.5 * initialNrmse, $"NRMSE went from {initialNrmse} to {finalNrmse}");
        Assert.True(result.RestoredBestWeights);
        Assert.Equal(result.ValidationNrmse[result.BestEpoch], finalNrmse, 1e-12);
        Assert.All(result.SecondsPerEpoch, s => Assert.True(s >= 0));
    }

    [Fact]
    public void TwoRunsGiveBitIdenticalLossCurves()
    {
        var train = MakeSystemData(300, 2, seed: 4);
        foreach (var options in new[]
                 {
                     new TrainerOptions
                     {
                         Epochs = 6, SegmentLength = 40, Schedule = new ConstantSchedule(5e-3), Threads = 1,
                     },
                     new TrainerOptions
                     {
                         Epochs = 6, SegmentLength = 40, Schedule = new ConstantSchedule(5e-3), ShuffleSegments = true,
                         CarryState = false, Seed = 17, ClipMode = ClipMode.GlobalNorm, ClipValue = 1,
                         Plateau = new ReduceOnPlateau(0.5, 1), Loss = new MeanSquaredError(),
                     },
                 })
        {
            var m1 = MakeInitialModel();
            var m2 = MakeInitialModel();
            var r1 = new Trainer().Fit(m1, train, options);
            var r2 = new Trainer().Fit(m2, train, options);
            Assert.Equal(r1.TrainLoss.ToArray(), r2.TrainLoss.ToArray());
            Assert.Equal(m1.Parameters, m2.Parameters);
        }
    }

    [Fact]
    public void ShuffledAndOrderedRunsDiffer()
    {
        var train = MakeSystemData(300, 1, seed: 4);
        var baseOptions = new TrainerOptions { Epochs = 2, SegmentLength = 40, CarryState = false };
        var ordered = MakeInitialModel();
        var shuffled = MakeInitialModel();
        new Trainer().Fit(ordered, train, baseOptions);
        new Trainer().Fit(shuffled, train, baseOptions with { ShuffleSegments = true, Seed = 3 });
        Assert.NotEqual(ordered.Parameters, shuffled.Parameters);
    }

    [Fact]
    public void CarryStatePassesFinalStateToNextSegment()
    {
        // With a zero learning rate the parameters do not move, so the summed segment losses with a carried state
        // must equal the loss of one simulation over the whole sequence.
        var train = MakeSystemData(200, 1, seed: 9);
        var model = MakeInitialModel();
        var options = new TrainerOptions
        {
            Epochs = 1, SegmentLength = 50, Schedule = new ConstantSchedule(0), Loss = new MeanSquaredError(),
        };
        var result = new Trainer().Fit(model, train, options);
        var whole = Trainer.Evaluate(model, train, 0, new MeanSquaredError()).Loss;
        Assert.Equal(whole, result.TrainLoss[0], 1e-6); // equal-length segments: the mean of MSEs is the MSE

        var reset = new Trainer().Fit(model, train, options with { CarryState = false });
        Assert.NotEqual(result.TrainLoss[0], reset.TrainLoss[0]);
    }

    [Fact]
    public void CancellationThrowsAndLeavesLastCompletedEpoch()
    {
        var train = MakeSystemData(200, 1, seed: 5);
        var model = MakeInitialModel();
        var initial = (double[])model.Parameters.Clone();
        var snapshots = new List<double[]>();
        using var cts = new CancellationTokenSource();
        var trainer = new Trainer();
        var progress = new SynchronousProgress<EpochReport>(r =>
        {
            snapshots.Add((double[])model.Parameters.Clone());
            if (r.Epoch == 1) cts.Cancel();
        });
        var options = new TrainerOptions { Epochs = 10, SegmentLength = 20, Schedule = new ConstantSchedule(1e-2) };
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(model, train, options, progress, cts.Token));
        Assert.Equal(2, snapshots.Count);
        Assert.Equal(snapshots[1], model.Parameters);

        // An already-cancelled token: nothing changes.
        var fresh = MakeInitialModel();
        Assert.ThrowsAny<OperationCanceledException>(
            () => new Trainer().Fit(fresh, train, options, cancellationToken: cts.Token));
        Assert.Equal(initial, fresh.Parameters);
    }

    [Fact]
    public void CancellationWithValidationRestoresBestWeights()
    {
        var train = MakeGainData(2f);
        var validation = MakeGainData(1f);
        var model = MakeGainModel();
        var snapshots = new List<double[]>();
        using var cts = new CancellationTokenSource();
        var trainer = new Trainer();
        var progress = new SynchronousProgress<EpochReport>(r =>
        {
            snapshots.Add((double[])model.Parameters.Clone());
            if (r.Epoch == 4) cts.Cancel();
        });
        var options = GainOptions(validation);
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(model, train, options, progress, cts.Token));
        Assert.Equal(snapshots[1], model.Parameters); // D ≈ 1 after epoch 1 is the validation optimum
    }

    // A model whose only moving parameter is the feed-through D (A = B = C = 0 keep the state at zero, so their
    // gradients vanish): training on y = 2u moves D from 0 to 2, while the validation data y = u is best fitted at
    // D = 1.
    private static SequenceDataset MakeGainData(float gain)
    {
        var u = Enumerable.Range(0, 100).Select(i => (float)Math.Sin(0.3 * i)).ToArray();
        return new SequenceDataset(u, u.Select(x => gain * x).ToArray(), 100, 1, 1, 1);
    }

    private static LinearStateSpaceTestModel MakeGainModel() => new(1, 1, 1);

    private static TrainerOptions GainOptions(SequenceDataset validation) => new()
    {
        Epochs = 20, SegmentLength = 10, Schedule = new ConstantSchedule(0.05), Loss = new MeanSquaredError(),
        ValidationData = validation, ValidationWashout = 0,
    };

    [Fact]
    public void EarlyStoppingRestoresBestWeights()
    {
        var model = MakeGainModel();
        var snapshots = new List<double[]>();
        var trainer = new Trainer();
        var progress = new SynchronousProgress<EpochReport>(_ => snapshots.Add((double[])model.Parameters.Clone()));
        var options = GainOptions(MakeGainData(1f)) with { EarlyStoppingPatience = 2 };

        var result = trainer.Fit(model, MakeGainData(2f), options, progress);

        Assert.True(result.StoppedEarly);
        Assert.True(result.EpochsCompleted < 20);
        int argmin = Enumerable.Range(0, result.EpochsCompleted).MinBy(i => result.ValidationLoss[i]);
        Assert.Equal(argmin, result.BestEpoch);
        Assert.Equal(result.EpochsCompleted - 1, result.BestEpoch + 2); // stopped two evaluations after the best
        Assert.True(result.BestEpoch >= 1, $"best epoch {result.BestEpoch}");
        Assert.True(result.RestoredBestWeights);
        Assert.Equal(snapshots[result.BestEpoch], model.Parameters);
        Assert.NotEqual(snapshots[^1], model.Parameters);
        Assert.InRange(model.Parameters[3], 0.7, 1.3); // D near the validation optimum 1

        // Without restoring, the model keeps the last parameters.
        var keep = MakeGainModel();
        new Trainer().Fit(keep, MakeGainData(2f), options with { RestoreBestWeights = false });
        Assert.Equal(snapshots[^1], keep.Parameters);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DivergenceThrowsAndRestoresBestParameters(bool nanGradientOnly)
    {
        var train = MakeSystemData(200, 1, seed: 6);
        var inner = MakeInitialModel();
        // 10 segments per epoch: call 25 is epoch 2, step 4.
        var model = new FaultyModel(inner, failAtCall: 25, nanGradientOnly);
        var snapshots = new List<double[]>();
        var reports = new List<EpochReport>();
        var trainer = new Trainer();
        var progress = new SynchronousProgress<EpochReport>(r =>
        {
            snapshots.Add((double[])model.Parameters.Clone());
            reports.Add(r);
        });
        var options = new TrainerOptions { Epochs = 5, SegmentLength = 20, Schedule = new ConstantSchedule(1e-2) };

        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(model, train, options, progress));
        Assert.IsAssignableFrom<InvalidOperationException>(e);
        Assert.Equal(2, e.Epoch);
        Assert.Equal(4, e.SegmentStep);
        Assert.Equal(24, e.GlobalStep);
        Assert.Contains("epoch 2", e.Message);
        Assert.Contains("step 4", e.Message);
        int best = reports.MinBy(r => r.TrainLoss)!.Epoch;
        Assert.Equal(snapshots[best], model.Parameters);
    }

    [Fact]
    public void DivergenceInFirstEpochRestoresInitialParameters()
    {
        var train = MakeSystemData(100, 1, seed: 6);
        var inner = MakeInitialModel();
        var initial = (double[])inner.Parameters.Clone();
        var model = new FaultyModel(inner, failAtCall: 3);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer().Fit(model, train, new TrainerOptions { Epochs = 2, SegmentLength = 20 }));
        Assert.Equal(0, e.Epoch);
        Assert.True(double.IsNaN(e.Loss));
        Assert.Equal(initial, inner.Parameters);
    }

    [Fact]
    public void PlateauScaleMultipliesTheScheduledRate()
    {
        var train = MakeSystemData(100, 1, seed: 8);
        var model = MakeInitialModel();
        var reports = new List<EpochReport>();
        var trainer = new Trainer();
        var progress = new SynchronousProgress<EpochReport>(r => reports.Add(r));
        // Zero rate: the loss never improves after the first epoch, so patience 1 halves the scale every epoch.
        var options = new TrainerOptions
        {
            Epochs = 4, SegmentLength = 20, Schedule = new ExponentialDecaySchedule(1e-3, 5, 0.5, staircase: true),
            Plateau = new ReduceOnPlateau(0.5, 1),
        };
        var frozen = new TrainerOptions
        {
            Epochs = 4, SegmentLength = 20, Schedule = new ConstantSchedule(0), Plateau = new ReduceOnPlateau(0.5, 1),
        };
        var frozenReports = new List<EpochReport>();
        var t2 = new Trainer();
        var progress2 = new SynchronousProgress<EpochReport>(r => frozenReports.Add(r));
        t2.Fit(MakeInitialModel(), train, frozen, progress2);
        Assert.Equal([1.0, 0.5, 0.25, 0.125], frozenReports.Select(r => r.PlateauScale).ToArray());

        trainer.Fit(model, train, options, progress);
        // 5 steps per epoch: epoch e's last step is 5e + 4, scheduled rate 1e-3·0.5^e, times the scale of the previous
        // epoch.
        double scale = 1;
        for (int e = 0; e < 4; e++)
        {
            Assert.Equal(1e-3 * Math.Pow(0.5, e) * scale, reports[e].LearningRate, 1e-18);
            scale = reports[e].PlateauScale;
        }
    }

    [Fact]
    public void OptionsAndShapesAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>("Epochs", () => new TrainerOptions { Epochs = 0 });
        Assert.Throws<ArgumentOutOfRangeException>("SegmentLength", () => new TrainerOptions { SegmentLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>("ClipValue", () => new TrainerOptions { ClipValue = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>("EarlyStoppingPatience",
                                                   () => new TrainerOptions { EarlyStoppingPatience = 0 });
        Assert.Throws<ArgumentOutOfRangeException>("Threads", () => new TrainerOptions { Threads = 0 });
        Assert.Throws<ArgumentNullException>("Loss", () => new TrainerOptions { Loss = null! });

        var train = MakeSystemData(50, 1, seed: 1);
        var trainer = new Trainer();
        Assert.Throws<ArgumentException>("ShuffleSegments",
            () => trainer.Fit(MakeInitialModel(), train, new TrainerOptions { ShuffleSegments = true }));
        Assert.Throws<ArgumentException>("ValidationWashout",
            () => trainer.Fit(MakeInitialModel(), train,
                              new TrainerOptions { ValidationData = train, ValidationWashout = 50 }));
        var wide = new SequenceDataset(new float[100], new float[50], 50, 1, 2, 1);
        Assert.Throws<ArgumentException>("train", () => trainer.Fit(MakeInitialModel(), wide, new TrainerOptions()));

        var model = MakeInitialModel();
        new Trainer().Fit(model, train, new TrainerOptions { Epochs = 1, Threads = 3 });
        Assert.Equal(3, model.Threads);
    }
}
