namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>What a forecaster is built around, apart from its model and intervals: sizes, how the model reads the
/// series, and the standardisation of targets and features.</summary>
internal sealed record ForecasterShape(int Horizon, int TargetCount, int FeatureCount, bool ChannelIndependent,
                                       bool DifferenceInputs, Standardizer TargetScaling, Standardizer FeatureScaling)
{
    /// <summary>The model's batch per series: one lane per target when channel-independent, else one.</summary>
    public int Lanes => ChannelIndependent ? TargetCount : 1;
}
