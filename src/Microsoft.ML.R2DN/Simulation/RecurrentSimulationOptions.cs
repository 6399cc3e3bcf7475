using Microsoft.ML.R2DN.Engine.Simulation;

namespace Microsoft.ML.R2DN.Simulation;

/// <summary>The settings shared by the R2DN and REN simulators (<see cref="R2dnSimulationOptions"/>,
/// <see cref="RenSimulationOptions"/>): system identification, where the model predicts the outputs y_t from the
/// inputs u_0 … u_t only (API.md section 3.2).</summary>
/// <remarks>
/// <para>The model runs over each whole series from a zero state. Training is truncated backpropagation through time
/// on segments of <see cref="SegmentLength"/> steps with the state carried from one segment to the next (one Adam step
/// per segment), with the paper's loss (squared error summed over series and outputs, averaged over time).</para>
/// <para><b>Defaults (<see cref="Epochs"/> unset): sized in optimiser steps.</b> Each setting left unset is chosen on
/// the last <see cref="ValidationFraction"/> of every series: the candidates are the learning rates 1e-3 and 3e-3 (when
/// <see cref="LearningRate"/> is unset) crossed with a contracting and a 10-Lipschitz model (when
/// <see cref="RecurrentModelOptions.Robustness"/> is unset). Each candidate trains for 6,000 optimiser steps (whole
/// epochs) with a half-cosine learning rate down to 1% of its start, and keeps its weights of lowest validation NRMSE;
/// a later candidate must beat the best so far by 1%. The chosen one is then refitted on all the data, the validation
/// tail included, starting from its chosen weights, with a fresh cosine schedule over 40,000 more steps, or as many as
/// 90% of the time left allows at the screening's pace, up to 150,000 (small data sets); its last
/// weights are the model. The candidates share the first half of <see cref="TimeBudget"/> and the refit has the rest;
/// the cosine's progress is the larger of steps taken over steps planned and time spent over the time allotted, so
/// the rate reaches its floor when either ends the run (a run cut short by the budget depends on the machine's speed).
/// With <see cref="ValidationFraction"/> 0 only the given (or default) setting trains, for 6,000 steps, without
/// refit. The search is stored in <see cref="SimulationTransformer.TrainingSettings"/> (<c>search</c>, <c>refit</c>)
/// and logged.</para>
/// <para><b><see cref="Epochs"/> set: the paper's F16 protocol</b> (MODELS.md section 4.1): that many epochs with a
/// learning rate multiplied by 0.1 every <see cref="DecayEveryEpochs"/> epochs, early stopping after
/// <see cref="EarlyStoppingPatience"/> epochs (10 by default) on the validation tail, and no refit.</para>
/// <para>Several series (for example one per experiment or file) train together as one batch, each cut to the
/// shortest; see <see cref="SeriesIdColumnName"/>.</para>
/// <para>Not an extension point: only the two derived classes exist.</para>
/// </remarks>
public abstract class RecurrentSimulationOptions : RecurrentModelOptions
{
    private protected RecurrentSimulationOptions()
    {
    }

    /// <summary>The measured output columns y (numeric: <c>Single</c>, <c>Double</c>, <c>Int32</c>, <c>Int64</c> or
    /// <c>Boolean</c>), needed for training and for <see cref="SimulationTransformer.Nrmse"/> but not for
    /// transforming. Required; at least one, none null or empty.</summary>
    public required string[] OutputColumnNames { get; set; }

    /// <summary>The input columns u (numeric, as the outputs). Required; at least one, none null or empty.</summary>
    public required string[] InputColumnNames { get; set; }

    /// <summary>The columns the predicted outputs are written to (<c>Single</c>), one per output column in the same
    /// order. Default null: each output's name followed by <c>Predicted</c> (<c>y</c> → <c>yPredicted</c>).</summary>
    public string[]? PredictedColumnNames { get; set; }

    /// <summary>A column that splits the rows into independent series (sequences), in the order each id first
    /// appears; they train as one batch. <c>String</c>, <c>Int32</c>, <c>Int64</c>, or <c>Single</c>/<c>Double</c>
    /// holding ids. Rows of one series must be in time order. Default null: all rows are one series.</summary>
    /// <remarks>To train on several files, load them as one view with <c>LoadFromTextFile(string[] paths, ...)</c>
    /// and give each file's rows their own id in this column.</remarks>
    public string? SeriesIdColumnName { get; set; }

    /// <summary>The number of training epochs, at least 1, with the paper's staircase schedule
    /// (<see cref="DecayEveryEpochs"/>) and no refit. Default null: training is sized in optimiser steps instead, with
    /// a
    /// cosine schedule (see the remarks).</summary>
    public int? Epochs { get; set; }

