using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.R2DN.Engine.LinearAlgebra;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>One input/output record of a system: inputs u and outputs y, row-major (T × nu and T × ny), in data
/// units.</summary>
internal sealed record IoSeries(string Name, int Length, double[] U, double[] Y);

/// <summary>A system identification benchmark: its estimation and test records and how they were made.</summary>
internal sealed record SimulationDataSet(string Key, string Title, string[] InputNames, string[] OutputNames,
                                         IoSeries[] Estimation, IoSeries[] Test, string Protocol)
{
    public int Inputs => InputNames.Length;

    public int Outputs => OutputNames.Length;
}

/// <summary>One method's score on a data set's test part.</summary>
/// <param name="Method">"arx", "r2dn" or "ren".</param>
/// <param name="Nrmse">sqrt(Σ(y − ŷ)² / Σy²) in the estimation data's standardised units, after the washout.</param>
/// <param name="Rmse">The root mean squared error in data units, after the washout.</param>
/// <param name="RmseAllRows">The same over every test row (the websites' protocol: scored from the first row).</param>
/// <param name="TrainSeconds">Training time, the ARX order search included.</param>
/// <param name="Detail">What was trained (orders, chosen settings), for the table.</param>
/// <param name="Extra">More, for the JSON: written as they are (numbers, strings, arrays, objects).</param>
internal sealed record SimulationScore(string Method, double Nrmse, double Rmse, double RmseAllRows, double TrainSeconds, string Detail,
                                       IReadOnlyDictionary<string, object?> Extra);

/// <summary>The result on one data set: its scores, or why it was skipped.</summary>
internal sealed record SimulationDataSetReport(string Key, string Title, string? Skipped, string Protocol, int EstimationRows, int TestRows,
                                               IReadOnlyList<SimulationScore> Scores);

/// <summary>
/// System identification on the field's benchmarks (Cascaded Tanks, EMPS, F-16 ground vibration test): our R2DN and REN
/// simulators with their defaults, trained through the ML.NET pipeline a user writes, next to a linear ARX model fitted
/// by least squares; each simulated freely over the data set's own test part.
/// </summary>
/// <remarks>
/// <para><b>Scores.</b> Every method is scored the same way: NRMSE = sqrt(Σ(y − ŷ)² / Σy²) in standardised units
/// (the estimation data's mean and population standard deviation per output, as the simulators standardise), pooled over
/// test records and outputs, after the first <see cref="Washout"/> rows of each record (the definition of
/// <see cref="SimulationTransformer.Nrmse"/> and MODELS.md 4.1); and the RMSE in data units, after the washout and over
/// every row. Every model starts from a zero state (the estimation data's mean) at the first test row.</para>
/// <para><b>ARX.</b> y_t = Σ_{i=1..na} A_i y_{t−i} + Σ_{j=0..nb} B_j u_{t−j} + c in standardised units, fitted by
/// least squares with a tiny ridge penalty; na = nb chosen among 1, 2, 4, 8, 16 by the error of a free-run simulation
/// of the estimation records whose last 20% (not fitted) are scored, then refitted on all the estimation data.</para>
/// </remarks>
internal static class SimulationBenchmark
{
    /// <summary>The data sets, by their <c>--data</c> names, in the order <c>all</c> runs them.</summary>
    public static readonly string[] Keys = ["cascaded-tanks", "emps", "f16"];

    /// <summary>The methods, in the order they are printed, with their JSON keys.</summary>
    public static readonly string[] Methods = ["arx", "r2dn", "ren"];

    /// <summary>The rows at the start of every test record left out of NRMSE and RMSE: the simulators' default washout.</summary>
    public const int Washout = 100;

    /// <summary>The ARX orders tried (na = nb).</summary>
    internal static readonly int[] ArxOrders = [1, 2, 4, 8, 16];

    /// <summary>The fraction of each estimation record the ARX order is chosen on (its end).</summary>
    internal const double ArxValidationFraction = 0.2;

    /// <summary>EMPS is recorded at 1 kHz; by default every 10 rows are averaged into one (100 Hz), so that the slow
    /// position dynamics span a few hundred steps rather than thousands (<c>--emps-decimation 1</c> keeps the 1 kHz
    /// rows). Every method sees the same decimated data.</summary>
    internal const int DefaultEmpsDecimation = 10;

