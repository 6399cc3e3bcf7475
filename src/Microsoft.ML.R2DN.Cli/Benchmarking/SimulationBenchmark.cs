using System.Diagnostics;
using System.Text.Json;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// System identification on the field's benchmarks (Cascaded Tanks, EMPS, F-16 ground vibration test): our R2DN and REN
/// simulators with their defaults, trained through the ML.NET pipeline a user writes, next to a linear ARX model fitted
/// by least squares; each simulated freely over the data set's own test part.
/// </summary>
/// <remarks>
/// <para><b>Scores.</b> Every method is scored the same way: NRMSE = sqrt(Σ(y − ŷ)² / Σy²) in standardised units
/// (the estimation data's mean and population standard deviation per output, as the simulators standardise), pooled
/// over test records and outputs, after the first <see cref="Washout"/> rows of each record (the definition of
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

    /// <summary>The rows at the start of every test record left out of NRMSE and RMSE: the simulators' default
    /// washout.</summary>
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
    public static SimulationDataSetReport Run(SimulationDataSet data, IReadOnlyCollection<string> models, int seed,
                                              Action<string> progress, CancellationToken cancellation)
    {
        var scaling = Scaling.Fit(data.Estimation, data.Inputs, data.Outputs);
        var scores = new List<SimulationScore> { RunArx(data, scaling, progress, cancellation) };
        foreach (var model in Methods.Where(models.Contains))
        {
            cancellation.ThrowIfCancellationRequested();
            scores.Add(RunSimulator(model, data, scaling, seed, progress, cancellation));
        }
        return new SimulationDataSetReport(data.Key, data.Title, null, data.Protocol,
                                           data.Estimation.Sum(s => s.Length), data.Test.Sum(s => s.Length), scores,
                                           data.InitializationRows, data.Units, data.Published);
    }

    // The ARX baseline: the order search, the refit, and its free run over the test records.
    private static SimulationScore RunArx(SimulationDataSet data, Scaling scaling, Action<string> progress,
                                          CancellationToken cancellation)
    {
        progress($"{data.Key}: fitting ARX models (na = nb in {string.Join(", ", ArxOrders)}) on " +
                 $"{data.Estimation.Sum(s => s.Length)} estimation rows");
        long start = Stopwatch.GetTimestamp();
        var (arx, orderErrors) = Arx.FitWithOrderSearch(data, scaling, cancellation);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var score = Score(data, scaling, data.Test.Select(arx.Simulate).ToArray());
        progress(string.Create(CultureInfo.InvariantCulture,
                               $"{data.Key}: ARX na = nb = {arx.Order}: test NRMSE {score.Nrmse:F4}, RMSE " +
                               $"{score.Rmse:G4} ({seconds:0.0} s)"));
        var errors = orderErrors.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture),
                                              kv => (object?)kv.Value);
        return new SimulationScore("arx", score.Nrmse, score.Rmse, score.RmseAll, score.RmseProtocol, seconds,
                                   $"na = nb = {arx.Order}",
                                   new Dictionary<string, object?>
                                   {
                                       ["na"] = arx.Order, ["nb"] = arx.Order, ["order_validation_nrmse"] = errors,
                                   });
    }

    // An R2DN or REN simulator with its defaults, and its free run over the test records.
    private static SimulationScore RunSimulator(string model, SimulationDataSet data, Scaling scaling, int seed,
                                                Action<string> progress, CancellationToken cancellation)
    {
        string name = model.ToUpperInvariant();
        int rows = data.Estimation.Sum(s => s.Length);
        progress($"{data.Key}: training the {name} simulator with its defaults on {rows} estimation rows");
        var (predictions, seconds, transformer, pluginNrmse) =
            TrainAndSimulate(model, data, scaling, seed, progress, cancellation);
        var s = Score(data, scaling, predictions);
        progress(string.Create(CultureInfo.InvariantCulture,
                               $"{data.Key}: {name}: test NRMSE {s.Nrmse:F4} (SimulationTransformer.Nrmse " +
                               $"{pluginNrmse:F4}), RMSE {s.Rmse:G4} ({seconds:0.0} s of training)"));
        string chosen = ChosenSettings(transformer, out var settings);
        return new SimulationScore(model, s.Nrmse, s.Rmse, s.RmseAll, s.RmseProtocol, seconds, chosen,
                                   new Dictionary<string, object?>
                                   {
                                       ["epochs"] = transformer.TrainingLoss.Count,
                                       ["parameters"] = transformer.ParameterCount,
                                       ["plugin_nrmse"] = pluginNrmse,
                                       ["settings"] = settings,
                                   });
    }

    /// <summary>The scores of predictions (one row-major array per test record, data units): NRMSE and RMSE after
    /// the washout, RMSE over every row, and RMSE after the benchmark's initialisation window.</summary>
    internal static (double Nrmse, double Rmse, double RmseAll, double RmseProtocol) Score(SimulationDataSet data,
        Scaling scaling, IReadOnlyList<double[]> predictions)
    {
        int ny = data.Outputs;
        double num = 0, den = 0;
        var (afterWashout, all, protocol) = (new SquareSum(), new SquareSum(), new SquareSum());
        for (int s = 0; s < data.Test.Length; s++)
        {
            var y = data.Test[s].Y;
            var yHat = predictions[s];
            for (int k = 0; k < y.Length; k++)
            {
                int c = k % ny;
                double d = yHat[k] - y[k];
                all.Add(d);
                if (k / ny >= data.InitializationRows) protocol.Add(d);
                if (k / ny < Washout) continue;
                double z = (y[k] - scaling.YMean[c]) / scaling.YStd[c], zd = d / scaling.YStd[c];
                num += zd * zd;
                den += z * z;
                afterWashout.Add(d);
            }
        }
        return (den > 0 ? Math.Sqrt(num / den) : double.NaN, afterWashout.Rms, all.Rms, protocol.Rms);
    }

    private sealed class SquareSum
    {
        private double _sum;
        private long _count;

        public void Add(double d) { _sum += d * d; _count++; }

        public double Rms => _count > 0 ? Math.Sqrt(_sum / _count) : double.NaN;
    }

    // Trains through the ML.NET pipeline, as a user would: rows of a small class through LoadFromEnumerable, the
    // catalog's SimulateR2DN / SimulateREN with options that set the column names (and the Ctrl+C token) only, Fit,
    // then Transform on the test records.
    private static (double[][] Predictions, double Seconds, SimulationTransformer Model, double PluginNrmse)
        TrainAndSimulate(string model, SimulationDataSet data, Scaling scaling, int seed, Action<string> progress,
                         CancellationToken cancellation)
    {
        var ml = new MLContext(seed);
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info
                && e.Source.StartsWith(nameof(SimulationEstimator), StringComparison.Ordinal))
                progress("  " + e.RawMessage);
        };
        string[] inputs = [.. Enumerable.Range(0, data.Inputs).Select(i => $"U{i}")];
        string[] outputs = [.. Enumerable.Range(0, data.Outputs).Select(i => $"Y{i}")];
        string? seriesId = data.Estimation.Length > 1 ? nameof(IoRow.Series) : null;
        var train = ml.Data.LoadFromEnumerable(Rows(data.Estimation));
        IEstimator<SimulationTransformer> estimator = model == "ren"
            ? ml.Forecasting.SimulateREN(new RenSimulationOptions
            {
                OutputColumnNames = outputs, InputColumnNames = inputs, SeriesIdColumnName = seriesId,
                CancellationToken = cancellation,
            })
            : ml.Forecasting.SimulateR2DN(new R2dnSimulationOptions
            {
                OutputColumnNames = outputs, InputColumnNames = inputs, SeriesIdColumnName = seriesId,
                CancellationToken = cancellation,
            });
        long start = Stopwatch.GetTimestamp();
        var fitted = estimator.Fit(train);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var (predictions, pluginNrmse) = Simulate(ml, fitted, data, scaling, seriesId is null);
        return (predictions, seconds, fitted, pluginNrmse);
    }

    // The simulator's free run over every test record (data units), and the plugin's own NRMSE of it (a cross-check of
    // Score), pooled over the records as Nrmse pools over series: the simulator standardises with the estimation data's
    // statistics, as Scaling does.
    private static (double[][] Predictions, double Nrmse) Simulate(MLContext ml, SimulationTransformer fitted,
                                                                   SimulationDataSet data, Scaling scaling,
                                                                   bool oneRecordPerView)
    {
        // A model trained without a series id treats a view as one record: simulate each test record on its own.
        var groups = oneRecordPerView ? data.Test.Select(s => new[] { s }).ToArray() : [data.Test];
        var predictions = new List<double[]>();
        double num = 0, den = 0;
        foreach (var group in groups)
        {
            var view = ml.Data.LoadFromEnumerable(Rows(group));
            var columns = DataViewReader.ReadSingleColumns(fitted.Transform(view), fitted.PredictedColumnNames);
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
            double nrmse = fitted.Nrmse(view);
            double groupDen = group.Sum(r => StandardisedSquares(r, scaling, data.Outputs));
            num += nrmse * nrmse * groupDen;
            den += groupDen;
        }
        return ([.. predictions], den > 0 ? Math.Sqrt(num / den) : double.NaN);
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
            if (model.ModelKind == Engine.Models.ModelKind.R2dn && root.TryGetProperty("hiddenSizes", out var h)
                && h.GetArrayLength() > 0)
                sizes += $", hidden [{string.Join(",", h.EnumerateArray().Select(v => v.GetInt32()))}]";
            string rate = root.TryGetProperty("learningRate", out var lr)
                ? lr.GetDouble().ToString("G3", CultureInfo.InvariantCulture) : "?";
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
