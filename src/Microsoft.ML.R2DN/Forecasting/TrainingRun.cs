using System.Diagnostics;
using Microsoft.ML.R2DN.Engine.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>What the forecasting and simulation estimators share around the engine's training call: every epoch to the
/// host (so it reaches <see cref="MLContext.Log"/>) and to the options' <see cref="RecurrentModelOptions.Progress"/>,
/// cancellation through the options' token, and a clear error when training diverges.</summary>
internal static class TrainingRun
{
    /// <summary>Runs <paramref name="train"/> with a progress that logs the epochs and passes them on.</summary>
    /// <param name="channel">Where the epoch lines go.</param>
    /// <param name="options">The estimator's options: their token and their progress.</param>
    /// <param name="stage">Which training of the <c>Fit</c> this is.</param>
    /// <param name="train">The training, given the progress and the token.</param>
    /// <param name="sparseLog">True to log the first epoch and about every 25th of the way only (long simulation
    /// trainings); the options' progress still receives every epoch.</param>
    /// <exception cref="OperationCanceledException">The token was cancelled, before, during or right after training: no
    /// model is returned.</exception>
    /// <exception cref="InvalidOperationException">The loss or a gradient became NaN or infinite.</exception>
    public static T Run<T>(IChannel channel, RecurrentModelOptions options, TrainingStage stage,
                           Func<IProgress<EpochReport>, CancellationToken, T> train, bool sparseLog = false)
    {
        var cancellation = options.CancellationToken;
        cancellation.ThrowIfCancellationRequested();
        long start = Stopwatch.GetTimestamp();
        string what = stage.Model;
        var progress = new SynchronousProgress<EpochReport>(e =>
        {
            int every = sparseLog ? Math.Max(1, e.Epochs / 25) : 1;
            if (e.Epoch == 0 || e.Epoch % every == every - 1) channel.Info(MessageSensitivity.None, FormatEpoch(e));
            options.Progress?.Report(new TrainingProgress(stage, e));
        });
        T result;
        try
        {
            result = train(progress, cancellation);
        }
        catch (TrainingDivergedException e)
        {
            channel.Error(MessageSensitivity.None, $"Training the {what} diverged.");
            throw Diverged(what, e);
        }
        catch (ArgumentException e) when (e.ParamName == "Parameters")
        {
            // The parameters overflowed the direct-to-explicit map: divergence by another route.
            channel.Error(MessageSensitivity.None, $"Training the {what} diverged.");
            throw new InvalidOperationException(
                $"Training the {what} diverged: the parameters grew too large for the model's parameterisation; no " +
                $"model was produced. Lower the learning rate or the clip value. ({e.Message})", e);
        }
        catch (OperationCanceledException)
        {
            channel.Info(MessageSensitivity.None, $"Training the {what} was cancelled.");
            throw;
        }
        // A cancellation that arrives after the last check of the engine still wins: a caller who cancelled never
        // receives a model.
        cancellation.ThrowIfCancellationRequested();
        string seconds = Stopwatch.GetElapsedTime(start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        channel.Info(MessageSensitivity.None, $"Trained the {what} in {seconds} s.");
        return result;
    }

    /// <summary>"epoch 3/60: loss 0.123, lr 1.0e-03, 0.4 s".</summary>
    private static string FormatEpoch(EpochReport e) =>
        string.Create(CultureInfo.InvariantCulture,
                      $"epoch {e.Epoch + 1}/{e.Epochs}: loss {e.TrainLoss:G3}, lr {e.LearningRate:0.0e+00}, " +
                      $"{e.Seconds:0.0} s");

    /// <summary>The error a user sees when training diverges.</summary>
    private static InvalidOperationException Diverged(string what, TrainingDivergedException e) =>
        new($"Training the {what} diverged at epoch {e.Epoch + 1}: the loss or its gradient became NaN or " +
            "infinite; no model was produced. Lower the learning rate or the clip value, or check the data for " +
            $"extreme values. (Engine: {e.Message})", e);

    /// <summary>A seed drawn from the host's random source: repeatable when the <see cref="MLContext"/> has a
    /// seed.</summary>
    public static int NextSeed(IHost host) => host.Rand.Next();
}