    /// <summary>Runs the benchmark on one data set.</summary>
    /// <param name="data">The data set.</param>
    /// <param name="models">The recurrent models to train ("r2dn", "ren"); the ARX baseline always runs.</param>
    /// <param name="seed">The MLContext seed.</param>
    /// <param name="progress">Receives one line per stage and the training log.</param>
    /// <param name="cancellation">Stops training.</param>
    public static SimulationDataSetReport Run(SimulationDataSet data, IReadOnlyCollection<string> models, int seed, Action<string> progress,
                                              CancellationToken cancellation)
    {
        var scaling = Scaling.Fit(data.Estimation, data.Inputs, data.Outputs);
        var scores = new List<SimulationScore>();
        int estimationRows = data.Estimation.Sum(s => s.Length), testRows = data.Test.Sum(s => s.Length);

        progress($"{data.Key}: fitting ARX models (na = nb in {string.Join(", ", ArxOrders)}) on {estimationRows} estimation rows");
        long start = Stopwatch.GetTimestamp();
        var (arx, orderErrors) = Arx.FitWithOrderSearch(data, scaling, cancellation);
        double arxSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var arxPredictions = data.Test.Select(arx.Simulate).ToArray();
        var arxScore = Score(data, scaling, arxPredictions);
        scores.Add(new SimulationScore("arx", arxScore.Nrmse, arxScore.Rmse, arxScore.RmseAll, arxSeconds, $"na = nb = {arx.Order}",
                                       new Dictionary<string, object?>
                                       {
                                           ["na"] = arx.Order,
                                           ["nb"] = arx.Order,
                                           ["order_validation_nrmse"] = orderErrors.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => (object?)kv.Value),
                                       }));
        progress(string.Create(CultureInfo.InvariantCulture,
                               $"{data.Key}: ARX na = nb = {arx.Order}: test NRMSE {arxScore.Nrmse:F4}, RMSE {arxScore.Rmse:G4} ({arxSeconds:0.0} s)"));

