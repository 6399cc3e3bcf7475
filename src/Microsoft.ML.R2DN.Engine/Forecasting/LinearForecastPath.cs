using System.Numerics.Tensors;

namespace Microsoft.ML.R2DN.Engine.Forecasting;

/// <summary>
/// The linear part of a forecaster: a ridge regression from the last <see cref="Lookback"/> values of a target to its
/// next <see cref="Horizon"/> changes, shared by every target and series ("channel independent", as in the linear
/// forecasting baselines of the long-term forecasting literature). With the window expressed relative to its last
/// value (NLinear's instance normalisation) and in units of the target's standard deviation, the map is
/// change_{t+k} = Σ_i W[i, k]·(y_{t−i} − y_t)/σ + b_k for i = 1 … L − 1. The recurrent model is trained on what this
/// map leaves unexplained, so a forecaster with a linear path nests the linear answer: it can only be worse than it by
/// what the recurrent correction costs on new data, and the validation check at training time removes a correction that
/// does not pay.
/// </summary>
/// <remarks>Immutable; <see cref="AddPrediction"/> is thread-safe.</remarks>
public sealed class LinearForecastPath
{
    /// <summary>Creates a path from its weights (model files).</summary>
    /// <param name="lookback">The window length L, at least 2.</param>
    /// <param name="horizon">The steps ahead h, at least 1.</param>
    /// <param name="weights">[(L − 1) × h] row-major: row i − 1 weighs lag i.</param>
    /// <param name="bias">[h].</param>
    /// <param name="ridge">The ridge penalty the weights were fitted with (informational).</param>
    /// <exception cref="ArgumentException">A size does not match, or a value is not finite.</exception>
    public LinearForecastPath(int lookback, int horizon, double[] weights, double[] bias, double ridge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (weights.Length != (long)(lookback - 1) * horizon)
            throw new ArgumentException($"The weights must have (L − 1)·h = {(long)(lookback - 1) * horizon} values.",
                                        nameof(weights));
        if (bias.Length != horizon)
            throw new ArgumentException($"The bias must have h = {horizon} values.", nameof(bias));
        if (weights.Any(v => !double.IsFinite(v)) || bias.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("The weights must be finite.", nameof(weights));
        Lookback = lookback; Horizon = horizon; Weights = weights; Bias = bias; Ridge = ridge;
    }

    /// <summary>The window length L (the last L values, the current one included).</summary>
    public int Lookback { get; }

    /// <summary>The steps ahead h.</summary>
    public int Horizon { get; }

    /// <summary>[(L − 1) × h]: row i − 1 weighs (y_{t−i} − y_t)/σ.</summary>
    public double[] Weights { get; }

    /// <summary>[h].</summary>
    public double[] Bias { get; }

    /// <summary>The ridge penalty λ chosen at training time.</summary>
    public double Ridge { get; }

    /// <summary>The l2 operator norm bound of the map from the window to the forecast (Frobenius norm of the weights):
    /// how much a perturbation of the look-back can move the linear forecast, in units of σ.</summary>
    public double GainBound => Math.Sqrt(Weights.Sum(w => w * w));

    /// <summary>Adds the linear forecast of one target to <paramref name="output"/> (standardised changes, h
    /// values).</summary>
    /// <param name="window">The last L values of the target, oldest first, in data units.</param>
    /// <param name="std">The target's standard deviation σ.</param>
    /// <param name="output">h values, added to.</param>
    public void AddPrediction(ReadOnlySpan<float> window, double std, Span<float> output)
    {
        int L = Lookback, h = Horizon;
        Validation.CheckLength(window, L, nameof(window));
        Validation.CheckLength(output, h, nameof(output));
        double last = window[L - 1];
        Span<double> x = L <= 1024 ? stackalloc double[L - 1] : new double[L - 1];
        for (int i = 1; i < L; i++) x[i - 1] = (window[L - 1 - i] - last) / std;
        Span<double> acc = h <= 1024 ? stackalloc double[h] : new double[h];
        Accumulate(x, 1, acc);
        for (int k = 0; k < h; k++) output[k] += (float)acc[k];
    }

    /// <summary>
    /// Adds the linear forecasts of target <paramref name="target"/> made at the rows t ∈ [from, to) of
    /// <paramref name="series"/> to <paramref name="output"/>: the h values of row t start at (t − from)·stride. The
    /// same numbers as <see cref="AddPrediction"/> on each row's window (rows before the series' start repeat its first
    /// value), computed a block of rows at a time: each weight row is read once per block rather than once per window.
    /// </summary>
    /// <param name="series">The series.</param>
    /// <param name="target">The target's index.</param>
    /// <param name="std">The target's standard deviation σ.</param>
    /// <param name="from">First row (inclusive).</param>
    /// <param name="to">Last row (exclusive), at most the series' length.</param>
    /// <param name="output">At least (to − from − 1)·stride + h values, added to.</param>
    /// <param name="stride">The distance between consecutive rows' forecasts in <paramref name="output"/>, at least
    /// h.</param>
    public void AddPredictions(SeriesData series, int target, double std, int from, int to, Span<float> output,
                               int stride)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(target, series.TargetCount);
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(to, series.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, Horizon);
        if (to <= from) return;
        if (output.Length < (long)(to - from - 1) * stride + Horizon)
            throw new ArgumentException("The output is too short for the rows.", nameof(output));
        int L = Lookback, h = Horizon, nt = series.TargetCount, lags = L - 1;
        var y = series.Targets;
        var x = new double[RowBlock * lags];
        var acc = new double[RowBlock * h];
        for (int t0 = from; t0 < to; t0 += RowBlock)
        {
            int rows = Math.Min(RowBlock, to - t0);
            for (int r = 0; r < rows; r++)
            {
                int t = t0 + r;
                double last = y[t * nt + target];
                var xr = x.AsSpan(r * lags, lags);
                for (int i = 1; i < L; i++) xr[i - 1] = (y[Math.Max(0, t - i) * nt + target] - last) / std;
            }
            var block = acc.AsSpan(0, rows * h);
            Accumulate(x.AsSpan(0, rows * lags), rows, block);
            for (int r = 0; r < rows; r++)
            {
                var o = output.Slice((t0 + r - from) * stride, h);
                var a = block.Slice(r * h, h);
                for (int k = 0; k < h; k++) o[k] += (float)a[k];
            }
        }
    }

