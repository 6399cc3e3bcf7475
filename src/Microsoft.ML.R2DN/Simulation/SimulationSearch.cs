using System.Diagnostics;
using Microsoft.ML.R2DN.Engine.Simulation;
using Microsoft.ML.R2DN.Engine.Training;
using Microsoft.ML.Runtime;
using D = Microsoft.ML.R2DN.Engine.Defaults.Simulation;

namespace Microsoft.ML.R2DN.Simulation;

/// <summary>
/// What <see cref="SimulationEstimator.Fit"/> trains: with <see cref="RecurrentSimulationOptions.Epochs"/> unset,
/// training is sized in optimiser steps with a cosine schedule, every candidate setting on the validation tail, then
/// the chosen one refitted on all the data; with it set, the paper's staircase protocol. The candidates are the
/// user's setting and, with validation data, a higher learning rate and a γ-Lipschitz model for what the user left
/// unset.
/// </summary>
internal sealed class SimulationSearch
{
    // How much lower (relatively) a later setting's validation error must be to replace the best so far: as for
    // forecasters, the earlier settings are the simpler ones.
    private const double SelectionMargin = 0.01;

    private readonly IChannel _channel;
    private readonly RecurrentSimulationOptions _o;
    private readonly IReadOnlyList<SequenceData> _sequences;
    private readonly int _seed;
    private readonly bool _automatic, _refit;
    private readonly SimulatorOptions _engineOptions;
    private readonly List<(ModelSpec Spec, double Rate)> _candidates;
    private readonly Stopwatch _clock = new();
    private readonly JsonArray _tried = [];
    private JsonObject? _refitRecord;
    private JsonObject? _encoderRecord;
    private TrainingStage? _chosenStage;

    public SimulationSearch(IChannel channel, RecurrentSimulationOptions options, IReadOnlyList<SequenceData> sequences,
                            int seed)
    {
        _channel = channel;
        _o = options;
        _sequences = sequences;
        _seed = seed;
        _automatic = options.Epochs is null;
        _refit = _automatic && options.ValidationFraction > 0;
        long trainingRows = (long)sequences.Min(s => s.Length) * sequences.Count;
        var spec = OptionChecks.Spec(options.Kind, options.Robustness ?? Robustness.Contracting, options.Gamma,
                                     options.StateSize, options.NonlinearWidth, options.HiddenSizesOrDefault,
                                     options.Activation, options.Initialization, options.ContractionRate,
                                     trainingRows);
        _engineOptions = EngineOptions(spec);
        _candidates = Candidates(spec);
    }

    /// <summary>How many settings may be tried.</summary>
    public int CandidateCount => _candidates.Count;

    private SimulatorOptions EngineOptions(ModelSpec spec) => new()
    {
        Model = spec,
        Epochs = _o.Epochs ?? D.Epochs,
        Steps = _automatic ? D.ScreeningSteps : null,
        Schedule = _automatic ? SimulationSchedule.Cosine : SimulationSchedule.Staircase,
        LearningRate = _o.LearningRate ?? D.LearningRate,
        DecayEveryEpochs = _o.DecayEveryEpochs,
        SegmentLength = _o.SegmentLength,
        ClipValue = _o.ClipValue,
        Washout = _o.Washout,
        Standardize = _o.Standardize,
        Seed = _seed,
        Threads = _o.Threads,
        Backend = BackendResolver.Resolve(_o.Backend, _o.Device),
        ValidationFraction = _o.ValidationFraction,
        EarlyStoppingPatience = _o.EarlyStoppingPatience
                                ?? (_automatic ? int.MaxValue : D.EarlyStoppingPatience),
        Training = _o.Training ?? SimulationTraining.TruncatedBptt,
        Encoder = _o.Training == SimulationTraining.Subsequences ? EncoderSettings() : null,
    };

    // The encoder's shape from the options; its own steps and rate apply when it is fitted to a trained model.
    private SubsequenceOptions EncoderSettings() => new()
    {
        EncoderWindow = _o.EncoderWindow, EncoderHiddenSizes = [D.EncoderHidden],
        SubsequenceLength = _o.SubsequenceLength, SubsequencesPerStep = _o.SubsequencesPerStep,
        Steps = D.EncoderSteps, LearningRate = D.LearningRate,
    };

    private List<(ModelSpec, double)> Candidates(ModelSpec spec)
    {
        double rate = _engineOptions.LearningRate;
        var list = new List<(ModelSpec, double)> { (spec, rate) };
        if (_o.ValidationFraction <= 0) return list;
        var lipschitz = spec with { Robustness = Robustness.Lipschitz, Gamma = D.LipschitzGamma };
        if (_o.LearningRate is null) list.Add((spec, D.HighLearningRate));
        if (_o.Robustness is null) list.Add((lipschitz, rate));
        if (_o.Robustness is null && _o.LearningRate is null) list.Add((lipschitz, D.HighLearningRate));
        return list;
    }

