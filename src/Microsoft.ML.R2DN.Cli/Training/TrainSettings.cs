namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>The command line of <c>r2dn train</c>, checked and with the defaults (and the example's) applied.</summary>
/// <remarks>A null setting is left to the plugin's default.</remarks>
internal sealed record TrainSettings
{
    /// <summary>"forecasting" or "simulation".</summary>
    public required string Task { get; init; }

    /// <summary>Whether this is <c>--example</c>: <see cref="Files"/> is then the example data, written
    /// first.</summary>
    public required bool IsExample { get; init; }

    // The data and the columns of each role (forecasting: targets and features; simulation: inputs and outputs).
    public IReadOnlyList<string> Files { get; init; } = [];
    public string[] Labels { get; init; } = [];
    public string[] Features { get; init; } = [];
    public string[] Inputs { get; init; } = [];
    public string[] Outputs { get; init; } = [];
    public string? SeriesId { get; init; }

    // The task's settings.
    public int Horizon { get; init; }
    public int Seasonality { get; init; }
    public double Confidence { get; init; }
    public int? Washout { get; init; }

    // The model, its robustness and its training.
    public ModelKind Kind { get; init; }
    public Robustness? Robustness { get; init; }
    public R2dnBackend Backend { get; init; }
    public string Device { get; init; } = "cpu";
    public double? Gamma { get; init; }
    public int? Nx { get; init; }
    public int? Nv { get; init; }
    public int[]? Hidden { get; init; }
    public Activation Activation { get; init; }
    public int? Epochs { get; init; }
    public double? LearningRate { get; init; }
    public int? SegmentLength { get; init; }
    public int Seed { get; init; }
    public int? Threads { get; init; }
    public double TestFraction { get; init; }
    public MissingValuePolicy MissingValues { get; init; }

    // The files written and how the results are shown (Interactive: stderr is a terminal, progress redrawn in place).
    public string? OutputDir { get; init; }
    public string ModelPath { get; init; } = "";
    public string? PlotPath { get; init; }
    public string? LossPlotPath { get; init; }
    public bool Quiet { get; init; }
    public bool Json { get; init; }
    public bool Interactive { get; init; }

    /// <summary>Sets the model, robustness and training settings given on <paramref name="options"/> (a
    /// forecaster's or a simulator's), and where the epochs go.</summary>
    public void ApplyTo(RecurrentModelOptions options, CancellationToken cancel, IProgress<TrainingProgress>? progress)
    {
        ApplyShared(options, cancel, progress);
        // The training settings are declared by each task's options, with their own defaults.
        if (options is RecurrentForecastingOptions f)
            (f.Epochs, f.LearningRate, f.SegmentLength) =
                (Epochs ?? f.Epochs, LearningRate ?? f.LearningRate, SegmentLength ?? f.SegmentLength);
        else if (options is RecurrentSimulationOptions m)
            (m.Epochs, m.LearningRate, m.SegmentLength, m.Washout) = (Epochs ?? m.Epochs,
                LearningRate ?? m.LearningRate, SegmentLength ?? m.SegmentLength, Washout ?? m.Washout);
    }

    // The settings both tasks share (RecurrentModelOptions).
    private void ApplyShared(RecurrentModelOptions options, CancellationToken cancel,
                             IProgress<TrainingProgress>? progress)
    {
        options.CancellationToken = cancel;
        options.Progress = progress;
        options.Robustness = Robustness;
        options.Backend = Backend;
        options.Device = Device;
        if (Gamma is double gamma) options.Gamma = gamma;
        options.StateSize = Nx;
        options.NonlinearWidth = Nv;
        options.Activation = Activation;
        options.Seed = Seed;
        options.Threads = Threads;
        options.MissingValues = MissingValues;
    }
}