    /// <summary>The initial Adam learning rate, finite and &gt; 0. Default null: 1e-3, and 3e-3 is tried too when there
    /// is validation data and time left in <see cref="TimeBudget"/> (see the remarks).</summary>
    public double? LearningRate { get; set; }

    /// <summary>The fraction of the end of every series held out to validate, in [0, 0.5): each epoch the model is run
    /// over the whole series from a zero state and scored on that tail (NRMSE); training stops early and keeps the best
    /// epoch's weights, and the settings left unset are chosen on it. Default 0.2; 0 turns validation off (the paper's
    /// protocol: train on everything, keep the last epoch).</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Epochs without a lower validation error before training stops, at least 1. Default null: no early
    /// stopping when <see cref="Epochs"/> is unset (the best validated weights are kept anyway), 10 epochs when it is
    /// set.</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>The most time training may take, all candidate settings and the refit together (no epoch starts after
    /// it). Default 5 minutes; null for no limit (then only the step counts bound training); otherwise
    /// positive.</summary>
    public TimeSpan? TimeBudget { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>With <see cref="Epochs"/> set, the learning rate is multiplied by 0.1 every this many epochs (never
    /// below 1e-6), at least 0; 0 keeps it constant. Default 20. Not used when <see cref="Epochs"/> is unset.</summary>
    public int DecayEveryEpochs { get; set; } = Defaults.Simulation.DecayEveryEpochs;

    /// <summary>The truncated-BPTT segment length in steps, at least 1. Default 256.</summary>
    public int SegmentLength { get; set; } = Defaults.Simulation.SegmentLength;

    /// <summary>The number of rows at the start of each series left out when scoring
    /// (<see cref="SimulationTransformer.Nrmse"/>), while the model forgets its initial state; at least 0. The
    /// predicted columns still hold a value for every row. Default 100.</summary>
    public int Washout { get; set; } = Defaults.Simulation.Washout;

    /// <summary>Whether to standardise inputs and outputs with the training data's mean and standard deviation. Set
    /// false when the data is already standardised. Default true.</summary>
    public bool Standardize { get; set; } = true;

    /// <summary>Where each record starts: <see cref="Simulation.InitialState.ZeroState"/>, or
    /// <see cref="Simulation.InitialState.Encoder"/> (the state estimated from the record's first
    /// <see cref="EncoderWindow"/> measured rows). Default null: an encoder is fitted to the trained model and kept
    /// when the validation tails simulated from its estimate score better than from the zero state (without
    /// validation data, the zero state). An encoder needs the output columns when scoring; without them a record
    /// starts from the zero state.</summary>
    public InitialState? InitialState { get; set; }

    /// <summary>How the model trains: <see cref="SimulationTraining.TruncatedBptt"/> over whole records from the zero
    /// state, or <see cref="SimulationTraining.Subsequences"/>: <see cref="SubsequencesPerStep"/> subsequences of
    /// <see cref="SubsequenceLength"/> rows per optimiser step, each from the state the encoder estimates from the
    /// <see cref="EncoderWindow"/> rows before it, the model and the encoder trained together (then
    /// <see cref="InitialState"/> is the encoder). Runs on the managed engine. Default null: truncated BPTT.</summary>
    public SimulationTraining? Training { get; set; }

    /// <summary>The encoder's window n: the measured rows (inputs and outputs) it reads, in [1, 10000]. Default 5, the
    /// initialisation window of nonlinearbenchmark.org's Cascaded Tanks protocol.</summary>
    public int EncoderWindow { get; set; } = Defaults.Simulation.EncoderWindow;

    /// <summary>The length T of the subsequences the encoder (and, with subsequence training, the model) trains on,
    /// in [1, 100000]. Default 80.</summary>
    public int SubsequenceLength { get; set; } = Defaults.Simulation.SubsequenceLength;

    /// <summary>The subsequences K of one optimiser step, in [1, 100000]. Default 32.</summary>
    public int SubsequencesPerStep { get; set; } = Defaults.Simulation.SubsequencesPerStep;

    /// <summary>The suffix of a predicted column's default name: <c>y</c> is predicted into
    /// <c>yPredicted</c>.</summary>
    internal const string PredictedSuffix = "Predicted";

    /// <summary>The predicted columns' names, defaults applied.</summary>
    internal string[] PredictedColumns =>
        PredictedColumnNames ?? OutputColumnNames.Select(n => n + PredictedSuffix).ToArray();

    /// <summary>A copy that later changes to this object (or its arrays) do not affect.</summary>
    internal RecurrentSimulationOptions Snapshot()
    {
        var copy = (RecurrentSimulationOptions)MemberwiseClone();
        copy.OutputColumnNames = (string[])OutputColumnNames.Clone();
        copy.InputColumnNames = (string[])InputColumnNames.Clone();
        copy.PredictedColumnNames = (string[]?)PredictedColumnNames?.Clone();
        copy.HiddenSizesOrDefault = (int[]?)HiddenSizesOrDefault?.Clone();
        return copy;
    }

    /// <summary>Checks every setting, throwing <see cref="ArgumentException"/> or
    /// <see cref="ArgumentOutOfRangeException"/> named after the property.</summary>
    internal virtual void Validate()
    {
        if (OutputColumnNames is null || OutputColumnNames.Length == 0)
            throw new ArgumentException("At least one output column is needed.", nameof(OutputColumnNames));
        if (InputColumnNames is null || InputColumnNames.Length == 0)
            throw new ArgumentException("At least one input column is needed.", nameof(InputColumnNames));
        OptionChecks.ColumnNames(OutputColumnNames, nameof(OutputColumnNames));
        if (OutputColumnNames.Length > ModelFiles.SimulationCarrierOutput.Capacity)
            throw new ArgumentOutOfRangeException(nameof(OutputColumnNames), OutputColumnNames.Length,
                $"A simulator predicts at most {ModelFiles.SimulationCarrierOutput.Capacity} output columns; " +
                $"{OutputColumnNames.Length} were given.");
        OptionChecks.ColumnNames(InputColumnNames, nameof(InputColumnNames));
        OptionChecks.ColumnNames(PredictedColumnNames, nameof(PredictedColumnNames));
        if (PredictedColumnNames is not null && PredictedColumnNames.Length != OutputColumnNames.Length)
            throw new ArgumentException($"There are {OutputColumnNames.Length} output columns but " +
                                        $"{PredictedColumnNames.Length} predicted column names; give one per output.",
                                        nameof(PredictedColumnNames));
        if (SeriesIdColumnName is not null) OptionChecks.ColumnName(SeriesIdColumnName, nameof(SeriesIdColumnName));
        OptionChecks.Distinct([.. InputColumnNames, .. OutputColumnNames,
                               .. SeriesIdColumnName is null ? [] : new[] { SeriesIdColumnName }],
                              "The input, output and series id columns");
        OptionChecks.Distinct(PredictedColumns, "The predicted columns");
        OptionChecks.Defined(MissingValues, nameof(MissingValues));
        OptionChecks.Model(Robustness, Gamma, StateSize, NonlinearWidth, Activation, Initialization, ContractionRate);
        OptionChecks.Defined(Backend, nameof(Backend));
        if (string.IsNullOrWhiteSpace(Device))
            throw new ArgumentException("Device must name a device: cpu, cuda or cuda:N.", nameof(Device));
        if (Epochs is int epochs) OptionChecks.AtLeast(epochs, 1, nameof(Epochs));
        if (LearningRate is double rate) OptionChecks.Positive(rate, nameof(LearningRate));
        if (!(ValidationFraction >= 0 && ValidationFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction,
                                                  "ValidationFraction must be in [0, 0.5).");
        if (EarlyStoppingPatience is int patience) OptionChecks.AtLeast(patience, 1, nameof(EarlyStoppingPatience));
        if (TimeBudget is { } budget && budget <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), budget,
                                                  "TimeBudget must be positive (or null for no limit).");
        OptionChecks.AtLeast(DecayEveryEpochs, 0, nameof(DecayEveryEpochs));
        OptionChecks.AtLeast(SegmentLength, 1, nameof(SegmentLength));
        OptionChecks.Positive(ClipValue, nameof(ClipValue));
        OptionChecks.AtLeast(Washout, 0, nameof(Washout));
        if (InitialState is { } start) OptionChecks.Defined(start, nameof(InitialState));
        if (Training is { } training) OptionChecks.Defined(training, nameof(Training));
        if (Training == SimulationTraining.Subsequences && InitialState == Simulation.InitialState.ZeroState)
            throw new ArgumentException("Subsequence training starts every subsequence from the encoder: it cannot " +
                                        "be combined with InitialState.ZeroState.", nameof(InitialState));
        OptionChecks.Range(EncoderWindow, 1, 10_000, nameof(EncoderWindow));
        OptionChecks.Range(SubsequenceLength, 1, 100_000, nameof(SubsequenceLength));
        OptionChecks.Range(SubsequencesPerStep, 1, 100_000, nameof(SubsequencesPerStep));
        if (Threads is int t && t < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), t, "Threads must be at least 1.");
        OptionChecks.HiddenSizes(HiddenSizesOrDefault);
    }
}
