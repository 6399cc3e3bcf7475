using System.Diagnostics;

namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>
/// Trains a recurrent model and its initial-state encoder together on many short subsequences at once (the deep
/// subspace encoder method, SUBNET): each optimiser step draws K subsequences of length T at random from the training
/// rows, starts each from x_0 = ψ(the n measured inputs and outputs just before it), simulates the model over it, and
/// takes one Adam step on the mean squared error, through the model and into the encoder.
/// </summary>
/// <remarks>
/// <para>Short independent subsequences give many well-conditioned gradient steps, and the batch (K) is the matrix
/// dimension of the model's time loop. The sequences must be in the model's units (standardised); each may have its
/// own length. Legend: n = encoder window, T = subsequence length, K = subsequences per step.</para>
/// <para>With validation, the tail of every sequence is held out: it is simulated from the encoder's estimate on the
/// n rows before it and scored by NRMSE over the whole tail; the best validated parameters (model and encoder) are
/// kept. Progress is reported every <see cref="SubsequenceOptions.ValidateEvery"/> steps as one "epoch".</para>
/// </remarks>
public static class SubsequenceTrainer
{
    /// <summary>Trains <paramref name="model"/> and <paramref name="encoder"/> in place.</summary>
    /// <returns>Per round of <see cref="SubsequenceOptions.ValidateEvery"/> steps: the mean training loss and the
    /// validation NRMSE; the best round; the steps taken.</returns>
    /// <exception cref="ArgumentException">The sizes do not match, or no sequence is long enough for one window and
    /// one subsequence.</exception>
    /// <exception cref="TrainingDivergedException">A loss or gradient was NaN or infinite (the best parameters are
    /// restored first).</exception>
    /// <exception cref="OperationCanceledException">Cancelled (the best parameters so far are restored).</exception>
    public static TrainingResult Fit(RecurrentModel model, StateEncoder encoder, IReadOnlyList<SequenceData> sequences,
                                     SubsequenceOptions options, IProgress<EpochReport>? progress = null,
                                     CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckSizes(model, encoder, sequences);
        if (options.Threads is int threads) model.Threads = threads;
        var split = sequences.Select(s => TrainingRows(s, options.ValidationFraction, encoder.Window)).ToArray();
        var sampler = new SubsequenceSampler(sequences, split, encoder.Window, options, options.Seed);
        var run = new Run(model, encoder, sequences, split, options, sampler);
        return run.Train(progress, cancellationToken);
    }

    /// <summary>The rows of <paramref name="sequence"/> that train: all but the validation tail.</summary>
    internal static int TrainingRows(SequenceData sequence, double validationFraction, int window)
    {
        if (validationFraction <= 0) return sequence.Length;
        int tail = Math.Max(1, (int)(sequence.Length * validationFraction));
        // A tail needs the encoder's window before it; a sequence too short for that is not validated on.
        return sequence.Length - tail >= window ? sequence.Length - tail : sequence.Length;
    }

    private static void CheckSizes(RecurrentModel model, StateEncoder encoder, IReadOnlyList<SequenceData> sequences)
    {
        if (encoder.StateSize != model.StateSize || encoder.InputSize != model.InputSize
            || encoder.OutputSize != model.OutputSize)
            throw new ArgumentException($"The encoder estimates {encoder.StateSize} states from {encoder.InputSize} " +
                $"inputs and {encoder.OutputSize} outputs; the model has {model.StateSize}, {model.InputSize} and " +
                $"{model.OutputSize}.", nameof(encoder));
        foreach (var s in sequences)
            if (s.InputCount != model.InputSize || s.OutputCount != model.OutputSize || s.Outputs.Length == 0)
                throw new ArgumentException($"Sequence '{s.Name}' has {s.InputCount} inputs and " +
                    $"{(s.Outputs.Length == 0 ? 0 : s.OutputCount)} outputs; the model needs {model.InputSize} and " +
                    $"{model.OutputSize}.", nameof(sequences));
    }

    // One training run's buffers and bookkeeping, allocated once.
    private sealed class Run
    {
        private readonly RecurrentModel _model;
        private readonly StateEncoder _encoder;
        private readonly IReadOnlyList<SequenceData> _sequences;
        private readonly int[] _split;
        private readonly SubsequenceOptions _options;
        private readonly SubsequenceSampler _sampler;
        private readonly double[] _joint, _gradient, _best;
        private readonly float[] _x0, _final, _dx0;
        private readonly AdamOptimizer _adam;
        private readonly ISequenceLoss _loss = new MeanSquaredError();

        public Run(RecurrentModel model, StateEncoder encoder, IReadOnlyList<SequenceData> sequences, int[] split,
                   SubsequenceOptions options, SubsequenceSampler sampler)
        {
            _model = model; _encoder = encoder; _sequences = sequences; _split = split; _options = options;
            _sampler = sampler;
            int p = model.ParameterCount, q = encoder.ParameterCount, k = options.SubsequencesPerStep;
            _joint = new double[p + q];
            model.Parameters.CopyTo(_joint, 0);
            encoder.Parameters.CopyTo(_joint, p);
            _gradient = new double[p + q];
            _best = (double[])_joint.Clone();
            _x0 = new float[k * model.StateSize];
            _final = new float[k * model.StateSize];
            _dx0 = new float[k * model.StateSize];
            _adam = new AdamOptimizer(p + q);
        }

        private bool Validating => _split.Select((rows, b) => rows < _sequences[b].Length).Any(v => v);

