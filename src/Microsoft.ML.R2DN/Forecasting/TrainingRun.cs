using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.R2DN.Engine.Training;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.R2DN.Forecasting;

/// <summary>What the forecasting and simulation estimators share around the engine's training call: progress through
/// the host (so it reaches <see cref="MLContext.Log"/>), cancellation through the options' token, and a clear error when
/// training diverges.</summary>
internal static class TrainingRun
{
    /// <summary>Runs <paramref name="train"/> with a progress callback that logs every epoch.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled, before, during or right after training: no
    /// model is returned.</exception>
    /// <exception cref="InvalidOperationException">The loss or a gradient became NaN or infinite.</exception>
    public static T Run<T>(IChannel channel, CancellationToken cancellation, string what, int epochs,
                           Func<Action<EpochReport>, CancellationToken, T> train)
    {
        cancellation.ThrowIfCancellationRequested();
        long start = Stopwatch.GetTimestamp();
        void Progress(EpochReport e) => channel.Info(MessageSensitivity.None, FormatEpoch(e, epochs));
        T result;
        try
        {
            result = train(Progress, cancellation);
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
            throw new InvalidOperationException($"Training the {what} diverged: the parameters grew too large for the model's " +
                                                $"parameterisation; no model was produced. Lower the learning rate or the clip value. ({e.Message})", e);
        }
        catch (OperationCanceledException)
        {
            channel.Info(MessageSensitivity.None, $"Training the {what} was cancelled.");
            throw;
        }
        // A cancellation that arrives after the last check of the engine still wins: a caller who cancelled never
        // receives a model.
        cancellation.ThrowIfCancellationRequested();
        channel.Info(MessageSensitivity.None, $"Trained the {what} in {Stopwatch.GetElapsedTime(start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s.");
        return result;
    }

    /// <summary>"epoch 3/60: loss 0.123, lr 1.0e-03, 0.4 s".</summary>
    public static string FormatEpoch(EpochReport e, int epochs) =>
        string.Create(CultureInfo.InvariantCulture,
                      $"epoch {e.Epoch + 1}/{epochs}: loss {e.TrainLoss:G3}, lr {e.LearningRate:0.0e+00}, {e.Seconds:0.0} s");

    /// <summary>The error a user sees when training diverges.</summary>
    public static InvalidOperationException Diverged(string what, TrainingDivergedException e) =>
        new($"Training the {what} diverged at epoch {e.Epoch + 1}: the loss or its gradient became NaN or infinite; no model was " +
            $"produced. Lower the learning rate or the clip value, or check the data for extreme values. (Engine: {e.Message})", e);

    /// <summary>A seed drawn from the host's random source: repeatable when the <see cref="MLContext"/> has a seed.</summary>
    public static int NextSeed(IHost host) => host.Rand.Next();
}