        foreach (var model in Methods.Where(models.Contains))
        {
            cancellation.ThrowIfCancellationRequested();
            progress($"{data.Key}: training the {model.ToUpperInvariant()} simulator with its defaults on {estimationRows} estimation rows");
            var (predictions, seconds, transformer, pluginNrmse) = TrainAndSimulate(model, data, scaling, seed, progress, cancellation);
            var s = Score(data, scaling, predictions);
            string chosen = ChosenSettings(transformer, out var settings);
            scores.Add(new SimulationScore(model, s.Nrmse, s.Rmse, s.RmseAll, seconds, chosen,
                                           new Dictionary<string, object?>
                                           {
                                               ["epochs"] = transformer.TrainingLoss.Count,
                                               ["parameters"] = transformer.ParameterCount,
                                               ["plugin_nrmse"] = pluginNrmse,
                                               ["settings"] = settings,
                                           }));
            progress(string.Create(CultureInfo.InvariantCulture,
                                   $"{data.Key}: {model.ToUpperInvariant()}: test NRMSE {s.Nrmse:F4} (SimulationTransformer.Nrmse {pluginNrmse:F4}), RMSE {s.Rmse:G4} ({seconds:0.0} s of training)"));
        }
        return new SimulationDataSetReport(data.Key, data.Title, null, data.Protocol, estimationRows, testRows, scores);
    }

    /// <summary>The scores of predictions (one row-major array per test record, data units).</summary>
    internal static (double Nrmse, double Rmse, double RmseAll) Score(SimulationDataSet data, Scaling scaling, IReadOnlyList<double[]> predictions)
    {
        int ny = data.Outputs;
        double num = 0, den = 0, squares = 0, squaresAll = 0;
        long count = 0, countAll = 0;
        for (int s = 0; s < data.Test.Length; s++)
        {
            var y = data.Test[s].Y;
            var yHat = predictions[s];
            for (int k = 0; k < y.Length; k++)
            {
                int c = k % ny;
                double d = yHat[k] - y[k];
                squaresAll += d * d;
                countAll++;
                if (k / ny < Washout) continue;
                double z = (y[k] - scaling.YMean[c]) / scaling.YStd[c], zd = d / scaling.YStd[c];
                num += zd * zd;
                den += z * z;
                squares += d * d;
                count++;
            }
        }
        return (den > 0 ? Math.Sqrt(num / den) : double.NaN, count > 0 ? Math.Sqrt(squares / count) : double.NaN,
                countAll > 0 ? Math.Sqrt(squaresAll / countAll) : double.NaN);
    }

    // Trains through the ML.NET pipeline, as a user would: rows of a small class through LoadFromEnumerable, the catalog's
    // SimulateR2DN / SimulateREN with options that set the column names (and the Ctrl+C token) only, Fit, then Transform
    // on the test records.
    private static (double[][] Predictions, double Seconds, SimulationTransformer Model, double PluginNrmse) TrainAndSimulate(
        string model, SimulationDataSet data, Scaling scaling, int seed, Action<string> progress, CancellationToken cancellation)
    {
        var ml = new MLContext(seed);
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.StartsWith(nameof(SimulationEstimator), StringComparison.Ordinal))
                progress("  " + e.RawMessage);
        };
        string[] inputs = [.. Enumerable.Range(0, data.Inputs).Select(i => $"U{i}")];
        string[] outputs = [.. Enumerable.Range(0, data.Outputs).Select(i => $"Y{i}")];
        string? seriesId = data.Estimation.Length > 1 ? nameof(IoRow.Series) : null;
        var train = ml.Data.LoadFromEnumerable(Rows(data.Estimation));
        IEstimator<SimulationTransformer> estimator = model == "ren"
            ? ml.Forecasting.SimulateREN(new RenSimulationOptions
            {
                OutputColumnNames = outputs, InputColumnNames = inputs, SeriesIdColumnName = seriesId, CancellationToken = cancellation,
            })
            : ml.Forecasting.SimulateR2DN(new R2dnSimulationOptions
            {
                OutputColumnNames = outputs, InputColumnNames = inputs, SeriesIdColumnName = seriesId, CancellationToken = cancellation,
            });
        long start = Stopwatch.GetTimestamp();
        var fitted = estimator.Fit(train);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        // A model trained without a series id treats a view as one record: simulate each test record on its own.
        var groups = seriesId is null ? data.Test.Select(s => new[] { s }).ToArray() : [data.Test];
        var predictions = new List<double[]>();
        double num = 0, den = 0;
        foreach (var group in groups)
        {
            var view = ml.Data.LoadFromEnumerable(Rows(group));
            var scored = fitted.Transform(view);
            var columns = fitted.PredictedColumnNames.Select(name => scored.GetColumn<float>(name).ToArray()).ToArray();
            int offset = 0;
            foreach (var record in group)
            {
                var yHat = new double[record.Length * data.Outputs];
                for (int t = 0; t < record.Length; t++)
                    for (int c = 0; c < data.Outputs; c++)
                        yHat[t * data.Outputs + c] = columns[c][offset + t];
                predictions.Add(yHat);
                offset += record.Length;
            }
            // The plugin's own score (a cross-check of Score), pooled over the groups as Nrmse pools over series: the
            // simulator standardises with the estimation data's statistics, as Scaling does.
            double nrmse = fitted.Nrmse(view);
            double groupDen = group.Sum(r => StandardisedSquares(r, scaling, data.Outputs));
            num += nrmse * nrmse * groupDen;
            den += groupDen;
        }
        return ([.. predictions], seconds, fitted, den > 0 ? Math.Sqrt(num / den) : double.NaN);
    }

    // Σz² after the washout, z the outputs in the estimation data's standardised units.
    private static double StandardisedSquares(IoSeries record, Scaling scaling, int ny)
    {
        double sum = 0;
        for (int k = Washout * ny; k < record.Y.Length; k++)
        {
            double z = (record.Y[k] - scaling.YMean[k % ny]) / scaling.YStd[k % ny];
            sum += z * z;
        }
        return sum;
    }

    // The rows of IoRow: at most 2 inputs and 3 outputs (the F16's), the unused columns 0.
    private static IEnumerable<IoRow> Rows(IReadOnlyList<IoSeries> records)
    {
        for (int s = 0; s < records.Count; s++)
        {
            var r = records[s];
            int nu = r.U.Length / r.Length, ny = r.Y.Length / r.Length;
            for (int t = 0; t < r.Length; t++)
                yield return new IoRow
                {
                    Series = s,
                    U0 = (float)r.U[t * nu],
                    U1 = nu > 1 ? (float)r.U[t * nu + 1] : 0,
                    Y0 = (float)r.Y[t * ny],
                    Y1 = ny > 1 ? (float)r.Y[t * ny + 1] : 0,
                    Y2 = ny > 2 ? (float)r.Y[t * ny + 2] : 0,
                };
        }
    }

    // "contracting, nx 16, nv 16, hidden [32,32], lr 0.001, 35 epochs" (the epochs the kept model trained), and the
    // settings for the JSON.
    private static string ChosenSettings(SimulationTransformer model, out object? settings)
    {
        settings = null;
        try
        {
            using var doc = JsonDocument.Parse(model.TrainingSettings);
            var root = doc.RootElement;
            settings = root.Clone();
            string robustness = root.TryGetProperty("robustness", out var r) ? r.GetString() ?? "?" : "?";
            if (robustness == "Lipschitz" && root.TryGetProperty("gamma", out var g))
                robustness = $"{g.GetDouble().ToString("G3", CultureInfo.InvariantCulture)}-Lipschitz";
            string sizes = root.TryGetProperty("stateSize", out var nx) ? $"nx {nx.GetInt32()}" : "";
            if (root.TryGetProperty("features", out var nv)) sizes += $", nv {nv.GetInt32()}";
            if (model.ModelKind == Microsoft.ML.R2DN.Engine.Forecasting.ModelKind.R2dn && root.TryGetProperty("hiddenSizes", out var h) && h.GetArrayLength() > 0)
                sizes += $", hidden [{string.Join(",", h.EnumerateArray().Select(v => v.GetInt32()))}]";
            string rate = root.TryGetProperty("learningRate", out var lr) ? lr.GetDouble().ToString("G3", CultureInfo.InvariantCulture) : "?";
            return $"{robustness.ToLowerInvariant()}, {sizes}, lr {rate}, {model.TrainingLoss.Count} epochs";
        }
        catch (JsonException)
        {
            return $"{model.TrainingLoss.Count} epochs";
        }
    }

    private sealed class IoRow
    {
        public int Series { get; set; }

        public float U0 { get; set; }

        public float U1 { get; set; }

        public float Y0 { get; set; }

        public float Y1 { get; set; }

        public float Y2 { get; set; }
    }
}

