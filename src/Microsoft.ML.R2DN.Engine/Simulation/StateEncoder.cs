using System.Numerics.Tensors;

namespace Microsoft.ML.R2DN.Engine.Simulation;

/// <summary>
/// An estimator of a simulator's initial state from the measurements just before it (the encoder of the deep
/// subspace encoder method, SUBNET, Beintema, Schoukens and Tóth): x_0 = ψ(z), where z holds the last
/// <see cref="Window"/> inputs and outputs, oldest first, [u_{−n}, y_{−n}, …, u_{−1}, y_{−1}]
/// in standardised units.
/// </summary>
/// <remarks>
/// <para>ψ is a small network: h_0 = z, h_l = tanh(W_l h_{l−1} + b_l) for each hidden layer, and
/// x_0 = W_o h_L + b_o + W_s z (a linear skip from the window). It only sets the state the recurrent model starts
/// from, so it changes nothing about the model's contraction or Lipschitz certificate, which hold from any initial
/// state; a contracting model also forgets a wrong estimate.</para>
/// <para>The parameters are one flat float64 array: for each hidden layer W_l [h_l, in_l] then b_l [h_l]; then W_o
/// [nx, h_L], b_o [nx] and W_s [nx, n·(nu + ny)], each row-major. Dimension legend: n = window, nu = inputs,
/// ny = outputs, nx = states, K = batch.</para>
/// <para>Not thread-safe: one call at a time (the last forward pass is kept for the backward one).</para>
/// </remarks>
public sealed class StateEncoder
{
    private readonly int[] _widths;   // layer widths: nin, h_1, …, h_L
    private double[][] _activations = [];   // per layer l, [K, width_l]: h_l of the last forward pass (h_0 = z)
    private double[] _delta = [], _next = [];
    private int _batch;

    private StateEncoder(int window, int inputs, int outputs, int states, int[] hidden, double[] parameters)
    {
        Window = window; InputSize = inputs; OutputSize = outputs; StateSize = states;
        HiddenSizes = (int[])hidden.Clone();
        _widths = [FeatureSize, .. hidden];
        Parameters = parameters;
    }

    /// <summary>The number of past steps n the encoder reads.</summary>
    public int Window { get; }

    /// <summary>Inputs nu per step.</summary>
    public int InputSize { get; }

    /// <summary>Outputs ny per step.</summary>
    public int OutputSize { get; }

    /// <summary>The state size nx it estimates.</summary>
    public int StateSize { get; }

    /// <summary>The widths of the hidden tanh layers.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>n·(nu + ny): the values of one window.</summary>
    public int FeatureSize => Window * (InputSize + OutputSize);

    /// <summary>The trainable parameters (see the remarks for their layout); a trainer updates them in place.</summary>
    public double[] Parameters { get; }

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => Parameters.Length;

    /// <summary>The parameter count of an encoder of these sizes.</summary>
    public static int CountParameters(int window, int inputs, int outputs, int states, IReadOnlyList<int> hidden)
    {
        long nin = (long)window * (inputs + outputs), count = 0, width = nin;
        foreach (int h in hidden) { count += h * width + h; width = h; }
        count += states * width + states + states * nin;
        return count <= Array.MaxLength ? (int)count
            : throw new ArgumentOutOfRangeException(nameof(window),
                                                    "The encoder is too large for one parameter array.");
    }

