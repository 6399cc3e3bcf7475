namespace Microsoft.ML.R2DN.Simulation;

/// <summary>Where a simulator starts each record (<see cref="RecurrentSimulationOptions.InitialState"/>).</summary>
public enum InitialState
{
    /// <summary>From the zero state (the training data's mean): the first rows are a washout while the model forgets
    /// it.</summary>
    ZeroState,

    /// <summary>From the state an encoder estimates from the measured inputs and outputs of the record's first
    /// <see cref="RecurrentSimulationOptions.EncoderWindow"/> rows (the deep subspace encoder method); a record
    /// without measured outputs there starts from the zero state.</summary>
    Encoder,
}