        public TrainingResult Train(IProgress<EpochReport>? progress, CancellationToken cancel)
        {
            var o = _options;
            // By steps only, so that a run repeats bit for bit; the time budget only ends it.
            var schedule = new BudgetedCosineSchedule(o.LearningRate, o.Steps, null);
            var clock = Stopwatch.StartNew();
            var losses = new List<double>();
            var nrmses = new List<double>();
            var seconds = new List<double>();
            double best = double.PositiveInfinity, roundLoss = 0;
            int bestRound = -1, inRound = 0;
            long step = 0;
            bool stopped = false;
            long roundStart = Stopwatch.GetTimestamp();
            while (step < o.Steps)
            {
                if (cancel.IsCancellationRequested) Restore(throwCancelled: cancel);
                if (o.TimeBudget is { } budget && clock.Elapsed >= budget) { stopped = true; break; }
                double rate = schedule.GetLearningRate(step);
                roundLoss += Step(rate, step);
                step++;
                inRound++;
                if (inRound < o.ValidateEvery && step < o.Steps) continue;
                double nrmse = Validating ? ValidationNrmse() : double.NaN;
                double monitored = Validating ? nrmse : roundLoss / inRound;
                bool isBest = monitored < best;
                if (isBest) { best = monitored; bestRound = losses.Count; _joint.CopyTo(_best, 0); }
                double roundSeconds = Stopwatch.GetElapsedTime(roundStart).TotalSeconds;
                losses.Add(roundLoss / inRound); nrmses.Add(nrmse); seconds.Add(roundSeconds);
                progress?.Report(Report(losses.Count - 1, roundLoss / inRound, nrmse, rate, roundSeconds, step, isBest,
                                        clock.Elapsed));
                roundLoss = 0; inRound = 0; roundStart = Stopwatch.GetTimestamp();
            }
            bool restore = Validating && bestRound >= 0;
            if (restore) _best.CopyTo(_joint, 0);
            Unpack();
            return new TrainingResult([.. losses], [.. nrmses], [.. nrmses], [.. seconds], bestRound, best, stopped,
                                      restore, step);
        }

        // A round of ValidateEvery steps as an epoch: the planned rounds, and the time left at the pace so far (at
        // most what the budget leaves).
        private EpochReport Report(int round, double loss, double nrmse, double rate, double seconds, long step,
                                   bool isBest, TimeSpan elapsed)
        {
            var o = _options;
            int rounds = (int)Math.Min(int.MaxValue, (o.Steps + o.ValidateEvery - 1) / o.ValidateEvery);
            var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / step * (o.Steps - step));
            if (o.TimeBudget is { } budget && budget - elapsed < remaining)
                remaining = budget > elapsed ? budget - elapsed : TimeSpan.Zero;
            return new EpochReport(round, rounds, loss, nrmse, nrmse, rate, 1, seconds, 0, step, isBest, elapsed,
                                   remaining);
        }

        // One optimiser step: K subsequences from their encoded states, the loss's gradient through the model and the
        // encoder, element-wise clipping, Adam on the joint vector.
        private double Step(double rate, long step)
        {
            int k = _options.SubsequencesPerStep, T = _options.SubsequenceLength, p = _model.ParameterCount;
            var batch = _sampler.Next();
            _encoder.Encode(batch.Windows, k, _x0);
            var modelGradient = _gradient.AsSpan(0, p);
            double loss = _model.LossAndGradient(_x0, batch.Inputs, batch.Targets, T, k, _loss, modelGradient, _final,
                                                 _dx0);
            if (!_options.TrainModel) modelGradient.Clear();   // Adam then leaves the model where it is
            var encoderGradient = _gradient.AsSpan(p);
            encoderGradient.Clear();
            _encoder.Backward(_dx0, encoderGradient);
            if (!double.IsFinite(loss) || !GradientClipping.AllFinite(_gradient))
            {
                _best.CopyTo(_joint, 0);
                Unpack();
                throw new TrainingDivergedException(0, 0, step, loss,
                    $"Subsequence training diverged at step {step}: the loss is {loss} or the gradient is not " +
                    "finite. The best parameters so far were restored. Try a lower learning rate or a smaller clip " +
                    "value.");
            }
            GradientClipping.ClipElementWise(_gradient, _options.ClipValue);
            _adam.Step(_joint, _gradient, rate);
            Unpack();
            return loss;
        }

        // NRMSE over every validation tail, each simulated from the encoder's estimate on the rows just before it.
        private double ValidationNrmse()
        {
            double num = 0, den = 0;
            for (int b = 0; b < _sequences.Count; b++)
            {
                var s = _sequences[b];
                int from = _split[b], ny = s.OutputCount;
                if (from >= s.Length) continue;
                var y = new float[(s.Length - from) * ny];
                EncodedSimulation.Simulate(_model, _encoder, s, from, s.Length, y);
                for (int i = 0; i < y.Length; i++)
                {
                    double truth = s.Outputs[from * ny + i], d = truth - y[i];
                    num += d * d; den += truth * truth;
                }
            }
            return den > 0 ? Math.Sqrt(num / den) : double.NaN;
        }

        private void Unpack()
        {
            int p = _model.ParameterCount;
            _joint.AsSpan(0, p).CopyTo(_model.Parameters);
            _joint.AsSpan(p).CopyTo(_encoder.Parameters);
        }

        private void Restore(CancellationToken throwCancelled)
        {
            if (Validating) _best.CopyTo(_joint, 0);
            Unpack();
            throw new OperationCanceledException("Training was cancelled.", throwCancelled);
        }
    }
}
