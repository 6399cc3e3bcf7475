using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Simulation;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Forecasting;

public class SimulatorTests
{
    // A Wiener–Hammerstein-like system: a saturating input into a damped second-order filter.
    internal static SequenceData System(int length, int seed)
    {
        var rnd = new Random(seed);
        var u = new float[length]; var y = new float[length];
        double a = 0, b = 0, hold = 0;
        for (int t = 0; t < length; t++)
        {
            if (t % 10 == 0) hold = 2 * rnd.NextDouble() - 1;
            double na = 1.5 * a - 0.7 * b + 0.3 * Math.Tanh(2 * hold);
            b = a; a = na;
            u[t] = (float)hold; y[t] = (float)(a + 0.1 * a * a);
        }
        return new SequenceData(u, 1, y, 1, $"seq{seed}");
    }

    [Fact]
    public void Train_IdentifiesANonlinearSystem()
    {
        var opts = new SimulatorOptions
        {
            Model = new ModelSpec { StateSize = 8, NonlinearWidth = 8, HiddenSizes = [16] },
            Epochs = 30, LearningRate = 5e-3, DecayEveryEpochs = 20, SegmentLength = 100, Washout = 20, Seed = 1,
            Threads = 1,
        };
        var sim = Simulator.Train([System(1000, 1), System(1000, 2)], opts);
        double nrmse = sim.Nrmse([System(600, 3)], 20);
        Assert.True(nrmse < 0.35, $"NRMSE {nrmse}");
        Assert.True(sim.Training!.TrainLoss[^1] < sim.Training.TrainLoss[0]);
        Assert.True(sim.Model.Certify().IsVerified);
        Assert.Equal(600, sim.Simulate(System(600, 3)).Length);
    }

    [Fact]
    public void Train_RejectsMissingOutputsAndMismatchedWidths()
    {
        var opts = new SimulatorOptions { Epochs = 1 };
        Assert.Throws<ArgumentException>(() => Simulator.Train([new SequenceData(new float[10], 1, [], 1)], opts));
        Assert.Throws<ArgumentException>(() => Simulator.Train([System(100, 1),
                                                                new SequenceData(new float[20], 2, new float[10], 1)],
                                                                    opts));
    }

    [Fact]
    public void Train_StepsRoundUpToEpochs_CosineEndsNearItsFloor_AndAWarmStartContinues()
    {
        var opts = new SimulatorOptions
        {
            Model = new ModelSpec { StateSize = 4, NonlinearWidth = 4, HiddenSizes = [8] },
            Steps = 25, Schedule = SimulationSchedule.Cosine, LearningRate = 5e-3, SegmentLength = 100, Washout = 20,
            Seed = 1, Threads = 1,
        };
        var rates = new List<double>();
        var rateOf = new SynchronousProgress<EpochReport>(e => rates.Add(e.LearningRate));
        var sim = Simulator.Train([System(1000, 1)], opts, rateOf);   // 10 segments per epoch
        Assert.Equal(3, sim.Training!.EpochsCompleted);
        Assert.Equal(30, sim.Training.TotalSteps);
        Assert.True(rates[0] < 5e-3 && rates[^1] < 5e-4, string.Join(", ", rates));

        var warm =
            Simulator.Train([System(1000, 1)], opts with { Steps = 1, InitialParameters = sim.Model.Parameters });
        Assert.True(warm.Training!.TrainLoss[0] < sim.Training.TrainLoss[0]);
        Assert.Throws<ArgumentException>(() => Simulator.Train([System(1000, 1)],
                                                               opts with { InitialParameters = new double[3] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulator.Train([System(1000, 1)], opts with { Steps = 0 }));
    }
}
