using Microsoft.ML.R2DN.Engine.Models;

namespace Microsoft.ML.R2DN.Engine.Tests.Training;

/// <summary>
/// Test-only linear state-space model x⁺ = A x + B u, y = C x + D u with flat parameters [A, B, C, D]
/// (row-major) and an exact gradient by hand-written backpropagation through time. Computes in double internally.
/// </summary>
internal sealed class LinearStateSpaceTestModel : ISequenceModel
{
    private readonly ParameterGroup _a, _b, _c, _d;

    public LinearStateSpaceTestModel(int stateSize, int inputSize, int outputSize)
    {
        StateSize = stateSize;
        InputSize = inputSize;
        OutputSize = outputSize;
        Layout = new ParameterLayout();
        _a = Layout.Add("A", stateSize, stateSize);
        _b = Layout.Add("B", stateSize, inputSize);
        _c = Layout.Add("C", outputSize, stateSize);
        _d = Layout.Add("D", outputSize, inputSize);
        Parameters = new double[Layout.Count];
    }

    public int InputSize { get; }
    public int StateSize { get; }
    public int OutputSize { get; }
    public int ParameterCount => Parameters.Length;
    public double[] Parameters { get; }
    public ParameterLayout Layout { get; }
    public int Threads { get; set; } = 1;

    /// <summary>Number of calls to <see cref="LossAndGradient"/> so far.</summary>
    public int GradientCalls { get; private set; }

    public void SetMatrices(double[] a, double[] b, double[] c, double[] d)
    {
        a.CopyTo(_a.Slice(Parameters));
        b.CopyTo(_b.Slice(Parameters));
        c.CopyTo(_c.Slice(Parameters));
        d.CopyTo(_d.Slice(Parameters));
    }

    public LinearStateSpaceTestModel Clone()
    {
        var m = new LinearStateSpaceTestModel(StateSize, InputSize, OutputSize) { Threads = Threads };
        Parameters.CopyTo(m.Parameters, 0);
        return m;
    }

    public void Simulate(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch,
                         Span<float> outputs, Span<float> finalState)
    {
        var xs = new double[(timeSteps + 1) * batch * StateSize];
        Forward(initialState, inputs, timeSteps, batch, outputs, xs);
        CopyFinal(xs, timeSteps, batch, finalState);
    }

