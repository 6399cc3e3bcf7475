using Microsoft.ML.R2DN.Engine.LinearAlgebra;

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
        if (weights.Length != (long)(lookback - 1) * horizon) throw new ArgumentException($"The weights must have (L − 1)·h = {(long)(lookback - 1) * horizon} values.", nameof(weights));
        if (bias.Length != horizon) throw new ArgumentException($"The bias must have h = {horizon} values.", nameof(bias));
        if (weights.Any(v => !double.IsFinite(v)) || bias.Any(v => !double.IsFinite(v))) throw new ArgumentException("The weights must be finite.", nameof(weights));
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

    /// <summary>Adds the linear forecast of one target to <paramref name="output"/> (standardised changes, h values).</summary>
    /// <param name="window">The last L values of the target, oldest first, in data units.</param>
    /// <param name="std">The target's standard deviation σ.</param>
    /// <param name="output">h values, added to.</param>
    public void AddPrediction(ReadOnlySpan<float> window, double std, Span<float> output)
    {
        int L = Lookback, h = Horizon;
        double last = window[L - 1];
        Span<double> acc = h <= 1024 ? stackalloc double[h] : new double[h];
        Bias.CopyTo(acc);
        for (int i = 1; i < L; i++)
        {
            double x = (window[L - 1 - i] - last) / std;
            if (x == 0) continue;
            var row = Weights.AsSpan((i - 1) * h, h);
            for (int k = 0; k < h; k++) acc[k] += row[k] * x;
        }
        for (int k = 0; k < h; k++) output[k] += (float)acc[k];
    }

    /// <summary>
    /// Fits the ridge regression on the windows ending at t ∈ [from, to) of every series and target (values before a
    /// series' start repeat its first value), choosing λ from <paramref name="ridges"/> by the mean squared error on the
    /// windows ending at t ∈ [to, validationEnd) (the first λ when that range is empty).
    /// </summary>
    /// <param name="series">The series (targets only are used).</param>
    /// <param name="scaling">The targets' standardisation (σ per target).</param>
    /// <param name="lookback">L ≥ 2.</param>
    /// <param name="horizon">h ≥ 1.</param>
    /// <param name="offsets">Per series, the index of its first row in the common time axis (t is relative to it).</param>
    /// <param name="from">First training window end (inclusive).</param>
    /// <param name="to">Last training window end (exclusive); the targets of a window end at t + h.</param>
    /// <param name="validationEnd">Last validation window end (exclusive).</param>
    /// <param name="ridges">Candidate penalties, relative to the mean diagonal of XᵀX; not empty.</param>
    /// <param name="cancellationToken">Checked between blocks of rows.</param>
    /// <returns>The path, and its validation MSE (NaN without validation windows).</returns>
    public static (LinearForecastPath Path, double ValidationMse) Fit(IReadOnlyList<SeriesData> series, Standardizer scaling, int lookback, int horizon,
                                                                   int[] offsets, int from, int to, int validationEnd, double[] ridges,
                                                                   CancellationToken cancellationToken = default) =>
        Fit(series, scaling, lookback, horizon, offsets, from, to, to, validationEnd, ridges, cancellationToken);

    /// <summary>As the overload above, with the validation windows ending at t ∈ [validationStart, validationEnd), which
    /// need not follow the training windows.</summary>
    public static (LinearForecastPath Path, double ValidationMse) Fit(IReadOnlyList<SeriesData> series, Standardizer scaling, int lookback, int horizon,
                                                                   int[] offsets, int from, int to, int validationStart, int validationEnd,
                                                                   double[] ridges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 2);
        if (ridges is null || ridges.Length == 0) throw new ArgumentException("At least one ridge penalty is needed.", nameof(ridges));
        int p = lookback, h = horizon;   // p − 1 lags and an intercept
        var train = Normal(series, scaling, offsets, from, to, p, h, cancellationToken);
        if (train.Count == 0) throw new ArgumentException("There are no windows to fit the linear path on.", nameof(series));
        // The validation error of any weights W follows from the validation windows' own normal equations,
        // Σ‖z − xW‖² = Σ‖z‖² − 2⟨W, XᵀZ⟩ + ⟨W, XᵀX W⟩: one pass over them serves every penalty.
        var held = validationEnd > validationStart ? Normal(series, scaling, offsets, validationStart, validationEnd, p, h, cancellationToken) : default;
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

    private static NormalEquations Normal(IReadOnlyList<SeriesData> series, Standardizer scaling, int[] offsets, int from, int to, int p, int h,
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
        int p = Lookback, h = Horizon;
        var row = new double[p];
        var truth = new double[h];
        var window = new float[p];
        var forecast = new float[h];
        double sum = 0;
        long n = 0;
        foreach (var (s, j, t) in Windows(series, offsets, from, to, h))
        {
            FillRow(s, j, t, p, h, scaling.Std[j], row, truth);
            FillWindow(s, j, t, window);
            forecast.AsSpan().Clear();
            AddPrediction(window, scaling.Std[j], forecast);
            for (int k = 0; k < h; k++) { double d = forecast[k] - truth[k]; sum += d * d; }
            n += h;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>The last L values of target j up to row t of <paramref name="s"/> (row indices of the series), oldest
    /// first; rows before the series' start take its first value.</summary>
    public static void FillWindow(SeriesData s, int j, int t, Span<float> window)
    {
        int L = window.Length, nt = s.TargetCount;
        for (int i = 0; i < L; i++)
        {
            int r = Math.Max(0, t - (L - 1) + i);
            window[i] = s.Targets[r * nt + j];
        }
    }

    private static IEnumerable<(SeriesData Series, int Target, int Row)> Windows(IReadOnlyList<SeriesData> series, int[] offsets, int from, int to, int h)
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