/// <summary>The estimation data's mean and population standard deviation of every input and output.</summary>
internal sealed record Scaling(double[] UMean, double[] UStd, double[] YMean, double[] YStd)
{
    public static Scaling Fit(IReadOnlyList<IoSeries> records, int nu, int ny)
    {
        var (um, us) = Moments(records.Select(r => r.U), nu);
        var (ym, ys) = Moments(records.Select(r => r.Y), ny);
        return new Scaling(um, us, ym, ys);
    }

    private static (double[] Mean, double[] Std) Moments(IEnumerable<double[]> blocks, int width)
    {
        var sum = new double[width];
        long n = 0;
        var all = blocks.ToList();
        foreach (var b in all)
        {
            for (int k = 0; k < b.Length; k++) sum[k % width] += b[k];
            n += b.Length / width;
        }
        var mean = sum.Select(v => v / n).ToArray();
        var squares = new double[width];
        foreach (var b in all)
            for (int k = 0; k < b.Length; k++)
            {
                double d = b[k] - mean[k % width];
                squares[k % width] += d * d;
            }
        var std = squares.Select((v, c) => Math.Sqrt(v / n) is var s && s > 1e-12 * Math.Max(1, Math.Abs(mean[c])) ? s : 1).ToArray();
        return (mean, std);
    }
}

/// <summary>
/// A linear ARX model in standardised units, y_t = Σ_{i=1..na} A_i y_{t−i} + Σ_{j=0..na} B_j u_{t−j} + c (na = nb),
/// fitted by least squares with a tiny ridge penalty and simulated freely (its own outputs fed back) from a zero past.
/// </summary>
internal sealed class Arx
{
    // Predictions beyond this many standard deviations are clipped: an unstable fit then scores badly but finitely.
    private const double Clip = 1e6;