    public double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs,
                                  ReadOnlySpan<float> targets, int timeSteps, int batch, ISequenceLoss loss,
                                  Span<double> gradient, Span<float> finalState)
    {
        GradientCalls++;
        int nx = StateSize, nu = InputSize, ny = OutputSize;
        var xs = new double[(timeSteps + 1) * batch * nx];
        var y = new float[timeSteps * batch * ny];
        Forward(initialState, inputs, timeSteps, batch, y, xs);
        CopyFinal(xs, timeSteps, batch, finalState);
        var gy = new float[y.Length];
        double value = loss.Evaluate(y, targets, timeSteps, batch, ny, gy);

        gradient.Clear();
        Span<double> dA = _a.Slice(gradient), dB = _b.Slice(gradient), dC = _c.Slice(gradient), dD = _d.Slice(gradient);
        ReadOnlySpan<double> A = _a.Slice(Parameters), C = _c.Slice(Parameters);
        // lambda[b, i] = dL/dx_{t+1}[b, i]; zero beyond the horizon (x_T is not in the loss).
        var lambda = new double[batch * nx];
        var lambdaPrev = new double[batch * nx];
        for (int t = timeSteps - 1; t >= 0; t--)
        {
            for (int b = 0; b < batch; b++)
            {
                int xo = (t * batch + b) * nx, uo = (t * batch + b) * nu, yo = (t * batch + b) * ny, lo = b * nx;
                // x_{t+1} = A x_t + B u_t
                for (int i = 0; i < nx; i++)
                {
                    double l = lambda[lo + i];
                    for (int j = 0; j < nx; j++) dA[i * nx + j] += l * xs[xo + j];
                    for (int j = 0; j < nu; j++) dB[i * nu + j] += l * inputs[uo + j];
                }
                // y_t = C x_t + D u_t
                for (int c = 0; c < ny; c++)
                {
                    double g = gy[yo + c];
                    for (int j = 0; j < nx; j++) dC[c * nx + j] += g * xs[xo + j];
                    for (int j = 0; j < nu; j++) dD[c * nu + j] += g * inputs[uo + j];
                }
                // dL/dx_t = Aᵀ lambda + Cᵀ gy
                for (int j = 0; j < nx; j++)
                {
                    double s = 0;
                    for (int i = 0; i < nx; i++) s += A[i * nx + j] * lambda[lo + i];
                    for (int c = 0; c < ny; c++) s += C[c * nx + j] * gy[yo + c];
                    lambdaPrev[lo + j] = s;
                }
            }
            (lambda, lambdaPrev) = (lambdaPrev, lambda);
        }
        return value;
    }

    private void Forward(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch,
                         Span<float> outputs, double[] xs)
    {
        int nx = StateSize, nu = InputSize, ny = OutputSize;
        ReadOnlySpan<double> A = _a.Slice(Parameters), B = _b.Slice(Parameters);
        ReadOnlySpan<double> C = _c.Slice(Parameters), D = _d.Slice(Parameters);
        for (int k = 0; k < batch * nx; k++) xs[k] = initialState[k];
        for (int t = 0; t < timeSteps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int xo = (t * batch + b) * nx, xn = ((t + 1) * batch + b) * nx;
                int uo = (t * batch + b) * nu, yo = (t * batch + b) * ny;
                for (int c = 0; c < ny; c++)
                {
                    double s = 0;
                    for (int j = 0; j < nx; j++) s += C[c * nx + j] * xs[xo + j];
                    for (int j = 0; j < nu; j++) s += D[c * nu + j] * inputs[uo + j];
                    outputs[yo + c] = (float)s;
                }
                for (int i = 0; i < nx; i++)
                {
                    double s = 0;
                    for (int j = 0; j < nx; j++) s += A[i * nx + j] * xs[xo + j];
                    for (int j = 0; j < nu; j++) s += B[i * nu + j] * inputs[uo + j];
                    xs[xn + i] = s;
                }
            }
        }
    }

    private void CopyFinal(double[] xs, int timeSteps, int batch, Span<float> finalState)
    {
        int n = batch * StateSize, o = timeSteps * n;
        for (int k = 0; k < n; k++) finalState[k] = (float)xs[o + k];
    }
}

/// <summary>Delegates to an inner model but makes call number <see cref="FailAtCall"/> (1-based) return a NaN loss or
/// gradient.</summary>
internal sealed class FaultyModel(ISequenceModel inner, int failAtCall, bool nanGradientOnly = false) : ISequenceModel
{
    private int _calls;

    public int FailAtCall { get; } = failAtCall;
    public int InputSize => inner.InputSize;
    public int StateSize => inner.StateSize;
    public int OutputSize => inner.OutputSize;
    public int ParameterCount => inner.ParameterCount;
    public double[] Parameters => inner.Parameters;
    public ParameterLayout Layout => inner.Layout;
    public int Threads { get => inner.Threads; set => inner.Threads = value; }

    public void Simulate(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs, int timeSteps, int batch,
                         Span<float> outputs, Span<float> finalState) =>
        inner.Simulate(initialState, inputs, timeSteps, batch, outputs, finalState);

    public double LossAndGradient(ReadOnlySpan<float> initialState, ReadOnlySpan<float> inputs,
                                  ReadOnlySpan<float> targets, int timeSteps, int batch, ISequenceLoss loss,
                                  Span<double> gradient, Span<float> finalState)
    {
        double value = inner.LossAndGradient(initialState, inputs, targets, timeSteps, batch, loss, gradient,
                                             finalState);
        if (++_calls != FailAtCall) return value;
        if (nanGradientOnly)
        {
            gradient[gradient.Length - 1] = double.PositiveInfinity;
            return value;
        }
        return double.NaN;
    }
}
