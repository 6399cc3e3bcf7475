namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>Sizes and choices of a recurrent equilibrium network (MODELS.md 1.1, 2.2–2.4).</summary>
public sealed record RenOptions : IRecurrentModelOptions
{
    /// <summary>Number of inputs nu (&gt; 0).</summary>
    public required int InputSize { get; init; }

    /// <summary>Number of states nx (&gt; 0).</summary>
    public required int StateSize { get; init; }

    /// <summary>Number of neurons nv of the equilibrium layer (&gt; 0). Each time step solves nv dependent neurons in
    /// sequence.</summary>
    public required int NonlinearWidth { get; init; }

    /// <summary>Number of outputs ny (&gt; 0).</summary>
    public required int OutputSize { get; init; }

    /// <summary>Activation. Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.ReLU;

    /// <summary>Initialisation. Default <see cref="Initialization.LongMemory"/>.</summary>
    public Initialization Initialization { get; init; } = Initialization.LongMemory;

    /// <summary>Contraction-rate bound ᾱ in (0, 1]. Default 1.</summary>
    public double ContractionRate { get; init; } = 1.0;

    /// <summary>For the Lipschitz and (Q,S,R) RENs: fix D22 = 0 instead of building it from (X3, Y3, Z3). Default
    /// false.</summary>
    public bool D22Zero { get; init; }

    /// <summary>
    /// Fix the output map to y = x (C2 = I, D21 = 0, D22 = 0, by = 0; those groups are then not parameters), as for an
    /// observer whose output is its state. Requires OutputSize = StateSize. Contracting models only. Default false.
    /// </summary>
    public bool IdentityOutput { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        RecurrentOptionChecks.Sizes(this);
        RecurrentOptionChecks.Choices(this);
    }
}