    private readonly Scaling _scaling;
    private readonly int _nu, _ny;
    private readonly double[] _theta;   // p × ny, row-major

    private Arx(int order, Scaling scaling, int nu, int ny, double[] theta)
    {
        Order = order; _scaling = scaling; _nu = nu; _ny = ny; _theta = theta;
    }

    /// <summary>na = nb.</summary>
    public int Order { get; }

    /// <summary>The number of regressors: ny·na past outputs, nu·(na + 1) inputs and the constant.</summary>
    private static int Regressors(int order, int nu, int ny) => ny * order + nu * (order + 1) + 1;

    /// <summary>Chooses na = nb among <see cref="SimulationBenchmark.ArxOrders"/>: each is fitted on the first 80% of every
    /// estimation record and simulated over the whole record from a zero past, scored (NRMSE) on the last 20%; the best
    /// is refitted on all the estimation data.</summary>
    public static (Arx Model, SortedDictionary<int, double> OrderErrors) FitWithOrderSearch(SimulationDataSet data, Scaling scaling,
                                                                                            CancellationToken cancellation)
    {
        var z = data.Estimation.Select(r => Standardise(r, scaling, data.Inputs, data.Outputs)).ToArray();
        var errors = new SortedDictionary<int, double>();
        int best = -1;
        foreach (int order in SimulationBenchmark.ArxOrders)
        {
            cancellation.ThrowIfCancellationRequested();
            var fitEnds = z.Select(r => r.Length - (int)(r.Length * SimulationBenchmark.ArxValidationFraction)).ToArray();
            if (fitEnds.Any(end => end <= order + Regressors(order, data.Inputs, data.Outputs))) continue;
            var model = Fit(z, fitEnds, order, scaling, data.Inputs, data.Outputs);
            double num = 0, den = 0;
            for (int s = 0; s < z.Length; s++)
            {
                var yHat = model.SimulateStandardised(z[s].U, z[s].Length);
                for (int k = fitEnds[s] * data.Outputs; k < yHat.Length; k++)
                {
                    double d = yHat[k] - z[s].Y[k];
                    num += d * d;
                    den += z[s].Y[k] * z[s].Y[k];
                }
            }
            double error = den > 0 ? Math.Sqrt(num / den) : double.NaN;
            errors[order] = error;
            if (double.IsFinite(error) && (best < 0 || error < errors[best])) best = order;
        }
        if (best < 0) best = errors.Count > 0 ? errors.Keys.First() : SimulationBenchmark.ArxOrders[0];
        var final = Fit(z, z.Select(r => r.Length).ToArray(), best, scaling, data.Inputs, data.Outputs);
        return (final, errors);
    }

    /// <summary>Simulates the model over a record's inputs (data units in and out).</summary>
    public double[] Simulate(IoSeries record)
    {
        var z = Standardise(record, _scaling, _nu, _ny);
        var yHat = SimulateStandardised(z.U, record.Length);
        for (int k = 0; k < yHat.Length; k++) yHat[k] = yHat[k] * _scaling.YStd[k % _ny] + _scaling.YMean[k % _ny];
        return yHat;
    }

    private double[] SimulateStandardised(double[] u, int length)
    {
        int p = Regressors(Order, _nu, _ny);
        var phi = new double[p];
        var yHat = new double[length * _ny];
        for (int t = 0; t < length; t++)
        {
            FillRegressors(phi, yHat, u, t, Order, _nu, _ny);
            for (int c = 0; c < _ny; c++)
            {
                double v = 0;
                for (int i = 0; i < p; i++) v += phi[i] * _theta[i * _ny + c];
                yHat[t * _ny + c] = double.IsNaN(v) ? Clip : Math.Clamp(v, -Clip, Clip);
            }
        }
        return yHat;
    }

