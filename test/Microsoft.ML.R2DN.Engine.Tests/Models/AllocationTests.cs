using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Engine.Tests.Models;

/// <summary>
/// The time loops allocate nothing per time step: a call over 512 steps allocates exactly as much as one over 64
/// (what a call allocates, it allocates once, for the direct-to-explicit map and the weight gradients).
/// </summary>
public class AllocationTests
{
    public static IEnumerable<object[]> Models() =>
    [
        [(Func<RecurrentModel>)(() => new ContractingR2dn(new R2dnOptions { InputSize = 2, StateSize = 12,
                                                                           NonlinearWidth = 10, OutputSize = 3,
                                                                           HiddenSizes = [16, 16] }, 1))],
        [(Func<RecurrentModel>)(() => new LipschitzR2dn(new R2dnOptions { InputSize = 2, StateSize = 12,
                                                                         NonlinearWidth = 10, OutputSize = 3,
                                                                         HiddenSizes = [16] }, 2.0, 1))],
        [(Func<RecurrentModel>)(() => new ContractingRen(new RenOptions { InputSize = 2, StateSize = 12,
                                                                         NonlinearWidth = 20, OutputSize = 3 }, 1))],
    ];

    [Theory]
    [MemberData(nameof(Models))]
    public void SimulateAndTrainingStep_AllocateNothingPerTimeStep(Func<RecurrentModel> create)
    {
        var model = create();
        model.Threads = 1;   // all work on this thread, so the per-thread counter sees every allocation
        const int B = 3, Short = 64, Long = 512;
        var loss = new SumSquaredErrorMeanOverTime();
        var grad = new double[model.ParameterCount];
        long Measure(int T, bool train)
        {
            var u = new float[T * B * model.InputSize];
            var y = new float[T * B * model.OutputSize];
            var x0 = new float[B * model.StateSize];
            var xT = new float[B * model.StateSize];
            for (int i = 0; i < u.Length; i++) u[i] = MathF.Sin(i);
            // Warm up (buffers sized, code jitted), then count one call.
            for (int i = 0; i < 3; i++)
                if (train)
                    model.LossAndGradient(x0, u, y, T, B, loss, grad, xT);
                else model.Simulate(x0, u, T, B, y, xT);
            long before = GC.GetAllocatedBytesForCurrentThread();
            if (train) model.LossAndGradient(x0, u, y, T, B, loss, grad, xT); else model.Simulate(x0, u, T, B, y, xT);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Measure(Long, train: true);   // size the workspace for the longer sequence first
        long simShort = Measure(Short, false), simLong = Measure(Long, false);
        long trainShort = Measure(Short, true), trainLong = Measure(Long, true);
        Assert.Equal(0, simLong);                  // an unchanged model reuses its compiled form: nothing at all
        Assert.Equal(simShort, simLong);
        Assert.Equal(trainShort, trainLong);       // the same bytes for 8x the time steps
    }
}