    /// <summary>The log line that says what training will do.</summary>
    public string Plan(long rows) =>
        $"Training {(_o.Kind == ModelKind.R2dn ? "an" : "a")} {OptionChecks.KindName(_o.Kind)} simulator on " +
        $"{_sequences.Count} series ({rows} rows), " +
        (_automatic ? $"{D.ScreeningSteps} optimiser steps per setting" : $"at most {_o.Epochs} epochs") +
        (_candidates.Count > 1 ? $", choosing among {_candidates.Count} settings on the validation tail" : "") +
        (_refit ? $", then {D.RefitSteps} to {D.MaxRefitSteps} steps on all the data, as the time left allows" : "") +
        ".";

    /// <summary>Screens the candidates, refits the chosen one when sized in steps, and returns the simulator kept and
    /// the setting chosen.</summary>
    public (Simulator Simulator, (ModelSpec Spec, double Rate) Chosen) Run()
    {
        _clock.Start();
        var (simulator, spec, rate, screenedSteps) = Screen();
        bool encoder = _o.Training == SimulationTraining.Subsequences;
        if (!encoder) (simulator, encoder) = ChooseEncoder(simulator, spec);
        if (_refit && Refit(simulator, spec, rate, screenedSteps, encoder) is { } final)
            simulator = encoder && _o.Training != SimulationTraining.Subsequences ? FinalEncoder(final, spec) : final;
        return (simulator, (spec, rate));
    }

    // The most time each encoder fit may take: a tenth of the budget.
    private TimeSpan? EncoderTime => _o.TimeBudget / 10;

