using Microsoft.ML.R2DN.Engine.Simulation;
using Microsoft.ML.R2DN.Simulation;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Issue 22: simulators with an initial-state encoder: chosen on validation, used by Transform when the
/// output columns are there, saved and loaded with the model, trained with it on subsequences, certified.</summary>
public sealed partial class SimulationTransformerTests
{
    [Fact]
    public void Fit_EncoderAsked_TransformStartsEachSeriesFromItsEstimate_AsTheEngineDoes()
    {
        var ml = new MLContext(seed: 1);
        var rows = NonlinearSystem(300, experiments: 2);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Forecasting.SimulateR2DN(Small(epochs: 10, initialState: InitialState.Encoder)).Fit(data);
        Assert.Equal(5, model.EncoderWindow);
        Assert.True(model.Certificate.IsVerified);
        var predicted = Predicted(model.Transform(data));
        var inputsOnly = ml.Data.LoadFromEnumerable(rows.Select(r => new InputRow
        {
            Experiment = r.Experiment, U = r.U,
        }).ToList());
        var fromZero = Predicted(model.Transform(inputsOnly));
        Assert.Equal(fromZero[..5], predicted[..5]);       // the window itself is simulated from the zero state
        Assert.NotEqual(fromZero[5..300], predicted[5..300]);
        for (int s = 0; s < 2; s++)
        {
            var run = rows.Skip(300 * s).Take(300).ToList();
            var engine = model.Simulator.Simulate(new SequenceData([.. run.Select(r => r.U)], 1,
                                                                   [.. run.Select(r => r.Y)], 1));
            for (int t = 0; t < 300; t++)
                Assert.Equal(engine[t], predicted[300 * s + t], 1e-4f * Math.Max(1, Math.Abs(engine[t])));
        }
        using var settings = System.Text.Json.JsonDocument.Parse(model.TrainingSettings);
        Assert.True(settings.RootElement.GetProperty("encoder").GetProperty("kept").GetBoolean());
    }

    [Fact]
    public void SaveThenLoad_WithAnEncoder_IdenticalPredictionsThroughMlNetsChainAndTheRecoveredModel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NonlinearSystem(200, experiments: 2));
        var model = ml.Forecasting.SimulateREN(new RenSimulationOptions
        {
            OutputColumnNames = ["Y"], InputColumnNames = ["U"], SeriesIdColumnName = "Experiment", StateSize = 6,
            NonlinearWidth = 6, Epochs = 5, Seed = 2, InitialState = InitialState.Encoder, EncoderWindow = 8,
        }).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        var loaded = new MLContext(seed: 9).Model.Load(new MemoryStream(stream.ToArray()), out var schema);
        Assert.NotNull(schema.GetColumnOrNull("Y"));   // the encoder reads the outputs: their type is recorded
        var expected = Predicted(model.Transform(data));
        Assert.Equal(expected, Predicted(loaded.Transform(data)));
        var recovered = loaded.GetSimulator();
        Assert.Equal(8, recovered.EncoderWindow);
        Assert.Equal(expected, Predicted(recovered.Transform(data)));
        Assert.True(recovered.Certificate.IsVerified);
    }

    [Fact]
    public void Fit_OnSubsequences_TrainsWithTheEncoderAndIsCertified()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NonlinearSystem(300, experiments: 2));
        var options = Small(epochs: 3);
        options.Training = SimulationTraining.Subsequences;
        options.SubsequenceLength = 40;
        options.SubsequencesPerStep = 8;
        var model = ml.Forecasting.SimulateR2DN(options).Fit(data);
        Assert.Equal(5, model.EncoderWindow);
        Assert.True(model.Certificate.IsVerified);
        Assert.True(double.IsFinite(model.Nrmse(data)));
    }

    [Fact]
    public void Options_EncoderSettingsOutOfRange_Throw()
    {
        var ml = new MLContext(seed: 1);
        var o = Small();
        o.EncoderWindow = 0;
        Assert.Throws<ArgumentOutOfRangeException>("EncoderWindow", () => ml.Forecasting.SimulateR2DN(o));
        o = Small();
        o.SubsequencesPerStep = 0;
        Assert.Throws<ArgumentOutOfRangeException>("SubsequencesPerStep", () => ml.Forecasting.SimulateR2DN(o));
        o = Small(initialState: InitialState.ZeroState);
        o.Training = SimulationTraining.Subsequences;
        Assert.Throws<ArgumentException>("InitialState", () => ml.Forecasting.SimulateR2DN(o));
    }
}