    /// <summary>A new encoder with seeded random weights: hidden layers N(0, 1/in), the output and skip maps a tenth
    /// of that, so that the first estimates are near the zero state.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static StateEncoder Create(int window, int inputs, int outputs, int states, IReadOnlyList<int> hidden,
                                      int seed)
    {
        CheckSizes(window, inputs, outputs, states, hidden);
        var p = new double[CountParameters(window, inputs, outputs, states, hidden)];
        var rng = new Random(seed);
        int at = 0, width = window * (inputs + outputs);
        foreach (int h in hidden)
        {
            at = Fill(p, at, h * width, 1 / Math.Sqrt(width), rng) + h;
            width = h;
        }
        at = Fill(p, at, states * width, 0.1 / Math.Sqrt(width), rng) + states;
        Fill(p, at, states * window * (inputs + outputs), 0.1 / Math.Sqrt(window * (inputs + outputs)), rng);
        return new StateEncoder(window, inputs, outputs, states, [.. hidden], p);
    }

    /// <summary>An encoder with the given parameters (a model file's), laid out as the remarks say.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">The parameter count does not match the sizes, or a value is not
    /// finite.</exception>
    public static StateEncoder FromParameters(int window, int inputs, int outputs, int states,
                                              IReadOnlyList<int> hidden, double[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckSizes(window, inputs, outputs, states, hidden);
        int count = CountParameters(window, inputs, outputs, states, hidden);
        if (parameters.Length != count)
            throw new ArgumentException($"The encoder needs {count} parameters, got {parameters.Length}.",
                                        nameof(parameters));
        Validation.ThrowIfNotFinite(parameters, nameof(parameters));
        return new StateEncoder(window, inputs, outputs, states, [.. hidden], (double[])parameters.Clone());
    }

    /// <summary>Estimates x_0 for <paramref name="batch"/> windows.</summary>
    /// <param name="windows">z, [batch, n·(nu + ny)]: each window's steps oldest first, inputs then outputs.</param>
    /// <param name="batch">K &gt; 0.</param>
    /// <param name="states">Receives x_0, [batch, nx].</param>
    public void Encode(ReadOnlySpan<float> windows, int batch, Span<float> states)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        Validation.CheckLength(windows, (long)batch * FeatureSize, nameof(windows));
        Validation.CheckLength(states, (long)batch * StateSize, nameof(states));
        Ensure(batch);
        for (int i = 0; i < windows.Length; i++) _activations[0][i] = windows[i];
        var x = new double[batch * StateSize];
        Forward(batch, x);
        for (int i = 0; i < x.Length; i++) states[i] = (float)x[i];
    }

    /// <summary>Adds to <paramref name="gradient"/> ([ParameterCount]) the gradient of a loss through the last
    /// <see cref="Encode"/>, given dLoss/dx_0 ([batch, nx]).</summary>
    public void Backward(ReadOnlySpan<float> stateGradient, Span<double> gradient)
    {
        Validation.CheckLength(stateGradient, (long)_batch * StateSize, nameof(stateGradient));
        Validation.CheckLength(gradient, ParameterCount, nameof(gradient));
        var dx = new double[stateGradient.Length];
        for (int i = 0; i < dx.Length; i++) dx[i] = stateGradient[i];
        BackwardCore(dx, gradient);
    }

    /// <summary>Float64 forward for verification: x_0 of <paramref name="windows"/>, keeping the pass for
    /// <see cref="BackwardFloat64"/>.</summary>
    internal double[] EncodeFloat64(double[] windows, int batch)
    {
        Ensure(batch);
        windows.CopyTo(_activations[0], 0);
        var x = new double[batch * StateSize];
        Forward(batch, x);
        return x;
    }

    /// <summary>Float64 backward for verification:
    /// the parameter gradient of dLoss/dx_0 through the last pass.</summary>
    internal double[] BackwardFloat64(double[] stateGradient)
    {
        var g = new double[ParameterCount];
        BackwardCore(stateGradient, g);
        return g;
    }

    private void Ensure(int batch)
    {
        if (batch == _batch) return;
        _activations = _widths.Select(w => new double[batch * w]).ToArray();
        int widest = _widths.Max();
        _delta = new double[batch * Math.Max(widest, StateSize)];
        _next = new double[batch * widest];
        _batch = batch;
    }

    // h_l = tanh(W_l h_{l−1} + b_l), then x = W_o h_L + b_o + W_s z.
    private void Forward(int batch, Span<double> x)
    {
        int at = 0, layers = HiddenSizes.Count;
        for (int l = 1; l <= layers; l++)
        {
            int n = _widths[l], k = _widths[l - 1];
            Affine(batch, n, k, _activations[l - 1], Parameters.AsSpan(at, n * k), Parameters.AsSpan(at + n * k, n),
                   _activations[l]);
            TensorPrimitives.Tanh(_activations[l], _activations[l]);
            at += n * k + n;
        }
        int last = _widths[layers], nx = StateSize;
        Affine(batch, nx, last, _activations[layers], Parameters.AsSpan(at, nx * last),
               Parameters.AsSpan(at + nx * last, nx), x);
        at += nx * last + nx;
        var skip = Parameters.AsSpan(at, nx * FeatureSize);
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < nx; i++)
                x[b * nx + i] += TensorPrimitives.Dot(skip.Slice(i * FeatureSize, FeatureSize),
                                                      _activations[0].AsSpan(b * FeatureSize, FeatureSize));
    }

    // out[b, i] = bias[i] + Σ_j w[i, j]·in[b, j].
    private static void Affine(int batch, int n, int k, ReadOnlySpan<double> input, ReadOnlySpan<double> w,
                               ReadOnlySpan<double> bias, Span<double> output)
    {
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < n; i++)
                output[b * n + i] = bias[i] + TensorPrimitives.Dot(w.Slice(i * k, k), input.Slice(b * k, k));
    }

    // The forward pass reversed: the output and skip maps, then each tanh layer from the last to the first.
    private void BackwardCore(ReadOnlySpan<double> dx, Span<double> gradient)
    {
        int batch = _batch, nx = StateSize, layers = HiddenSizes.Count, nin = FeatureSize;
        int[] offsets = LayerOffsets();
        int output = offsets[layers], skip = output + nx * _widths[layers] + nx;
        AccumulateAffine(batch, nx, _widths[layers], dx, _activations[layers], gradient.Slice(output));
        AccumulateWeights(batch, nx, nin, dx, _activations[0], gradient.Slice(skip, nx * nin));
        var delta = _delta.AsSpan(0, batch * _widths[layers]);
        InputGradient(batch, nx, _widths[layers], dx, Parameters.AsSpan(output, nx * _widths[layers]), delta);
        for (int l = layers; l >= 1; l--)
        {
            int n = _widths[l], k = _widths[l - 1];
            var h = _activations[l];
            for (int i = 0; i < batch * n; i++) delta[i] *= 1 - h[i] * h[i];
            AccumulateAffine(batch, n, k, delta, _activations[l - 1], gradient.Slice(offsets[l - 1]));
            if (l == 1) break;
            var previous = _next.AsSpan(0, batch * k);
            InputGradient(batch, n, k, delta, Parameters.AsSpan(offsets[l - 1], n * k), previous);
            delta = _delta.AsSpan(0, batch * k);
            previous.CopyTo(delta);
        }
    }

    // Where each hidden layer's W starts, and (at index L) where the output map's W_o starts.
    private int[] LayerOffsets()
    {
        var offsets = new int[HiddenSizes.Count + 1];
        for (int l = 1; l <= HiddenSizes.Count; l++)
            offsets[l] = offsets[l - 1] + _widths[l] * _widths[l - 1] + _widths[l];
        return offsets;
    }

    // dW[i, j] += Σ_b d[b, i]·in[b, j] and db[i] += Σ_b d[b, i], with db right after dW.
    private static void AccumulateAffine(int batch, int n, int k, ReadOnlySpan<double> d, ReadOnlySpan<double> input,
                                         Span<double> gradient)
    {
        AccumulateWeights(batch, n, k, d, input, gradient.Slice(0, n * k));
        var db = gradient.Slice(n * k, n);
        for (int b = 0; b < batch; b++) TensorPrimitives.Add(db, d.Slice(b * n, n), db);
    }

    private static void AccumulateWeights(int batch, int n, int k, ReadOnlySpan<double> d, ReadOnlySpan<double> input,
                                          Span<double> dw)
    {
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < n; i++)
                TensorPrimitives.MultiplyAdd(input.Slice(b * k, k), d[b * n + i], dw.Slice(i * k, k),
                                             dw.Slice(i * k, k));
    }

    // dIn[b, j] = Σ_i d[b, i]·w[i, j].
    private static void InputGradient(int batch, int n, int k, ReadOnlySpan<double> d, ReadOnlySpan<double> w,
                                      Span<double> dInput)
    {
        dInput.Clear();
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < n; i++)
                TensorPrimitives.MultiplyAdd(w.Slice(i * k, k), d[b * n + i], dInput.Slice(b * k, k),
                                             dInput.Slice(b * k, k));
    }

    private static int Fill(double[] p, int at, int count, double scale, Random rng)
    {
        for (int i = 0; i < count; i++)
            p[at + i] = scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble()))
                              * Math.Cos(2 * Math.PI * rng.NextDouble());
        return at + count;
    }

    private static void CheckSizes(int window, int inputs, int outputs, int states, IReadOnlyList<int> hidden)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(states);
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(hidden), "Every hidden width must be at least 1.");
    }
}