    // φ_t = [y_{t−1} … y_{t−na}, u_t … u_{t−na}, 1]; values before the first row are 0 (the estimation mean).
    private static void FillRegressors(double[] phi, double[] y, double[] u, int t, int order, int nu, int ny)
    {
        int k = 0;
        for (int i = 1; i <= order; i++)
            for (int c = 0; c < ny; c++)
                phi[k++] = t - i >= 0 ? y[(t - i) * ny + c] : 0;
        for (int j = 0; j <= order; j++)
            for (int c = 0; c < nu; c++)
                phi[k++] = t - j >= 0 ? u[(t - j) * nu + c] : 0;
        phi[k] = 1;
    }

    // Least squares over rows [order, fitEnd) of every record: (ΦᵀΦ + λI)Θ = ΦᵀY, λ = 1e-8 · trace(ΦᵀΦ)/p, Cholesky.
    private static Arx Fit(IoSeries[] z, int[] fitEnds, int order, Scaling scaling, int nu, int ny)
    {
        const int Block = 2048;
        int p = Regressors(order, nu, ny);
        var gram = new Matrix(p, p);
        var cross = new Matrix(p, ny);
        var x = new Matrix(Block, p);
        var yb = new Matrix(Block, ny);
        var phi = new double[p];
        int rows = 0;
        void Flush()
        {
            if (rows == 0) return;
            if (rows < Block)
            {
                Array.Clear(x.Data, rows * p, (Block - rows) * p);   // zero rows add nothing
                Array.Clear(yb.Data, rows * ny, (Block - rows) * ny);
            }
            gram.AddScaled(Matrix.TransposeMultiply(x, x));
            cross.AddScaled(Matrix.TransposeMultiply(x, yb));
            rows = 0;
        }
        for (int s = 0; s < z.Length; s++)
            for (int t = order; t < fitEnds[s]; t++)
            {
                FillRegressors(phi, z[s].Y, z[s].U, t, order, nu, ny);
                phi.CopyTo(x.Data, rows * p);
                Array.Copy(z[s].Y, t * ny, yb.Data, rows * ny, ny);
                if (++rows == Block) Flush();
            }
        Flush();
        double trace = 0;
        for (int i = 0; i < p; i++) trace += gram[i, i];
        double ridge = 1e-8 * Math.Max(trace / p, 1e-12);
        for (int i = 0; i < p; i++) gram[i, i] += ridge;
        var theta = new CholeskyDecomposition(gram).Solve(cross);
        return new Arx(order, scaling, nu, ny, theta.Data);
    }

    private static IoSeries Standardise(IoSeries r, Scaling scaling, int nu, int ny)
    {
        var u = new double[r.U.Length];
        var y = new double[r.Y.Length];
        for (int k = 0; k < u.Length; k++) u[k] = (r.U[k] - scaling.UMean[k % nu]) / scaling.UStd[k % nu];
        for (int k = 0; k < y.Length; k++) y[k] = (r.Y[k] - scaling.YMean[k % ny]) / scaling.YStd[k % ny];
        return new IoSeries(r.Name, r.Length, u, y);
    }
}

/// <summary>The benchmark files: where they are expected (under a data folder laid out as <c>../shared/data</c>),
/// where to get them, and how each data set's own protocol splits them into estimation and test records.</summary>
internal static class SimulationDataSets
{
    private const string CascadedTanksFile = "CascadedTanks/dataBenchmark.csv";
    private const string EmpsEstimationFile = "EMPS/derived_csv/DATA_EMPS.csv";
    private const string EmpsTestFile = "EMPS/derived_csv/DATA_EMPS_PULSES.csv";
    private static readonly string[] F16Estimation = [.. new[] { 1, 3, 5, 7 }.Select(l => $"F16GVT/F16Data_FullMSine_Level{l}.csv")];
    private static readonly string[] F16Test = [.. new[] { 2, 4, 6 }.Select(l => $"F16GVT/F16Data_FullMSine_Level{l}_Validation.csv")];

    /// <summary>The files a data set needs, relative to the data folder.</summary>
    public static string[] Files(string key) => key switch
    {
        "cascaded-tanks" => [CascadedTanksFile],
        "emps" => [EmpsEstimationFile, EmpsTestFile],
        "f16" => [.. F16Estimation, .. F16Test],
        _ => throw new ArgumentException($"Unknown data set '{key}'.", nameof(key)),
    };