    // Rows per block in AddPredictions: their accumulators (rows × h doubles) stay in cache while the weights stream
    // by.
    private const int RowBlock = 32;

    // acc[r] = b + Σ_i x[r, i − 1]·W[i − 1] for `rows` rows of L − 1 lags: one kernel for the single window and the
    // block, so that both give the same bits.
    private void Accumulate(ReadOnlySpan<double> x, int rows, Span<double> acc)
    {
        int h = Horizon, lags = Lookback - 1;
        for (int r = 0; r < rows; r++) Bias.CopyTo(acc.Slice(r * h, h));
        for (int i = 0; i < lags; i++)
        {
            ReadOnlySpan<double> w = Weights.AsSpan(i * h, h);
            for (int r = 0; r < rows; r++)
            {
                double xi = x[r * lags + i];
                if (xi == 0) continue;
                var a = acc.Slice(r * h, h);
                TensorPrimitives.MultiplyAdd(w, xi, a, a);
            }
        }
    }

    /// <summary>
    /// Fits the ridge regression on the windows ending at t ∈ [from, to) of every series and target (values before a
    /// series' start repeat its first value), choosing λ from <paramref name="ridges"/> by the mean squared error on
    /// the windows ending at t ∈ [to, validationEnd) (the first λ when that range is empty).
    /// </summary>
    /// <param name="series">The series (targets only are used).</param>
    /// <param name="scaling">The targets' standardisation (σ per target).</param>
    /// <param name="lookback">L ≥ 2.</param>
    /// <param name="horizon">h ≥ 1.</param>
    /// <param name="offsets">Per series, the index of its first row in the common time axis (t is relative to
    /// it).</param>
    /// <param name="from">First training window end (inclusive).</param>
    /// <param name="to">Last training window end (exclusive); the targets of a window end at t + h.</param>
    /// <param name="validationEnd">Last validation window end (exclusive).</param>
    /// <param name="ridges">Candidate penalties, relative to the mean diagonal of XᵀX; not empty.</param>
    /// <param name="cancellationToken">Checked between blocks of rows.</param>
    /// <returns>The path, and its validation MSE (NaN without validation windows).</returns>
    public static (LinearForecastPath Path, double ValidationMse) Fit(IReadOnlyList<SeriesData> series,
                                                                      Standardizer scaling, int lookback, int horizon,
                                                                   int[] offsets, int from, int to, int validationEnd,
                                                                   double[] ridges,
                                                                   CancellationToken cancellationToken = default) =>
        Fit(series, scaling, lookback, horizon, offsets, from, to, to, validationEnd, ridges, cancellationToken);

