using Microsoft.ML.R2DN.Forecasting;
using ServingCluster;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>The detached state of the core package: its binary form and its checks.</summary>
public sealed class SeriesStateTests
{
    private static readonly SeriesForecaster Forecaster = SeriesForecaster.Load(new MLContext(seed: 0), Models.R2dn);

    private static SeriesState Stepped(string id, int steps)
    {
        var state = Forecaster.Start(id);
        for (int t = 0; t < steps; t++) Forecaster.Observe(state, Workload.Observation(Workload.Row(id, t)));
        return state;
    }

    [Fact]
    public void ToBytes_FromBytes_GivesTheSameForecastsAfterwards()
    {
        var state = Stepped("bytes", 30);
        var restored = SeriesState.FromBytes(state.ToBytes());
        Assert.Equal(state.Steps, restored.Steps);
        Assert.Equal(state.ModelId, restored.ModelId);
        var o = Workload.Observation(Workload.Row("bytes", 30));
        Assert.Equal(Forecaster.Observe(state, o).Forecast, Forecaster.Observe(restored, o).Forecast);
        Assert.True(state.ToBytes().Length < 400, $"{state.ToBytes().Length} bytes");
    }

    [Fact]
    public void FromBytes_DamagedTruncatedOrNewer_IsFormatException()
    {
        var bytes = Stepped("damaged", 5).ToBytes();
        var flipped = (byte[])bytes.Clone();
        flipped[40] ^= 0x10;
        Assert.Contains("checksum", Assert.Throws<FormatException>(() => SeriesState.FromBytes(flipped)).Message);
        Assert.Throws<FormatException>(() => SeriesState.FromBytes(bytes.AsSpan(0, 30)));
        Assert.Throws<FormatException>(() => SeriesState.FromBytes("not a state"u8));
        var newer = (byte[])bytes.Clone();
        newer[4] = 2;
        Assert.Contains("newer", Assert.Throws<FormatException>(() => SeriesState.FromBytes(newer)).Message);
    }

    [Fact]
    public void Start_TrainedSeries_StartsFromTheStoredEndOfTraining()
    {
        Assert.Equal(Workload.TrainingSteps, Forecaster.Start("train-0").Steps);
        Assert.Equal(0, Forecaster.Start("never-seen").Steps);
        Assert.Throws<InvalidOperationException>(() => Forecaster.Forecast(Forecaster.Start("never-seen")));
    }

    [Fact]
    public void Observe_BadArguments_LeaveTheStateUnchanged()
    {
        var state = Stepped("args", 3);
        var before = state.ToBytes();
        var o = Workload.Observation(Workload.Row("args", 3));
        Assert.Throws<ArgumentOutOfRangeException>("horizon", () => Forecaster.Observe(state, o, horizon: 9));
        Assert.Throws<ArgumentOutOfRangeException>("confidenceLevel",
                                                   () => Forecaster.Observe(state, o, confidenceLevel: 1.5f));
        Assert.Throws<ArgumentNullException>(() => Forecaster.Observe(state, null!));
        Assert.Equal(before, state.ToBytes());
        Assert.Equal(Forecaster.InputSchema.Select(c => c.Name), ["Load", "Temperature"]);
    }
}
