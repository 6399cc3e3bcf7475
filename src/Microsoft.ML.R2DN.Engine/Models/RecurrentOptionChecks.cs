namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>The options that <see cref="R2dnOptions"/> and <see cref="RenOptions"/> share.</summary>
internal interface IRecurrentModelOptions
{
    int InputSize { get; }

    int StateSize { get; }

    int NonlinearWidth { get; }

    int OutputSize { get; }

    Activation Activation { get; }

    Initialization Initialization { get; }

    double ContractionRate { get; }

    bool IdentityOutput { get; }
}

/// <summary>The range checks of the options every model shares, each throwing
/// <see cref="ArgumentOutOfRangeException"/> named after the option.</summary>
internal static class RecurrentOptionChecks
{
    /// <summary>nu, nx, nv and ny: each &gt; 0.</summary>
    public static void Sizes(IRecurrentModelOptions o)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.InputSize, nameof(o.InputSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.StateSize, nameof(o.StateSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.NonlinearWidth, nameof(o.NonlinearWidth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.OutputSize, nameof(o.OutputSize));
    }

    /// <summary>The contraction rate in (0, 1], the identity output only where ny = nx, and defined enum values.
    /// </summary>
    public static void Choices(IRecurrentModelOptions o)
    {
        if (!(o.ContractionRate > 0 && o.ContractionRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(o.ContractionRate), o.ContractionRate,
                                                  "ContractionRate must be in (0, 1].");
        if (o.IdentityOutput && o.OutputSize != o.StateSize)
            throw new ArgumentOutOfRangeException(
                nameof(o.IdentityOutput),
                $"IdentityOutput needs OutputSize ({o.OutputSize}) = StateSize ({o.StateSize}).");
        if (!Enum.IsDefined(o.Activation)) throw new ArgumentOutOfRangeException(nameof(o.Activation));
        if (!Enum.IsDefined(o.Initialization)) throw new ArgumentOutOfRangeException(nameof(o.Initialization));
    }

    /// <summary>The widths of an LBDN's hidden layers: not null, each &gt; 0.</summary>
    public static void HiddenSizes(int[] hiddenSizes)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes, nameof(R2dnOptions.HiddenSizes));
        for (int i = 0; i < hiddenSizes.Length; i++)
            if (hiddenSizes[i] <= 0)
                throw new ArgumentOutOfRangeException(nameof(R2dnOptions.HiddenSizes), hiddenSizes[i],
                                                      $"Hidden layer {i} must have a positive width.");
    }
}