    // An encoder fitted to the screened model (trained on the training rows), kept when the user asked for one or
    // when the validation tails simulated from its estimate score better than from the zero state.
    private (Simulator, bool) ChooseEncoder(Simulator screened, ModelSpec spec)
    {
        bool asked = _o.InitialState == InitialState.Encoder;
        if (_o.InitialState == InitialState.ZeroState || (!asked && _o.ValidationFraction <= 0))
            return (screened, false);
        var options = _engineOptions with { Model = spec, Encoder = EncoderSettings(), TimeBudget = EncoderTime };
        var fitted = screened.FitEncoder(_sequences, options, keepWhenWorse: asked, _o.CancellationToken);
        _encoderRecord = new JsonObject { ["window"] = _o.EncoderWindow, ["kept"] = fitted.Encoder is not null };
        if (fitted.EncoderValidation is var (zero, encoded))
        {
            _encoderRecord["zeroStateValidationNrmse"] = zero;
            _encoderRecord["encodedValidationNrmse"] = encoded;
            _channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"Initial state: an encoder of the first {_o.EncoderWindow} rows; validation NRMSE of the tails " +
                $"simulated from the zero state {zero:G4}, from the encoder's estimate {encoded:G4}: " +
                $"{(fitted.Encoder is not null ? "kept" : "dropped")}."));
        }
        return fitted.Encoder is null ? (screened, false) : (fitted, true);
    }

    // The encoder refitted to the refitted model on all the data (the screening decided to keep one).
    private Simulator FinalEncoder(Simulator refitted, ModelSpec spec)
    {
        var options = _engineOptions with
        {
            Model = spec,
            Encoder = EncoderSettings(),
            ValidationFraction = 0,
            TimeBudget = EncoderTime,
        };
        return refitted.FitEncoder(_sequences, options, keepWhenWorse: true, _o.CancellationToken);
    }

    // With a refit, the candidates share half the time budget and the refit has the rest.
    private TimeSpan? Share(int index) => _o.TimeBudget is { } budget
        ? (_refit ? budget * 0.5 * (index + 1) / _candidates.Count : budget) - _clock.Elapsed
        : null;

    private (Simulator, ModelSpec, double, long) Screen()
    {
        (Simulator Simulator, ModelSpec Spec, double Rate, double Score, TrainingStage Stage)? best = null;
        long screenedSteps = 0;
        for (int i = 0; i < _candidates.Count; i++)
        {
            var remaining = Share(i);
            if (remaining is { } r && r <= TimeSpan.Zero && best is not null)
            {
                _channel.Info(MessageSensitivity.None,
                    $"The time budget is spent: {_candidates.Count - i} of {_candidates.Count} settings were not " +
                    $"tried.");
                break;
            }
            var (candidate, rate) = _candidates[i];
            var options = _engineOptions with
            {
                Model = candidate,
                LearningRate = rate,
                TimeBudget = remaining is { } left && left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1),
            };
            string what = $"{OptionChecks.Describe(candidate)} simulator";
            var stage = new TrainingStage(what, i + 1, _candidates.Count);
            var trained = Train(options, stage);
            screenedSteps += trained.Training!.TotalSteps;
            double score = Record(i, candidate, rate, what, trained.Training);
            if (best is null || (double.IsFinite(score) && score < best.Value.Score * (1 - SelectionMargin)))
                best = (trained, candidate, rate, double.IsFinite(score) ? score : double.PositiveInfinity, stage);
        }
        var chosen = best!.Value;
        _chosenStage = chosen.Stage;
        return (chosen.Simulator, chosen.Spec, chosen.Rate, screenedSteps);
    }

    // Adds a candidate's result to the search record (and the log, with validation); returns its validation NRMSE.
    private double Record(int i, ModelSpec candidate, double rate, string what, TrainingResult training)
    {
        double score = training.ValidationNrmse.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Min();
        _tried.Add(new JsonObject
        {
            ["model"] = OptionChecks.Describe(candidate), ["learningRate"] = rate,
            ["validationNrmse"] = double.IsFinite(score) ? score : null, ["epochs"] = training.EpochsCompleted,
            ["steps"] = training.TotalSteps, ["bestEpoch"] = training.BestEpoch,
        });
        if (_o.ValidationFraction > 0)
            _channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"Setting {i + 1}/{_candidates.Count}: {what}, learning rate {rate:G3}: validation NRMSE {score:G4} " +
                $"({training.TotalSteps} steps)."));
        return score;
    }

    // The chosen setting, from its validated weights, trained on all the data (the validation tail included) with a
    // fresh cosine schedule over the rest of the budget; the last weights are kept. Null when no time is left or the
    // refit diverged.
    private Simulator? Refit(Simulator screened, ModelSpec spec, double rate, long screenedSteps, bool encoder)
    {
        // The encoder's final fit, when one is kept, has its time after the refit.
        var reserve = encoder && EncoderTime is { } e ? e : TimeSpan.Zero;
        var left = _o.TimeBudget is { } budget ? budget - _clock.Elapsed - reserve : (TimeSpan?)null;
        if (left is { } l0 && l0 <= TimeSpan.FromSeconds(1)) return null;
        // The cosine schedule needs its length up front: as many steps as 90 % of the time left allows at the
        // screening's pace (validation passes included, so an overestimate of a step's time), within the table's
        // bounds. Small data sets thus use the budget they would otherwise leave idle.
        double secondsPerStep = _clock.Elapsed.TotalSeconds / Math.Max(1, screenedSteps);
        long steps = left is { } l && secondsPerStep > 0
            ? (long)Math.Clamp(0.9 * l.TotalSeconds / secondsPerStep, D.RefitSteps, D.MaxRefitSteps)
            : D.RefitSteps;
        var options = _engineOptions with
        {
            Model = spec,
            LearningRate = rate,
            ValidationFraction = 0,
            Steps = steps,
            TimeBudget = left,
            InitialParameters = (double[])screened.Model.Parameters.Clone(),
        };
        string what = $"{OptionChecks.Describe(spec)} simulator on all the data";
        var final = Train(options, _chosenStage! with { Model = what, IsRefit = true });
        if (!final.Training!.TrainLoss.All(double.IsFinite)) return null;
        _refitRecord = new JsonObject
        {
            ["learningRate"] = options.LearningRate, ["plannedSteps"] = steps,
            ["epochs"] = final.Training.EpochsCompleted, ["steps"] = final.Training.TotalSteps,
        };
        return final;
    }

    // Trains with progress logged about 25 times a run (and every epoch to the options' Progress).
    private Simulator Train(SimulatorOptions options, TrainingStage stage) =>
        TrainingRun.Run(_channel, _o, stage,
                        (progress, cancel) => Simulator.Train(_sequences, options, progress, cancel), sparseLog: true);

    /// <summary>The settings stored with the model (<see cref="SimulationTransformer.TrainingSettings"/>).</summary>
    public JsonObject Settings((ModelSpec Spec, double Rate) chosen) => new()
    {
        ["kind"] = chosen.Spec.Kind.ToString(),
        ["robustness"] = chosen.Spec.Robustness.ToString(),
        ["gamma"] = chosen.Spec.Gamma,
        ["stateSize"] = chosen.Spec.StateSize,
        ["features"] = chosen.Spec.NonlinearWidth,
        ["hiddenSizes"] = new JsonArray(chosen.Spec.HiddenSizes.Select(v => (JsonNode?)v).ToArray()),
        ["activation"] = chosen.Spec.Activation.ToString(),
        ["initialization"] = chosen.Spec.Initialization.ToString(),
        ["contractionRate"] = chosen.Spec.ContractionRate,
        ["epochs"] = _o.Epochs,
        ["schedule"] = _automatic ? "cosine" : "staircase",
        ["refit"] = _refitRecord,
        ["training"] = (_o.Training ?? SimulationTraining.TruncatedBptt).ToString(),
        ["encoder"] = _encoderRecord ?? (_o.Training == SimulationTraining.Subsequences
            ? new JsonObject { ["window"] = _o.EncoderWindow, ["kept"] = true } : null),
        ["learningRate"] = chosen.Rate,
        ["decayEveryEpochs"] = _o.DecayEveryEpochs,
        ["segmentLength"] = _o.SegmentLength,
        ["clipValue"] = _o.ClipValue,
        ["standardize"] = _o.Standardize,
        ["validationFraction"] = _o.ValidationFraction,
        ["search"] = _tried,
        ["seed"] = _seed,
    };
}
