using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Engine.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Trains an R2DN or REN simulator (system identification); created by <c>ml.Forecasting.SimulateR2DN(...)</c>
/// or <c>ml.Forecasting.SimulateREN(...)</c>.</summary>
/// <remarks>
/// <para><b>Input columns:</b> numeric inputs u and outputs y, and an optional series id; rows of each series in time
/// order. <b>Output columns:</b> one <c>Single</c> column of predicted values per output (see
/// <see cref="SimulationTransformer"/>).</para>
/// <list type="table">
///   <listheader><term>Trainer characteristic</term><description>value</description></listheader>
///   <item><term>Machine learning task</term><description>Simulation / system identification</description></item>
///   <item><term>Is normalization required?</term><description>No: inputs and outputs are standardised internally
///   unless <see cref="RecurrentSimulationOptions.Standardize"/> is false</description></item>
///   <item><term>Is caching required?</term><description>No: the columns are read once into memory</description></item>
///   <item><term>Required NuGet in addition to Microsoft.ML.R2DN</term><description>None</description></item>
/// </list>
/// <para><b>Algorithm.</b> The series are cut to the shortest and trained as one batch by truncated backpropagation
/// through time with the state carried between segments (MODELS.md section 4.1). By default training is sized in
/// optimiser steps with a cosine schedule: the unset settings are chosen on the validation tail, then the chosen one is
/// refitted on all the data within <see cref="RecurrentSimulationOptions.TimeBudget"/>; with
/// <see cref="RecurrentSimulationOptions.Epochs"/> set it is the paper's F16 protocol (see
/// <see cref="RecurrentSimulationOptions"/>). Progress goes to <see cref="MLContext.Log"/> and, as values, to the
/// options' <c>Progress</c> when set (<see cref="TrainingProgress"/>). The options' <c>CancellationToken</c> stops
/// training with an
/// <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public sealed class SimulationEstimator : IEstimator<SimulationTransformer>
{
    private readonly IHost _host;
    private readonly RecurrentSimulationOptions _options;
    private readonly SimulationColumns _columns;

    /// <summary>Creates the estimator in <paramref name="environment"/> (an <see cref="MLContext"/>): what the catalog's
    /// extension methods do; use it directly when you hold the context rather than its catalog.</summary>
    /// <param name="environment">The ML.NET environment: progress goes to its log, seeds come from its random source;
    /// not null.</param>
    /// <param name="options">The settings; not null. Copied: later changes to it do not affect the estimator.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range (the exception names the property).</exception>
    /// <exception cref="ArgumentException">A column name is null, empty or repeated.</exception>
    public SimulationEstimator(IHostEnvironment environment, RecurrentSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _host = environment.Register(nameof(SimulationEstimator));
        _options = options.Snapshot();
        _options.Validate();
        _columns = SimulationColumns.From(_options);
    }

    /// <summary>The schema the fitted transformer produces: the input schema plus one <c>Single</c> column per
    /// predicted output. The output columns are checked too, since training needs them.</summary>
    /// <param name="inputSchema">The training data's schema; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input, output or series id column is missing or has the wrong
    /// type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        _columns.CheckInput(inputSchema, withOutputs: true);
        return _columns.OutputSchema(inputSchema);
    }

    /// <summary>The shape of the fitted transformer's output: the input columns plus one <c>Single</c> column per
    /// predicted output, as ML.NET's pipelines check it before fitting.</summary>
    /// <param name="inputSchema">The shape of the training data; not null.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input, output or series id column is missing or has the wrong
    /// type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var c in _columns.InputAndOutputValues) SchemaShapes.CheckNumeric(inputSchema, c);
        if (_columns.SeriesId is not null) SchemaShapes.CheckSeriesId(inputSchema, _columns.SeriesId);
        return SchemaShapes.WithScalars(inputSchema, _columns.Inputs[0], _columns.Predicted);
    }

    /// <summary>Trains the simulator on <paramref name="input"/>.</summary>
    /// <param name="input">The training data; not null.</param>
    /// <returns>The trained simulator.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type.</exception>
    /// <exception cref="ArgumentException">The data is empty, a value is NaN or infinite under
    /// <see cref="MissingValuePolicy.Error"/>, or a series has fewer than 2 rows.</exception>
    /// <exception cref="OperationCanceledException"><c>CancellationToken</c> of the options was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Training diverged.</exception>
    public SimulationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var channel = _host.Start("Training");
        _columns.CheckInput(input.Schema, withOutputs: true);
        var o = _options;
        var table = SeriesTable.Read(input, _columns.InputAndOutputValues, _columns.SeriesId, o.MissingValues, training: true,
                                     o.CancellationToken);
        if (table.RowCount == 0) throw new ArgumentException("The training data is empty.", nameof(input));
        int nu = _columns.Inputs.Length, ny = _columns.Outputs.Length, width = nu + ny;
        foreach (var s in table.Items)
            if (s.Length < 2)
                throw new ArgumentException(
                    $"{(_columns.SeriesId is null ? "The training data has" : $"Series '{s.Id}' (column '{_columns.SeriesId}') has")} {s.Length} row; simulation needs at least 2 rows per series.",
                    nameof(input));
        var sequences = table.Items.Select(s => new SequenceData(s.Columns(width, 0, nu), nu, s.Columns(width, nu, ny), ny, s.Id)).ToList();
        long trainingRows = (long)sequences.Min(s => s.Length) * sequences.Count;
        var spec = OptionChecks.Spec(o.Kind, o.Robustness ?? Robustness.Contracting, o.Gamma, o.StateSize, o.Features, o.HiddenSizesOrDefault, o.Activation,
                                     o.Initialization, o.ContractionRate, trainingRows);
        int seed = o.Seed ?? TrainingRun.NextSeed(_host);
        // Epochs unset: training is sized in optimiser steps with a cosine schedule (ForecastingDefaults), each candidate
        // on the validation tail, then the chosen one refitted on everything. Epochs set: the paper's staircase protocol.
        bool automatic = o.Epochs is null;
        var engineOptions = new SimulatorOptions
        {
            Model = spec,
            Epochs = o.Epochs ?? ForecastingDefaults.SimulationEpochs,
            Steps = automatic ? ForecastingDefaults.SimulationScreeningSteps : null,
            Schedule = automatic ? SimulationSchedule.Cosine : SimulationSchedule.Staircase,
            LearningRate = o.LearningRate ?? ForecastingDefaults.SimulationLearningRate,
            DecayEveryEpochs = o.DecayEveryEpochs,
            SegmentLength = o.SegmentLength,
            ClipValue = o.ClipValue,
            Washout = o.Washout,
            Standardize = o.Standardize,
            Seed = seed,
            Threads = o.Threads,
            Backend = BackendResolver.Resolve(o.Backend, o.Device),
            ValidationFraction = o.ValidationFraction,
            EarlyStoppingPatience = o.EarlyStoppingPatience ?? (automatic ? int.MaxValue : ForecastingDefaults.SimulationPatience),
        };
        // The settings to try: the user's, then (with validation data to choose on) a higher learning rate and a
        // γ-Lipschitz model for what the user left unset.
        var candidates = new List<(ModelSpec Spec, double Rate)> { (spec, engineOptions.LearningRate) };
        if (o.ValidationFraction > 0)
        {
            if (o.LearningRate is null) candidates.Add((spec, ForecastingDefaults.SimulationHighLearningRate));
            if (o.Robustness is null) candidates.Add((spec with { Robustness = Robustness.Lipschitz, Gamma = 10 }, engineOptions.LearningRate));
            if (o.Robustness is null && o.LearningRate is null)
                candidates.Add((spec with { Robustness = Robustness.Lipschitz, Gamma = 10 }, ForecastingDefaults.SimulationHighLearningRate));
        }
        bool refit = automatic && o.ValidationFraction > 0;
        channel.Info(MessageSensitivity.None, $"Training {(o.Kind == ModelKind.R2dn ? "an" : "a")} {OptionChecks.KindName(o.Kind)} simulator on {sequences.Count} series ({table.RowCount} rows), " +
                     (automatic ? $"{ForecastingDefaults.SimulationScreeningSteps} optimiser steps per setting" : $"at most {o.Epochs} epochs") +
                     $"{(candidates.Count > 1 ? $", choosing among {candidates.Count} settings on the validation tail" : "")}" +
                     $"{(refit ? $", then {ForecastingDefaults.SimulationSteps} to {ForecastingDefaults.SimulationMaxSteps} steps on all the data, as the time left allows" : "")}.");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var tried = new JsonArray();
        // With a refit, the candidates share half the time budget and the refit has the rest.
        TimeSpan? Share(int index) => o.TimeBudget is { } budget
            ? (refit ? budget * 0.5 * (index + 1) / candidates.Count : budget) - clock.Elapsed
            : null;
        Simulator Train(SimulatorOptions options, TrainingStage stage) =>
            TrainingRun.Run(channel, o, stage,
                            (progress, cancel) => Simulator.Train(sequences, options, progress, cancel), sparseLog: true);
        (Simulator Simulator, ModelSpec Spec, double Rate, double Score, TrainingStage Stage)? best = null;
        long screenedSteps = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            var remaining = Share(i);
            if (remaining is { } r && r <= TimeSpan.Zero && best is not null)
            {
                channel.Info(MessageSensitivity.None, $"The time budget is spent: {candidates.Count - i} of {candidates.Count} settings were not tried.");
                break;
            }
            var (candidate, rate) = candidates[i];
            var options = engineOptions with { Model = candidate, LearningRate = rate, TimeBudget = remaining is { } left && left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1) };
            string what = $"{OptionChecks.Describe(candidate)} simulator";
            var stage = new TrainingStage(what, i + 1, candidates.Count);
            var trained = Train(options, stage);
            screenedSteps += trained.Training!.TotalSteps;
            double score = trained.Training!.ValidationNrmse.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min();
            tried.Add(new JsonObject
            {
                ["model"] = OptionChecks.Describe(candidate), ["learningRate"] = rate, ["validationNrmse"] = double.IsFinite(score) ? score : null,
                ["epochs"] = trained.Training.EpochsCompleted, ["steps"] = trained.Training.TotalSteps, ["bestEpoch"] = trained.Training.BestEpoch,
            });
            if (o.ValidationFraction > 0)
                channel.Info(MessageSensitivity.None, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Setting {i + 1}/{candidates.Count}: {what}, learning rate {rate:G3}: validation NRMSE {score:G4} ({trained.Training.TotalSteps} steps)."));
            if (best is null || (double.IsFinite(score) && score < best.Value.Score * (1 - 0.01)))   // a margin, as for forecasters
                best = (trained, candidate, rate, double.IsFinite(score) ? score : double.PositiveInfinity, stage);
        }
        var chosen = best!.Value;
        var simulator = chosen.Simulator;
        spec = chosen.Spec;
        JsonObject? refitRecord = null;
        if (refit)
        {
            // The chosen setting, from its validated weights, trained on all the data (the validation tail included) with
            // a fresh cosine schedule over the rest of the budget; the last weights are kept.
            var left = o.TimeBudget is { } budget ? budget - clock.Elapsed : (TimeSpan?)null;
            if (left is null || left > TimeSpan.FromSeconds(1))
            {
                // The cosine schedule needs its length up front: as many steps as 90 % of the time left allows at the
                // screening's pace (validation passes included, so an overestimate of a step's time), within
                // [SimulationSteps, SimulationMaxSteps]. Small data sets thus use the budget they would otherwise leave idle.
                double secondsPerStep = clock.Elapsed.TotalSeconds / Math.Max(1, screenedSteps);
                long steps = left is { } l && secondsPerStep > 0
                    ? (long)Math.Clamp(0.9 * l.TotalSeconds / secondsPerStep, ForecastingDefaults.SimulationSteps, ForecastingDefaults.SimulationMaxSteps)
                    : ForecastingDefaults.SimulationSteps;
                var options = engineOptions with
                {
                    Model = spec, LearningRate = chosen.Rate * ForecastingDefaults.SimulationRefitRateFactor, ValidationFraction = 0,
                    Steps = steps, TimeBudget = left, InitialParameters = (double[])simulator.Model.Parameters.Clone(),
                };
                string what = $"{OptionChecks.Describe(spec)} simulator on all the data";
                var final = Train(options, chosen.Stage with { Model = what, IsRefit = true });
                if (final.Training!.TrainLoss.All(double.IsFinite))
                {
                    simulator = final;
                    refitRecord = new JsonObject { ["learningRate"] = options.LearningRate, ["plannedSteps"] = steps, ["epochs"] = final.Training.EpochsCompleted, ["steps"] = final.Training.TotalSteps };
                }
            }
        }
        var certificate = simulator.Model.Certify();
        if (candidates.Count > 1) channel.Info(MessageSensitivity.None, $"Chose {OptionChecks.Describe(spec)} with learning rate {chosen.Rate.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}.");
        channel.Info(MessageSensitivity.None, $"Certificate: {certificate}");
        var settings = new JsonObject
        {
            ["kind"] = spec.Kind.ToString(),
            ["robustness"] = spec.Robustness.ToString(),
            ["gamma"] = spec.Gamma,
            ["stateSize"] = spec.StateSize,
            ["features"] = spec.Features,
            ["hiddenSizes"] = new JsonArray(spec.HiddenSizes.Select(v => (JsonNode?)v).ToArray()),
            ["activation"] = spec.Activation.ToString(),
            ["initialization"] = spec.Initialization.ToString(),
            ["contractionRate"] = spec.ContractionRate,
            ["epochs"] = o.Epochs,
            ["schedule"] = automatic ? "cosine" : "staircase",
            ["refit"] = refitRecord,
            ["learningRate"] = chosen.Rate,
            ["decayEveryEpochs"] = o.DecayEveryEpochs,
            ["segmentLength"] = o.SegmentLength,
            ["clipValue"] = o.ClipValue,
            ["standardize"] = o.Standardize,
            ["validationFraction"] = o.ValidationFraction,
            ["search"] = tried,
            ["seed"] = seed,
        };
        return new SimulationTransformer(_columns, InputTypes.Of(input.Schema, _columns.Inputs, _columns.SeriesId), simulator, o.Washout, o.MissingValues, settings,
                                         simulator.Training!.TrainLoss.ToArray(), certificate);
    }
}
