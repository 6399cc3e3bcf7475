using Microsoft.ML.R2DN.Engine.Models;
using Microsoft.ML.R2DN.Engine.Simulation;
using Microsoft.ML.R2DN.Engine.Tests.Forecasting;

namespace Microsoft.ML.R2DN.Engine.Tests.Simulation;

/// <summary>The simulator with an initial-state encoder: fitted to a model trained from the zero state (kept only when
/// validation favours it), trained with it on subsequences, and where a record starts from its estimate.</summary>
public sealed class SimulatorEncoderTests
{
    private static readonly SubsequenceOptions Encoder = new()
    {
        EncoderWindow = 5, EncoderHiddenSizes = [8], SubsequenceLength = 30, SubsequencesPerStep = 8, Steps = 200,
        ValidateEvery = 50, LearningRate = 5e-3,
    };

    private static SimulatorOptions Options => new()
    {
        Model = new ModelSpec { StateSize = 4, NonlinearWidth = 8, HiddenSizes = [8] },
        Steps = 60, Schedule = SimulationSchedule.Cosine, LearningRate = 5e-3, SegmentLength = 100, Washout = 20,
        Seed = 2, Threads = 1, ValidationFraction = 0.2, EarlyStoppingPatience = int.MaxValue, Encoder = Encoder,
    };

    private static SequenceData[] Data => [SimulatorTests.System(600, 1), SimulatorTests.System(600, 2)];

    [Fact]
    public void Train_TruncatedBpttWithAnEncoder_ScoresBothStartsAndKeepsTheEncoderOnlyWhenItIsBetter()
    {
        var sim = Simulator.Train(Data, Options);
        var (zero, encoded) = Assert.NotNull(sim.EncoderValidation);
        Assert.True(double.IsFinite(zero) && double.IsFinite(encoded));
        Assert.Equal(encoded < zero, sim.Encoder is not null);
        var plain = Simulator.Train(Data, Options with { Encoder = null });
        Assert.Null(plain.EncoderValidation);
        Assert.Equal(plain.Model.Parameters, sim.Model.Parameters);   // fitting the encoder leaves the model as it was
    }

    [Fact]
    public void Simulate_WithAnEncoder_TheWindowFromTheZeroStateTheRestFromTheEstimate()
    {
        var trained = Simulator.Train(Data, Options with { ValidationFraction = 0 });
        var encoder = Assert.IsType<StateEncoder>(trained.Encoder);
        var test = SimulatorTests.System(200, 3);
        var withEncoder = trained.Simulate(test);
        var zeroState = Simulator.FromParts(trained.Model, trained.InputScaling, trained.OutputScaling).Simulate(test);
        Assert.Equal(zeroState[..encoder.Window], withEncoder[..encoder.Window]);
        Assert.NotEqual(zeroState[encoder.Window..], withEncoder[encoder.Window..]);
        var inputsOnly = new SequenceData(test.Inputs, 1, [], 1);
        Assert.Equal(zeroState, trained.Simulate(inputsOnly));   // no outputs to read: the zero state
        Assert.True(trained.Nrmse([test], 20) < 1);
    }

    [Fact]
    public void Train_OnSubsequences_TrainsTheModelAndTheEncoderTogether()
    {
        var sim = Simulator.Train(Data, Options with { Training = SimulationTraining.Subsequences, Steps = 200 });
        Assert.NotNull(sim.Encoder);
        Assert.Equal(200, sim.Training!.TotalSteps);
        Assert.True(sim.Model.Certify().IsVerified);
        Assert.True(sim.Nrmse([SimulatorTests.System(400, 3)], 20) < 1);
    }

    [Fact]
    public void Options_SubsequencesWithoutAnEncoder_Throws() =>
        Assert.Throws<ArgumentException>("Encoder", () => (Options with
        {
            Training = SimulationTraining.Subsequences,
            Encoder = null,
        }).Validate());
}
