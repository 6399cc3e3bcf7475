using System.ComponentModel;

namespace Microsoft.ML.R2DN.ModelFiles;

/// <summary>Infrastructure: the per-cursor state of a saved model's scorer.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CarrierState
{
    internal ReadOnlyMemory<char> ModelText;
    internal ForecastRowScorer? Forecaster;
    internal SimulationRowScorer? Simulator;
    internal long Row;
}
