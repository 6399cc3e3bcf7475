using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Engine.Training;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>Trains the engine's <see cref="Forecaster"/>, working around an engine defect for series without
/// features.</summary>
/// <remarks>
/// Implementation note: <see cref="Standardizer.Fit"/> never returns for zero columns (its row loop steps by the
/// column count), so <see cref="Forecaster.Train"/> hangs when there are no features. Until the engine is fixed, the
/// featureless case is trained here, step for step as <see cref="Forecaster.Train"/> does it (the same window,
/// standardisation, tensors, trainer options and schedule), and assembled with <see cref="Forecaster.FromParts"/>.
/// Every other case goes to the engine. Delete <see cref="TrainWithoutFeatures"/> once the engine handles zero columns.
/// </remarks>
internal static class ForecasterTraining
{
    /// <summary>Trains a forecaster and returns it with its per-epoch training losses.</summary>
    public static (Forecaster Forecaster, double[] TrainingLoss) Train(IReadOnlyList<SeriesData> series, ForecasterOptions options,
                                                                     Action<EpochReport> progress, CancellationToken cancellation)
    {
        if (series[0].FeatureCount > 0)
        {
            var trained = Forecaster.Train(series, options, progress, cancellation);
            return (trained, trained.Training!.TrainLoss.ToArray());
        }
        return TrainWithoutFeatures(series, options, progress, cancellation);
    }

    private static (Forecaster, double[]) TrainWithoutFeatures(IReadOnlyList<SeriesData> series, ForecasterOptions options,
                                                               Action<EpochReport> progress, CancellationToken cancellation)
    {
        options.Validate();
        int nt = series[0].TargetCount, h = options.Horizon;
        int length = series.Min(s => s.Length), batch = series.Count, ny = h * nt;
        int calibration = options.CalibrationFraction > 0 ? Math.Max(h + 1, (int)(length * options.CalibrationFraction)) : 0;
        int split = length - calibration, trainSteps = split - h;
        var targetScaling = Standardizer.Fit(series.Select(s => s.Targets[((s.Length - length) * nt)..((s.Length - calibration) * nt)]), nt);
        var featureScaling = new Standardizer([], []);

        // Time-major tensors over the common (end-aligned) window: u_t = y_t, target_t = y_{t+1..t+h} per target.
        var inputs = new float[trainSteps * batch * nt];    // (T, B, nt)
        var targets = new float[trainSteps * batch * ny];   // (T, B, nt·h)
        for (int b = 0; b < batch; b++)
        {
            var s = series[b];
            int offset = s.Length - length;
            for (int t = 0; t < trainSteps; t++)
                for (int j = 0; j < nt; j++)
                {
                    inputs[(t * batch + b) * nt + j] = targetScaling.Forward(s.Targets[(offset + t) * nt + j], j);
                    for (int k = 0; k < h; k++)
                        targets[(t * batch + b) * ny + j * h + k] = targetScaling.Forward(s.Targets[(offset + t + 1 + k) * nt + j], j);
                }
        }

        var model = options.Model.Create(nt, ny, options.Seed);
        if (options.Threads is int threads) model.Threads = threads;
        var data = new SequenceDataset(inputs, targets, trainSteps, batch, nt, ny);
        long stepsPerEpoch = SequenceDataset.GetSegmentCount(trainSteps, options.SegmentLength);
        var trainer = new Trainer();
        trainer.EpochCompleted += (_, e) => progress(e);
        var result = trainer.Fit(model, data, new TrainerOptions
        {
            Epochs = options.Epochs,
            SegmentLength = options.SegmentLength,
            Loss = new MeanSquaredError(),
            ClipValue = options.ClipValue,
            Schedule = new ExponentialDecaySchedule(options.LearningRate, Math.Max(1, stepsPerEpoch * options.Epochs), 0.1),
        }, cancellation);
        var forecaster = Forecaster.FromParts(model, h, nt, 0, targetScaling, featureScaling, [], options.ConfidenceLevel);
        return (forecaster, result.TrainLoss.ToArray());
    }
}
