namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>The model and robustness settings shared by the forecasting and simulation options.</summary>
/// <remarks>Not an extension point: only the options classes of this package derive from it.</remarks>
public abstract class RecurrentModelOptions
{
    private protected RecurrentModelOptions()
    {
    }

    /// <summary>What to do with NaN or infinite values in the columns read: <see cref="MissingValuePolicy.Error"/>
    /// (the message names the row and column) or <see cref="MissingValuePolicy.ForwardFill"/>. Default Error.</summary>
    public MissingValuePolicy MissingValues { get; set; } = MissingValuePolicy.Error;

    /// <summary>The property the model is built to have: <see cref="Robustness.Contracting"/> (stable: it forgets its
    /// initial state) or <see cref="Robustness.Lipschitz"/> (γ-Lipschitz from input to output in standardised units,
    /// and contracting). Default null: a forecaster chooses on its validation data among contracting and γ-Lipschitz
    /// with γ = 1 and γ = 5 (see <see cref="RecurrentForecastingOptions.TimeBudget"/>); a simulator is contracting. The
    /// choice is logged and stored with the model; a value set here is never overridden.</summary>
    public Robustness? Robustness { get; set; }

    /// <summary>The Lipschitz bound γ, finite and &gt; 0, used when <see cref="Robustness"/> is Lipschitz. Default
    /// 1.</summary>
    public double Gamma { get; set; } = Defaults.Model.Gamma;

    /// <summary>The number of states nx, at least 1. Default null: 16 when the training data has fewer than 2,000
    /// rows (over all series, each cut to the shortest), else 32.</summary>
    public int? StateSize { get; set; }

    /// <summary>The paper's nv, at least 1: the width of the R2DN's 1-Lipschitz network at its input and output, or
    /// the number of the REN's equilibrium neurons (not to be confused with the exogenous feature columns). Default
    /// null: chosen as <see cref="StateSize"/> is.</summary>
    public int? NonlinearWidth { get; set; }

    /// <summary>The activation σ of the neurons: <see cref="Activation.ReLU"/> or <see cref="Activation.Tanh"/>
    /// (monotone with slope in [0, 1], which the certificates need). Default ReLU.</summary>
    public Activation Activation { get; set; } = Activation.ReLU;

    /// <summary>The initialisation of the parameters. Default <see cref="Initialization.LongMemory"/>.</summary>
    public Initialization Initialization { get; set; } = Initialization.LongMemory;

    /// <summary>The contraction-rate bound ᾱ, in (0, 1]. Default 1.</summary>
    public double ContractionRate { get; set; } = Defaults.Model.ContractionRate;

    /// <summary>The element-wise gradient clip, finite and &gt; 0. Default 10.</summary>
    public double ClipValue { get; set; } = Defaults.Model.ClipValue;

    /// <summary>The seed of the initialisation, any <see cref="int"/>. Default null: drawn from the
    /// <see cref="MLContext"/> (repeatable when the context was created with a seed, <c>new MLContext(seed: 1)</c>, and
    /// the same ML.NET calls are made in the same order: every component ML.NET creates draws from the context's random
    /// source).</summary>
    public int? Seed { get; set; }

    /// <summary>Where training runs: <see cref="R2dnBackend.Managed"/> (the default: this package's SIMD engine) or
    /// <see cref="R2dnBackend.TorchSharp"/> (libtorch, needs the Microsoft.ML.R2DN.TorchSharp package). Scoring always
    /// runs on the managed engine.</summary>
    public R2dnBackend Backend { get; set; } = R2dnBackend.Managed;

    /// <summary>The device of the TorchSharp backend: "cpu" (default), "cuda" or "cuda:N". The managed backend takes
    /// "cpu" only.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Cancels training: <c>Fit</c> then throws <see cref="OperationCanceledException"/> and returns no model.
    /// (ML.NET 6 keeps <c>MLContext.CancelExecution</c> internal, so cancellation comes through this token.) Default:
    /// none. Not saved with the model.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Receives every epoch of training as a value (<see cref="TrainingProgress"/>), as it completes: called
    /// synchronously on the training thread, in order, besides the epoch lines <c>Fit</c> writes to
    /// <see cref="MLContext.Log"/>. Default null: none. Not saved with the model. (<see cref="Progress{T}"/> would post
    /// each report to the thread pool, out of order; <see cref="Engine.Training.SynchronousProgress{T}"/> calls a
    /// handler at once.) An exception it throws ends <c>Fit</c>.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>The number of threads for training and scoring, at least 1. Default null: all cores.</summary>
    public int? Threads { get; set; }

    /// <summary>The model kind these options train.</summary>
    internal abstract ModelKind Kind { get; }

    /// <summary>The R2DN network's hidden widths, or null (always null for the REN): held here so that both R2DN
    /// options classes expose it as <c>HiddenSizes</c> and share its copying and checking.</summary>
    internal int[]? HiddenSizesOrDefault { get; private protected set; }
}
