using System.Diagnostics;

namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>
/// Trains an <see cref="ISequenceModel"/> by truncated backpropagation through time with Adam, following the
/// protocol of MODELS.md §4: per epoch the state starts at zero, the time axis is cut into near-equal segments,
/// and each segment is one step (loss and gradient → clip → Adam with the scheduled rate), with the final state
/// carried to the next segment.
/// </summary>
/// <remarks>
/// <para><b>Determinism.</b> Given the same initial parameters, data, options and thread count, two fits produce
/// bit-identical losses and parameters on the same machine, provided the model itself is deterministic: the trainer
/// draws random numbers only from <see cref="TrainerOptions.Seed"/> and does every reduction in a fixed order.</para>
/// <para><b>Memory.</b> All buffers are allocated once per <see cref="Fit"/>; a segment step allocates nothing in the
/// trainer.</para>
/// <para><b>Parameters on exit.</b> On normal completion the model holds the last parameters, or the best ones when
/// <see cref="TrainerOptions.ShouldRestoreBestWeights"/>. On cancellation it holds the best parameters when
/// <see cref="TrainerOptions.ShouldRestoreBestWeights"/>, else those at the end of the last completed epoch (the
/// initial ones if none completed). On divergence it holds the best parameters seen (the initial ones if the
/// monitored loss never improved). "Best" is judged by the validation loss when validation data is given, else by
/// the epoch's mean training loss.</para>
/// <para>A <see cref="Trainer"/> has no state; one instance may run fits one after another.</para>
/// </remarks>
public sealed class Trainer
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, updating
    /// <see cref="ISequenceModel.Parameters"/> in place.</summary>
    /// <param name="model">The model; its parameters are the starting point and receive the result.</param>
    /// <param name="train">The training sequences; their input and output sizes must match the model's.</param>
    /// <param name="options">The settings; checked with <see cref="TrainerOptions.Validate"/>.</param>
    /// <param name="progress">Receives an <see cref="EpochReport"/> after every completed epoch (after validation and
    /// the best-weights bookkeeping), synchronously on the fitting thread; null (default) for none.</param>
    /// <param name="cancellationToken">Checked before every segment step and before validation.</param>
    /// <returns>Per-epoch losses, timings and the best epoch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent, or the data's sizes do not match the
    /// model's.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient was NaN or infinite (the best parameters are
    /// restored first).</exception>
    /// <exception cref="InvalidOperationException">The schedule returned an invalid learning rate.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (parameters are
    /// restored as the remarks say).</exception>
    public TrainingResult Fit(ISequenceModel model, SequenceDataset train, TrainerOptions options,
                              IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckModel(model, train, nameof(train));
        var validation = options.ValidationData;
        if (validation is not null) CheckModel(model, validation, nameof(options));

        if (options.Threads is int threads) model.Threads = threads;

        double[] parameters = model.Parameters;
        int parameterCount = parameters.Length;
        int nx = model.StateSize, ny = model.OutputSize;
        int batch = train.Batch;
        ISequenceLoss loss = options.Loss;
        ILearningRateSchedule schedule = options.Schedule;
        ReduceOnPlateau? plateau = options.Plateau;
        plateau?.Reset();
        bool restoreBest = options.ShouldRestoreBestWeights;
        long fitStart = Stopwatch.GetTimestamp();

        // Buffers, allocated once per fit.
        TimeSegment[] segments = train.Split(options.SegmentLength);
        int[] order = new int[segments.Length];
        var optimizer = new AdamOptimizer(parameterCount, options.Beta1, options.Beta2, options.Epsilon);
        var gradient = new double[parameterCount];
        var best = (double[])parameters.Clone();
        var lastCompleted = restoreBest ? null : (double[])parameters.Clone();
        var zeroState = new float[batch * nx];
        var stateIn = new float[batch * nx];
        var stateOut = new float[batch * nx];
        Random? rng = options.ShuffleSegments ? new Random(options.Seed) : null;

        float[]? valZero = null, valOutputs = null, valFinal = null, valLossGradient = null;
        if (validation is not null)
        {
            valZero = new float[validation.Batch * nx];
            valFinal = new float[validation.Batch * nx];
            valOutputs = new float[validation.TimeSteps * validation.Batch * ny];
            valLossGradient = new float[(validation.TimeSteps - options.ValidationWashout) * validation.Batch * ny];
        }

        int epochs = options.Epochs;
        var trainLoss = new List<double>(epochs);
        var valLossList = new List<double>(epochs);
        var valNrmseList = new List<double>(epochs);
        var seconds = new List<double>(epochs);

        double bestLoss = double.PositiveInfinity;
        int bestEpoch = -1;
        int sinceImprovement = 0;
        bool stoppedEarly = false;
        double plateauScale = 1.0;

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            ThrowIfCancelled(cancellationToken, parameters, restoreBest ? best : lastCompleted!);

            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < order.Length; k++) order[k] = k;
            rng?.Shuffle(order);
            Array.Clear(stateIn);

            double lossSum = 0;
            double lastRate = 0;
            for (int s = 0; s < order.Length; s++)
            {
                ThrowIfCancelled(cancellationToken, parameters, restoreBest ? best : lastCompleted!);

                TimeSegment segment = segments[order[s]];
                ReadOnlySpan<float> initial = options.CarryState ? stateIn : zeroState;
                double value = model.LossAndGradient(initial, train.GetInputs(segment), train.GetTargets(segment),
                                                     segment.Length, batch, loss, gradient, stateOut);
                if (!double.IsFinite(value) || !GradientClipping.AllFinite(gradient))
                {
                    best.CopyTo(parameters, 0);
                    string what = double.IsFinite(value) ? "the gradient has a NaN or infinite entry"
                                                         : $"the loss is {value}";
                    throw new TrainingDivergedException(epoch, s, optimizer.StepCount, value,
                        $"Training diverged at epoch {epoch}, step {s} of {order.Length} " +
                        $"(optimiser step {optimizer.StepCount}, " +
                        $"time steps {segment.Start}–{segment.End - 1}): {what}. " +
                        (bestEpoch >= 0
                            ? $"The parameters of the best epoch ({bestEpoch}) were restored."
                            : "The initial parameters were restored.") +
                        " Try a lower learning rate or a smaller clip value.");
                }

                GradientClipping.Apply(options.ClipMode, gradient, options.ClipValue);

                double rate = schedule.GetLearningRate(optimizer.StepCount) * plateauScale;
                if (!(rate >= 0) || !double.IsFinite(rate))
                {
                    best.CopyTo(parameters, 0);
                    throw new InvalidOperationException(
                        $"The learning-rate schedule {schedule} returned {rate} (× plateau scale {plateauScale}) " +
                        $"for step {optimizer.StepCount}; it must be finite and ≥ 0.");
                }
                optimizer.Step(parameters, gradient, rate);
                lastRate = rate;
                lossSum += value;

                if (options.CarryState) (stateIn, stateOut) = (stateOut, stateIn);
            }
            double epochSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double epochLoss = lossSum / order.Length;

            if (plateau is not null) plateauScale = plateau.Update(epochLoss);

            double valLoss = double.NaN, valNrmse = double.NaN, valSeconds = 0;
            bool validated = false;
            if (validation is not null && ((epoch + 1) % options.ValidateEvery == 0 || epoch == epochs - 1))
            {
                ThrowIfCancelled(cancellationToken, parameters, restoreBest ? best : lastCompleted!);
                long valStart = Stopwatch.GetTimestamp();
                (valLoss, valNrmse) = Validate(model, validation, options.ValidationWashout, loss,
                                               valZero!, valOutputs!, valFinal!, valLossGradient!);
                valSeconds = Stopwatch.GetElapsedTime(valStart).TotalSeconds;
                validated = true;
            }

            bool evaluated = validation is null || validated;
            double monitored = validation is null ? epochLoss : valLoss;
            bool isBest = false;
            if (evaluated)
            {
                if (monitored < bestLoss)
                {
                    bestLoss = monitored;
                    bestEpoch = epoch;
                    parameters.CopyTo(best, 0);
                    sinceImprovement = 0;
                    isBest = true;
                }
                else
                {
                    sinceImprovement++;
                }
            }
            if (lastCompleted is not null) parameters.CopyTo(lastCompleted, 0);

            trainLoss.Add(epochLoss);
            valLossList.Add(valLoss);
            valNrmseList.Add(valNrmse);
            seconds.Add(epochSeconds);

            if (progress is not null)
            {
                var elapsed = Stopwatch.GetElapsedTime(fitStart);
                progress.Report(new EpochReport(epoch, epochs, epochLoss, valLoss, valNrmse, lastRate, plateauScale,
                                                epochSeconds, valSeconds, optimizer.StepCount, isBest, elapsed,
                                                Remaining(elapsed, epoch + 1, epochs, options.TimeBudget)));
            }

            bool patienceSpent = options.EarlyStoppingPatience is int patience && sinceImprovement >= patience;
            if (patienceSpent && evaluated && epoch < epochs - 1)
            {
                stoppedEarly = true;
                break;
            }
            if (options.TimeBudget is { } budget && Stopwatch.GetElapsedTime(fitStart) >= budget && epoch < epochs - 1)
            {
                stoppedEarly = true;
                break;
            }
        }

        bool restored = false;
        if (restoreBest && bestEpoch >= 0)
        {
            best.CopyTo(parameters, 0);
            restored = true;
        }

        return new TrainingResult(trainLoss.ToArray(), valLossList.ToArray(), valNrmseList.ToArray(), seconds.ToArray(),
                                  bestEpoch, bestLoss, stoppedEarly, restored, optimizer.StepCount);
    }

    /// <summary>
    /// Simulates every sequence of <paramref name="data"/> from a zero state over its whole length and returns the loss
    /// and NRMSE over the time steps t ≥ <paramref name="washout"/>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The sequences; sizes must match the model's.</param>
    /// <param name="washout">Leading time steps discarded, in [0, T).</param>
    /// <param name="loss">The loss to report; null for <see cref="SumSquaredErrorMeanOverTime"/>.</param>
    /// <returns>The loss and the NRMSE (a fraction).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The sizes do not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="washout"/> is out of range.</exception>
    public static (double Loss, double Nrmse) Evaluate(ISequenceModel model, SequenceDataset data, int washout,
                                                       ISequenceLoss? loss = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        CheckModel(model, data, nameof(data));
        ArgumentOutOfRangeException.ThrowIfNegative(washout);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(washout, data.TimeSteps);
        int nx = model.StateSize, ny = model.OutputSize;
        return Validate(model, data, washout, loss ?? new SumSquaredErrorMeanOverTime(),
                        new float[data.Batch * nx], new float[data.TimeSteps * data.Batch * ny],
                        new float[data.Batch * nx], new float[(data.TimeSteps - washout) * data.Batch * ny]);
    }

    private static (double Loss, double Nrmse) Validate(ISequenceModel model, SequenceDataset data, int washout,
                                                        ISequenceLoss loss, float[] zeroState, float[] outputs,
                                                        float[] finalState, float[] lossGradient)
    {
        Array.Clear(zeroState);
        model.Simulate(zeroState, data.Inputs.Span, data.TimeSteps, data.Batch, outputs, finalState);
        int kept = data.TimeSteps - washout;
        int offset = washout * data.Batch * data.OutputSize;
        ReadOnlySpan<float> predicted = outputs.AsSpan(offset);
        ReadOnlySpan<float> target = data.Targets.Span.Slice(offset);
        double value = loss.Evaluate(predicted, target, kept, data.Batch, data.OutputSize, lossGradient);
        double nrmse = Metrics.Nrmse(predicted, target, kept, data.Batch, data.OutputSize);
        return (value, nrmse);
    }

    private static void CheckModel(ISequenceModel model, SequenceDataset data, string paramName)
    {
        if (model.Parameters is null || model.Parameters.Length != model.ParameterCount)
            throw new ArgumentException(
                $"The model's Parameters array has length {model.Parameters?.Length ?? 0}, but ParameterCount is " +
                $"{model.ParameterCount}.",
                nameof(model));
        if (model.StateSize < 0)
            throw new ArgumentException($"The model's StateSize ({model.StateSize}) is negative.", nameof(model));
        if (data.InputSize != model.InputSize)
            throw new ArgumentException(
                $"The data has {data.InputSize} inputs per step but the model expects {model.InputSize}.", paramName);
        if (data.OutputSize != model.OutputSize)
            throw new ArgumentException(
                $"The data has {data.OutputSize} targets per step but the model produces {model.OutputSize} outputs.",
                paramName);
    }

    // The mean epoch so far times the epochs left, cut at the time budget (no epoch starts after it).
    private static TimeSpan Remaining(TimeSpan elapsed, int completed, int epochs, TimeSpan? budget)
    {
        var left = elapsed / completed * (epochs - completed);
        return budget is { } b && b - elapsed < left ? TimeSpan.FromTicks(Math.Max(0, (b - elapsed).Ticks)) : left;
    }

    private static void ThrowIfCancelled(CancellationToken token, double[] parameters, double[] restoreFrom)
    {
        if (!token.IsCancellationRequested) return;
        restoreFrom.CopyTo(parameters, 0);
        throw new OperationCanceledException("Training was cancelled.", token);
    }
}