    /// <summary>As the overload above, with the validation windows ending at t ∈ [validationStart, validationEnd),
    /// which need not follow the training windows.</summary>
    public static (LinearForecastPath Path, double ValidationMse) Fit(IReadOnlyList<SeriesData> series,
                                                                      Standardizer scaling, int lookback, int horizon,
                                                                   int[] offsets, int from, int to, int validationStart,
                                                                   int validationEnd,
                                                                   double[] ridges,
                                                                       CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 2);
        if (ridges is null || ridges.Length == 0)
            throw new ArgumentException("At least one ridge penalty is needed.", nameof(ridges));
        int p = lookback, h = horizon;   // p − 1 lags and an intercept
        var train = Normal(series, scaling, offsets, from, to, p, h, cancellationToken);
        if (train.Count == 0)
            throw new ArgumentException("There are no windows to fit the linear path on.", nameof(series));
        // The validation error of any weights W follows from the validation windows' own normal equations,
        // Σ‖z − xW‖² = Σ‖z‖² − 2⟨W, XᵀZ⟩ + ⟨W, XᵀX W⟩: one pass over them serves every penalty.
        var held = validationEnd > validationStart
            ? Normal(series, scaling, offsets, validationStart, validationEnd, p, h, cancellationToken) : default;
        bool validate = held.Count > 0;

