namespace Microsoft.ML.R2DN.Engine.Models;

/// <summary>
/// A recurrent model x_{t+1} = f(x_t, u_t), y_t = g(x_t, u_t) whose trainable (direct) parameters live in one
/// flat <see cref="double"/> array, evaluated over batches of sequences.
/// </summary>
/// <remarks>
/// Arrays are time-major and row-major: an input sequence is <c>u[t, b, i]</c> stored at
/// <c>(t * batch + b) * InputSize + i</c>; a state is <c>x[b, i]</c> at <c>b * StateSize + i</c>.
/// The direct-to-explicit map runs once per call, never once per time step.
/// Instances are not thread-safe: each call may use all <see cref="Threads"/> cores internally.
/// </remarks>
public interface ISequenceModel
{
    /// <summary>Number of inputs nu.</summary>
    int InputSize { get; }

    /// <summary>Number of states nx.</summary>
    int StateSize { get; }

    /// <summary>Number of outputs ny.</summary>
    int OutputSize { get; }

    /// <summary>Number of trainable parameters (the length of <see cref="Parameters"/>).</summary>
    int ParameterCount { get; }

    /// <summary>The trainable direct parameters, laid out as <see cref="Layout"/> says. Writable: a trainer updates it
    /// in place.</summary>
    double[] Parameters { get; }

    /// <summary>Names, shapes and offsets of the parameter groups inside <see cref="Parameters"/>.</summary>
    ParameterLayout Layout { get; }

    /// <summary>Number of threads used by <see cref="Simulate"/> and <see cref="LossAndGradient"/> (at
    /// least 1).</summary>
    int Threads { get; set; }

    /// <summary>
    /// Runs the model from <paramref name="initialState"/> over <paramref name="timeSteps"/> steps of
    /// <paramref name="batch"/> sequences.
    /// </summary>
    /// <param name="initialState">x_0, shape [batch, nx].</param>
    /// <param name="inputs">u, shape [timeSteps, batch, nu].</param>
    /// <param name="timeSteps">T &gt; 0.</param>
    /// <param name="batch">B &gt; 0.</param>
    /// <param name="outputs">Receives y_0..y_{T-1}, shape [timeSteps, batch, ny].</param>
    /// <param name="finalState">Receives x_T, shape [batch, nx].</param>
    void Simulate(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch,
                  Span<float> outputs, Span<float> finalState);

    /// <summary>
    /// Runs the model like <see cref="Simulate"/>, evaluates <paramref name="loss"/>
    /// against <paramref name="targets"/>, and writes the exact gradient of the loss with respect to every direct
    /// parameter into <paramref name="gradient"/> (overwritten, not accumulated). The initial state is treated as a
    /// constant (truncated BPTT).
    /// </summary>
    /// <returns>The loss value.</returns>
    double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets,
                           int timeSteps, int batch, ISequenceLoss loss, Span<double> gradient, Span<float> finalState);
}