    /// <summary>Where to get a data set's files.</summary>
    public static string Source(string key) => key switch
    {
        "cascaded-tanks" => "the Cascaded Tanks benchmark (Schoukens, Mattsson, Wigren & Noël, nonlinearbenchmark.org): dataBenchmark.csv " +
                            "(columns uEst, uVal, yEst, yVal, Ts; also in github.com/forgi86/sysid-neural-continuous, examples/CTS/data/)",
        "emps" => "the EMPS benchmark (Janot, Gautier & Brunot, nonlinearbenchmark.org, EMPS.zip): DATA_EMPS.mat and DATA_EMPS_PULSES.mat " +
                  "converted to CSV with the headers t,qm,qg,vir and t,qm,qg,vir,pulses_N (see ../shared/data/SOURCES.md)",
        "f16" => "the F-16 ground vibration test benchmark (Noël & Schoukens, 4TU.ResearchData doi:10.4121/12954911, F16GVT_Files.zip, " +
                 "BenchmarkData): F16Data_FullMSine_Level1..7.csv (Level 2, 4 and 6 are named *_Validation.csv)",
        _ => throw new ArgumentException($"Unknown data set '{key}'.", nameof(key)),
    };

    /// <summary>The data folder: <paramref name="explicitFolder"/> when given, else the first <c>shared/data</c> found
    /// walking up from the current directory, then from the program's directory (from the repository root that is
    /// <c>../shared/data</c>); null when none is found (<paramref name="searched"/> lists where it looked).</summary>
    public static string? Locate(string? explicitFolder, out List<string> searched)
    {
        searched = [];
        if (explicitFolder is not null)
        {
            string full = Path.GetFullPath(explicitFolder);
            searched.Add(full);
            return Directory.Exists(full) ? full : null;
        }
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (searched.Contains(candidate)) continue;
                searched.Add(candidate);
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>The files of <paramref name="key"/> missing from <paramref name="folder"/>.</summary>
    public static string[] Missing(string key, string folder) =>
        [.. Files(key).Where(f => !File.Exists(Path.Combine(folder, f)))];

    /// <summary>Reads a data set (its files must exist).</summary>
    /// <exception cref="FormatException">A file is not as expected (the message names it and the line).</exception>
    public static SimulationDataSet Load(string key, string folder, int empsDecimation = SimulationBenchmark.DefaultEmpsDecimation) => key switch
    {
        "cascaded-tanks" => CascadedTanks(folder),
        "emps" => Emps(folder, empsDecimation),
        "f16" => F16(folder),
        _ => throw new ArgumentException($"Unknown data set '{key}'.", nameof(key)),
    };

    // Estimation uEst → yEst, test uVal → yVal, 1024 rows each at Ts = 4 s; the test is simulated from its first row.
    private static SimulationDataSet CascadedTanks(string folder)
    {
        var table = ReadCsv(Path.Combine(folder, CascadedTanksFile), ["uEst", "uVal", "yEst", "yVal"]);
        return new SimulationDataSet("cascaded-tanks", "Cascaded Tanks", ["u"], ["y"],
                                     [new IoSeries("estimation", table[0].Length, table[0], table[2])],
                                     [new IoSeries("test", table[1].Length, table[1], table[3])],
                                     "estimation uEst -> yEst, test uVal -> yVal (1024 rows each, Ts 4 s), simulated from the first test row");
    }

    // Estimation DATA_EMPS, test DATA_EMPS_PULSES (the data set's README): input vir (motor force), output qm (motor
    // position), 24,841 rows at 1 kHz each, averaged over blocks of `decimation` rows.
    private static SimulationDataSet Emps(string folder, int decimation)
    {
        IoSeries Read(string file, string name)
        {
            var table = ReadCsv(Path.Combine(folder, file), ["vir", "qm"]);
            var u = Decimate(table[0], decimation);
            var y = Decimate(table[1], decimation);
            if (u.Length < 2 * SimulationBenchmark.Washout)
                throw new FormatException($"{Path.GetFileName(file)} has {u.Length} rows after averaging blocks of {decimation}; the benchmark needs at least {2 * SimulationBenchmark.Washout}.");
            return new IoSeries(name, u.Length, u, y);
        }
        var estimation = Read(EmpsEstimationFile, "DATA_EMPS");
        var test = Read(EmpsTestFile, "DATA_EMPS_PULSES");
        string rate = decimation == 1 ? "at 1 kHz" : $"1 kHz averaged over blocks of {decimation} rows";
        string hertz = (1000.0 / decimation).ToString("0.##", CultureInfo.InvariantCulture);
        return new SimulationDataSet("emps", "EMPS", ["vir"], ["qm"], [estimation], [test],
                                     $"estimation DATA_EMPS, test DATA_EMPS_PULSES, vir (force) -> qm (position); {rate} " +
                                     $"({estimation.Length} and {test.Length} rows at {hertz} Hz)");
    }

    // Estimation Level 1, 3, 5, 7 and test Level 2, 4, 6 (the paper's protocol, MODELS.md 4.1): inputs Force and Voltage,
    // outputs Acceleration1..3, 73,728 rows each at 400 Hz.
    private static SimulationDataSet F16(string folder)
    {
        string[] columns = ["Force", "Voltage", "Acceleration1", "Acceleration2", "Acceleration3"];
        IoSeries Read(string file)
        {
            var t = ReadCsv(Path.Combine(folder, file), columns);
            int n = t[0].Length;
            var u = new double[2 * n];
            var y = new double[3 * n];
            for (int k = 0; k < n; k++)
            {
                u[2 * k] = t[0][k]; u[2 * k + 1] = t[1][k];
                y[3 * k] = t[2][k]; y[3 * k + 1] = t[3][k]; y[3 * k + 2] = t[4][k];
            }
            return new IoSeries(Path.GetFileNameWithoutExtension(file), n, u, y);
        }
        return new SimulationDataSet("f16", "F-16 GVT", ["Force", "Voltage"], ["Acceleration1", "Acceleration2", "Acceleration3"],
                                     [.. F16Estimation.Select(Read)], [.. F16Test.Select(Read)],
                                     "estimation Level 1, 3, 5, 7, test Level 2, 4, 6 (FullMSine, 73,728 rows each at 400 Hz); Force, Voltage -> Acceleration1..3");
    }

    /// <summary>Block means of <paramref name="factor"/> rows (a partial last block is dropped).</summary>
    internal static double[] Decimate(double[] values, int factor)
    {
        if (factor <= 1) return values;
        var result = new double[values.Length / factor];
        for (int i = 0; i < result.Length; i++)
        {
            double sum = 0;
            for (int k = 0; k < factor; k++) sum += values[i * factor + k];
            result[i] = sum / factor;
        }
        return result;
    }

    /// <summary>Reads the named columns of a CSV with a header (names may be quoted; a trailing comma and fields left
    /// empty after the first row, like the Cascaded Tanks and F16 files' Ts and Fs, are allowed in other columns).</summary>
    /// <exception cref="FormatException">A column is missing, or a value is not a finite number (the message names the
    /// file and line).</exception>
    internal static double[][] ReadCsv(string path, string[] columns)
    {
        string file = Path.GetFileName(path);
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine() ?? throw new FormatException($"{file} is empty.");
        var names = header.Split(',').Select(n => n.Trim().Trim('"').Trim()).ToList();
        var index = columns.Select(c => names.IndexOf(c) is var i && i >= 0
                                       ? i
                                       : throw new FormatException($"{file} has no column '{c}'; its columns are: {string.Join(", ", names.Where(n => n.Length > 0))}."))
                           .ToArray();
        var values = columns.Select(_ => new List<double>()).ToArray();
        int line = 1;
        for (string? text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            if (text.Length == 0) continue;
            var fields = text.Split(',');
            for (int c = 0; c < columns.Length; c++)
            {
                if (index[c] >= fields.Length
                    || !double.TryParse(fields[index[c]], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new FormatException($"{file} line {line}: column '{columns[c]}' is not a finite number " +
                                              $"('{(index[c] < fields.Length ? fields[index[c]] : "")}').");
                values[c].Add(v);
            }
        }
        if (values[0].Count < 2 * SimulationBenchmark.Washout) throw new FormatException($"{file} has {values[0].Count} data rows; the benchmark needs at least {2 * SimulationBenchmark.Washout}.");
        return [.. values.Select(v => v.ToArray())];
    }
}
