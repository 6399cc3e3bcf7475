namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>A loss of a predicted output sequence against a target sequence, with its gradient.</summary>
public interface ISequenceLoss
{
    /// <summary>
    /// Evaluates the loss of <paramref name="predicted"/> against <paramref name="target"/> (both [T, B, ny])
    /// and writes dLoss/dPredicted into <paramref name="gradient"/> (same shape, overwritten).
    /// </summary>
    double Evaluate(ReadOnlySpan<float> predicted, ReadOnlySpan<float> target, int timeSteps, int batch, int outputs,
                    Span<float> gradient);
}
