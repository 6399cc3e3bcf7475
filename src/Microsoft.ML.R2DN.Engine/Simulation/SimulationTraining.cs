namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>How <see cref="Simulator.Train"/> trains the model (<see cref="SimulatorOptions.Training"/>).</summary>
public enum SimulationTraining
{
    /// <summary>Truncated backpropagation through time over the whole records from the zero state, the state carried
    /// from one segment to the next (the paper's protocol). The default.</summary>
    TruncatedBptt,

    /// <summary>Many short subsequences per step, each from the state an encoder estimates from the measurements just
    /// before it, the model and the encoder trained together (<see cref="SubsequenceTrainer"/>).</summary>
    Subsequences,
}