        double scale = 0;
        for (int i = 0; i < p; i++) scale += train.Xtx[i, i];
        scale /= p;
        (LinearForecastPath Path, double Mse)? best = null;
        foreach (double ridge in validate ? ridges : ridges.Take(1))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var a = train.Xtx.Clone();
            double lambda = Math.Max(ridge * scale, 1e-9 * scale + 1e-12);
            for (int i = 1; i < p; i++) a[i, i] += lambda;   // the intercept is not penalised
            a[0, 0] += 1e-9 * scale + 1e-12;
            var w = new CholeskyDecomposition(a).Solve(train.Xtz);
            double mse = validate ? HeldOutMse(held, w) : double.NaN;
            if (best is not null && !(mse < best.Value.Mse)) continue;
            var bias = new double[h];
            var weights = new double[(p - 1) * h];
            for (int k = 0; k < h; k++) bias[k] = w[0, k];
            for (int i = 1; i < p; i++)
                for (int k = 0; k < h; k++) weights[(i - 1) * h + k] = w[i, k];
            best = (new LinearForecastPath(p, h, weights, bias, ridge), mse);
        }
        return (best!.Value.Path, best.Value.Mse);
    }

    // XᵀX, XᵀZ and Σ‖z‖² over the windows ending at t ∈ [from, to), for rows x of p entries and targets z of h.
    private readonly record struct NormalEquations(Matrix Xtx, Matrix Xtz, double Ztz, long Count);

    private static NormalEquations Normal(IReadOnlyList<SeriesData> series, Standardizer scaling, int[] offsets,
                                          int from, int to, int p, int h,
                                          CancellationToken cancellationToken)
    {
        var xtx = new Matrix(p, p);
        var xtz = new Matrix(p, h);
        double ztz = 0;
        const int Block = 2048;
        var x = new double[Block * p];
        var z = new double[Block * h];
        int rows = 0;
        long count = 0;
        void Flush()
        {
            if (rows == 0) return;
            var xm = new Matrix(rows, p, x.AsSpan(0, rows * p));
            xtx.AddBlock(0, 0, Matrix.TransposeMultiply(xm, xm));
            xtz.AddBlock(0, 0, Matrix.TransposeMultiply(xm, new Matrix(rows, h, z.AsSpan(0, rows * h))));
            foreach (double v in z.AsSpan(0, rows * h)) ztz += v * v;
            count += rows;
            rows = 0;
            cancellationToken.ThrowIfCancellationRequested();
        }
        foreach (var (s, j, t) in Windows(series, offsets, from, to, h))
        {
            FillRow(s, j, t, p, h, scaling.Std[j], x.AsSpan(rows * p, p), z.AsSpan(rows * h, h));
            if (++rows == Block) Flush();
        }
        Flush();
        return new NormalEquations(xtx, xtz, ztz, count);
    }

    // The mean squared error of weights w (p × h) on windows summarised by their normal equations.
    private static double HeldOutMse(NormalEquations n, Matrix w)
    {
        int p = w.Rows, h = w.Columns;
        double sum = n.Ztz;
        for (int i = 0; i < p; i++)
            for (int k = 0; k < h; k++)
            {
                double xwz = 0;   // (XᵀX W)[i, k]
                for (int l = 0; l < p; l++) xwz += n.Xtx[i, l] * w[l, k];
                sum += w[i, k] * (xwz - 2 * n.Xtz[i, k]);
            }
        return Math.Max(0, sum) / (n.Count * (double)h);
    }

    /// <summary>The mean squared error (standardised changes) of the windows ending at t ∈ [from, to).</summary>
    public double Mse(IReadOnlyList<SeriesData> series, Standardizer scaling, int[] offsets, int from, int to)
    {
        int h = Horizon;
        double sum = 0;
        long n = 0;
        for (int b = 0; b < series.Count; b++)
        {
            var s = series[b];
            // rows [first, last)
            int nt = s.TargetCount, first = Math.Max(0, offsets[b] + from),
                last = Math.Min(s.Length - h, offsets[b] + to);
            if (last <= first) continue;
            var forecast = new float[(last - first) * h];
            for (int j = 0; j < nt; j++)
            {
                forecast.AsSpan().Clear();
                AddPredictions(s, j, scaling.Std[j], first, last, forecast, h);
                for (int t = first; t < last; t++)
                {
                    double y = s.Targets[t * nt + j];
                    for (int k = 0; k < h; k++)
                    {
                        double d =
                            forecast[(t - first) * h + k] - (s.Targets[(t + 1 + k) * nt + j] - y) / scaling.Std[j];
                        sum += d * d;
                    }
                }
                n += (long)(last - first) * h;
            }
        }
        return n == 0 ? double.NaN : sum / n;
    }

    private static IEnumerable<(SeriesData Series, int Target, int Row)> Windows(IReadOnlyList<SeriesData> series,
                                                                                 int[] offsets, int from, int to, int h)
    {
        for (int b = 0; b < series.Count; b++)
        {
            var s = series[b];
            for (int t = from; t < to; t++)
            {
                int row = offsets[b] + t;
                if (row < 0 || row + h >= s.Length) continue;
                for (int j = 0; j < s.TargetCount; j++) yield return (s, j, row);
            }
        }
    }

    // x = [1, (y_{t−1} − y_t)/σ, …, (y_{t−L+1} − y_t)/σ], z = [(y_{t+k} − y_t)/σ], k = 1 … h.
    private static void FillRow(SeriesData s, int j, int t, int p, int h, double std, Span<double> x, Span<double> z)
    {
        int nt = s.TargetCount;
        double last = s.Targets[t * nt + j];
        x[0] = 1;
        for (int i = 1; i < p; i++) x[i] = (s.Targets[Math.Max(0, t - i) * nt + j] - last) / std;
        for (int k = 0; k < h; k++) z[k] = (s.Targets[(t + 1 + k) * nt + j] - last) / std;
    }
}
