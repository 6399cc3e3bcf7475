using Microsoft.ML.R2DN.Data;
using Microsoft.ML.R2DN.Simulation;
using Microsoft.ML.R2DN.Tests.Data;
using Xunit.Abstractions;
using static Microsoft.ML.R2DN.Tests.Forecasting.ForecastingTestData;

namespace Microsoft.ML.R2DN.Tests.Forecasting;

/// <summary>Simulation (system identification) through the pipeline: fit, transform, several series, save and
/// load.</summary>
public sealed partial class SimulationTransformerTests(ITestOutputHelper output)
{
    private static R2dnSimulationOptions Small(int epochs = 40, InitialState? initialState = null) => new()
    {
        OutputColumnNames = ["Y"], InputColumnNames = ["U"], SeriesIdColumnName = "Experiment",
        StateSize = 8, NonlinearWidth = 8, HiddenSizes = [16], Epochs = epochs, LearningRate = 1e-2,
        DecayEveryEpochs = 0, SegmentLength = 100, Washout = 20, Seed = 3, InitialState = initialState,
    };

    private static float[] Predicted(IDataView view, string column = "YPredicted") =>
        DataViewReader.ReadSingleColumn(view, column);

    [Fact]
    public void Fit_NonlinearSystem_PredictsTheOutputFromTheInputsAlone()
    {
        var ml = new MLContext(seed: 1);
        var rows = NonlinearSystem(400, experiments: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Forecasting.SimulateR2DN(Small()).Fit(data);
        double nrmse = model.Nrmse(data);
        output.WriteLine($"NRMSE {nrmse:0.000}; certificate {model.Certificate}");
        Assert.InRange(nrmse, 0, 0.35);
        Assert.True(model.Certificate.IsVerified);
        Assert.Equal(40, model.TrainingLoss.Count);
        Assert.True(model.TrainingLoss[^1] < model.TrainingLoss[0]);

        // The transform needs only the inputs: scoring data without the measured output works, from the zero state.
        var inputsOnly =
            ml.Data.LoadFromEnumerable(rows.Select(r => new InputRow { Experiment = r.Experiment, U = r.U }).ToList());
        var predicted = Predicted(model.Transform(inputsOnly));
        Assert.Equal(rows.Count, predicted.Length);
        var zeroState = ml.Forecasting.SimulateR2DN(Small(initialState: InitialState.ZeroState)).Fit(data);
        Assert.Equal(0, zeroState.EncoderWindow);
        Assert.Equal(Predicted(zeroState.Transform(data)),
                     Predicted(zeroState.Transform(inputsOnly)));
        if (model.EncoderWindow == 0) Assert.Equal(Predicted(model.Transform(data)), predicted);
    }

    [Fact]
    public void Fit_EpochsUnset_ChoosesOnTheValidationTailThenRefitsOnAllTheData_WithinTheBudget()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NonlinearSystem(400, experiments: 2));
        var options = Small();
        options.Epochs = null;                               // sized in steps, cosine schedule, refit
        options.LearningRate = null;
        // The budget bounds the 4 × 6,000 + 40,000 (or more) steps.
        options.TimeBudget = TimeSpan.FromSeconds(5);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = ml.Forecasting.SimulateR2DN(options).Fit(data);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 30);
        using var settings = System.Text.Json.JsonDocument.Parse(model.TrainingSettings);
        var root = settings.RootElement;
        Assert.Equal("cosine", root.GetProperty("schedule").GetString());
        Assert.Equal(4, root.GetProperty("search").GetArrayLength());   // lr 1e-3 / 3e-3, contracting / 10-Lipschitz
        Assert.True(root.GetProperty("refit").GetProperty("steps").GetInt64() > 0);
        // sized by the time left
        Assert.InRange(root.GetProperty("refit").GetProperty("plannedSteps").GetInt64(), 40_000, 150_000);
        Assert.True(model.Certificate.IsVerified);
        Assert.True(double.IsFinite(model.Nrmse(data)));
    }

    private sealed class InputRow
    {
        public string Experiment { get; set; } = "";
        public float U { get; set; }
    }

    [Fact]
    public void Transform_SeveralSeries_EachSimulatedFromAZeroState()
    {
        var ml = new MLContext(seed: 1);
        var rows = NonlinearSystem(150, experiments: 2);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Forecasting.SimulateREN(new RenSimulationOptions
        {
            OutputColumnNames = ["Y"], InputColumnNames = ["U"], SeriesIdColumnName = "Experiment",
            PredictedColumnNames = ["YHat"],
            StateSize = 6, NonlinearWidth = 6, Epochs = 5, Seed = 2,
        }).Fit(data);
        Assert.Equal(Engine.Models.ModelKind.Ren, model.ModelKind);
        var all = Predicted(model.Transform(data), "YHat");
        var second = rows.Where(r => r.Experiment == "run1").ToList();
        Assert.Equal(all[150..], Predicted(model.Transform(ml.Data.LoadFromEnumerable(second)), "YHat"));
    }

    [Fact]
    public void SaveThenLoad_Always_IdenticalPredictionsAndVerifiedCertificate()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NonlinearSystem(200, experiments: 2));
        var model = ml.Forecasting.SimulateR2DN(Small(epochs: 5)).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        var other = new MLContext(seed: 5);
        var loaded = other.Model.Load(new MemoryStream(stream.ToArray()), out _);
        Assert.IsType<TransformerChain<ITransformer>>(loaded);
        // The ML.NET chain scores by itself.
        Assert.Equal(Predicted(model.Transform(data)), Predicted(loaded.Transform(data)));
        Assert.Equal(NumberDataViewType.Single, loaded.GetOutputSchema(data.Schema)["YPredicted"].Type);

        var recovered = loaded.GetSimulator();
        Assert.True(recovered.Certificate.IsVerified);
        Assert.Equal(model.Certificate.Statement, recovered.Certificate.Statement);
        Assert.Equal(model.PredictedColumnNames, recovered.PredictedColumnNames);
        Assert.Equal(model.SeriesIdColumnName, recovered.SeriesIdColumnName);
        Assert.Equal(model.Washout, recovered.Washout);
        Assert.Equal(model.TrainingLoss, recovered.TrainingLoss);
        Assert.Equal(Predicted(model.Transform(data)), Predicted(recovered.Transform(data)));
        Assert.Equal(model.Nrmse(data), recovered.Nrmse(data));
        Assert.Throws<ArgumentException>("model", () => loaded.GetForecaster());
        Assert.Throws<ArgumentException>("model", () => loaded.CreateTimeSeriesEngine<SystemRow, SystemRow>(ml));

        using var dir = new TempDirectory();
        var written = R2dnModelFile.ExportNpy(loaded, dir.Path);
        Assert.EndsWith("manifest.json", written[0], StringComparison.Ordinal);
        Assert.Contains(written, p => p.EndsWith(Path.Combine("model", "X.npy"), StringComparison.Ordinal));
    }

    [Fact]
    public void SaveThenLoad_TwoOutputs_EachPredictedColumnRestored()
    {
        var ml = new MLContext(seed: 1);
        var rows = NonlinearSystem(120);
        var data =
            ml.Data.LoadFromEnumerable(rows.Select(r => new TwoOutputs { U = r.U, Y = r.Y, Y2 = -r.Y }).ToList());
        var model = ml.Forecasting.SimulateREN(new RenSimulationOptions
        {
            OutputColumnNames = ["Y", "Y2"], InputColumnNames = ["U"], PredictedColumnNames = ["A", "B"],
            StateSize = 4, NonlinearWidth = 4, Epochs = 2, Washout = 5, SegmentLength = 40,
        }).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        var loaded = ml.Model.Load(new MemoryStream(stream.ToArray()), out _);
        var after = loaded.Transform(data);
        Assert.Equal(Predicted(model.Transform(data), "A"), Predicted(after, "A"));
        Assert.Equal(Predicted(model.Transform(data), "B"), Predicted(after, "B"));
        Assert.Null(after.Schema.GetColumnOrNull("__r2dn_p0"));   // the carrier's temporary columns are dropped
    }

    private sealed class TwoOutputs
    {
        public float U { get; set; }
        public float Y { get; set; }
        public float Y2 { get; set; }
    }

    [Fact]
    public void SimulateR2DN_SimpleOverload_DefaultPredictedNamesAndSchema()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(NonlinearSystem(50));
        var estimator = ml.Forecasting.SimulateR2DN(["Y"], ["U"], epochs: 1, washout: 5);
        var schema = estimator.GetOutputSchema(data.Schema);
        Assert.Equal(NumberDataViewType.Single, schema["YPredicted"].Type);
        var model = estimator.Fit(data);
        Assert.Equal(["YPredicted"], model.PredictedColumnNames);
        Assert.Equal(5, model.Washout);
    }

    [Fact]
    public void SimulateR2DN_BadArguments_Throw()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentException>("PredictedColumnNames",
                                         () => ml.Forecasting.SimulateR2DN(["Y"], ["U"],
                                                                           predictedColumnNames: ["A", "B"]));
        Assert.Throws<ArgumentException>("InputColumnNames", () => ml.Forecasting.SimulateR2DN(["Y"], []));
        Assert.Throws<ArgumentOutOfRangeException>("Epochs",
                                                   () => ml.Forecasting.SimulateR2DN(["Y"], ["U"], epochs: 0));
        Assert.Throws<ArgumentOutOfRangeException>("Washout",
                                                   () => ml.Forecasting.SimulateR2DN(["Y"], ["U"], washout: -1));
        Assert.Throws<ArgumentException>(() => ml.Forecasting.SimulateR2DN(["Y"], ["Y"]));

        var data = ml.Data.LoadFromEnumerable(NonlinearSystem(50));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Forecasting.SimulateR2DN(["Y"], ["V"]).Fit(data));
        Assert.Equal("Could not find input column 'V'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() =>
                                                       ml.Forecasting.SimulateR2DN(["Experiment"], ["U"]).Fit(data));
        Assert.Equal("Schema mismatch for output column 'Experiment': expected Single, got String", e.Message);
        var empty = ml.Data.LoadFromEnumerable(new List<SystemRow>());
        Assert.StartsWith("The training data is empty.",
                          Assert.Throws<ArgumentException>(() => ml.Forecasting.SimulateR2DN(["Y"],
                              ["U"]).Fit(empty)).Message);
    }
}
