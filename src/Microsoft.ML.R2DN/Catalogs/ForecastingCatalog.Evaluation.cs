using Microsoft.ML.R2DN;
using Microsoft.ML.R2DN.Evaluation;

namespace Microsoft.ML;

public static partial class R2dnCatalog
{
    /// <summary>Splits data chronologically: the last <paramref name="testFraction"/> of the rows (of each series, with
    /// a series id) become the test set, the rows before them the training set. Row order is kept in both.</summary>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="data">The data, in time order within each series; not null.</param>
    /// <param name="testFraction">The fraction of rows to test on, in (0, 1). Each series of n &gt;= 2 rows gives
    /// round(n × <paramref name="testFraction"/>) rows to the test set, at least 1 and at most n - 1; a series of one
    /// row stays in the training set.</param>
    /// <param name="seriesIdColumnName">A String, Int32, Int64, Single or Double column whose value names each row's
    /// series (rows of several series may be interleaved); null when the data is one series.</param>
    /// <returns>The two lazy views; deconstruct with <c>var (train, test) = ...</c>. The split is computed when a
    /// cursor first moves (reading the series id column, or counting rows when the count is unknown).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is not in (0, 1), or the series id
    /// column is missing or not String, Int32, Int64, Single or Double.</exception>
    public static TrainTestData SplitByTime(this ForecastingCatalog catalog, IDataView data, double testFraction = 0.2,
                                            string? seriesIdColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction,
                                                  "The test fraction must be in (0, 1).");
        if (seriesIdColumnName is { Length: 0 })
            throw new ArgumentException("The series id column name must not be empty; pass null for a single series.",
                                        nameof(seriesIdColumnName));
        SeriesIdColumns.Check(data.Schema, seriesIdColumnName);
        var token = CancellationToken.None;
        bool cheap = seriesIdColumnName is null && data.GetRowCount() is not null;
        var mask = new RowMask(() =>
        {
            var series = SeriesGrouping.Group(data, seriesIdColumnName, token);
            var isTest = new bool[series.Sum(s => s.Length)];
            foreach (var rows in series)
            {
                int n = rows.Length;
                if (n < 2)
                    continue;
                int test = Math.Clamp((int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero), 1, n - 1);
                for (int p = n - test; p < n; p++)
                    isTest[rows[p]] = true;
            }
            return isTest;
        }, cheap);
        return new TrainTestData(new RowFilterDataView(data, mask, keep: false, token),
                                 new RowFilterDataView(data, mask, keep: true, token));
    }

    /// <summary>Evaluates multi-step forecasts against what happened: MAE, RMSE, NRMSE, sMAPE, MASE, interval coverage
    /// and width, per step and overall, next to the seasonal naive forecast's errors.</summary>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="data">Scored data: a forecaster's output, in time order within each series; not null.</param>
    /// <param name="labelColumnName">The observed values: Single (or another number) for one target; for several, a
    /// vector of Single of size <paramref name="targetCount"/>, or the first target with the others in
    /// <paramref name="additionalLabelColumnNames"/>.</param>
    /// <param name="forecastColumnName">The forecasts: a vector of Single, at row t the forecasts of rows t + 1 ..
    /// t + horizon, target-major (all steps of target 0, then of target 1, ...). Its length is horizon ×
    /// <paramref name="targetCount"/>.</param>
    /// <param name="lowerBoundColumnName">The lower bounds of the forecast intervals (laid out as the forecasts), or
    /// null; give both bounds or neither.</param>
    /// <param name="upperBoundColumnName">The upper bounds of the forecast intervals, or null.</param>
    /// <param name="seriesIdColumnName">The column separating independent series (String, Int32, Int64, Single or
    /// Double), or null for one series. Forecasts are only compared with later rows of their own series.</param>
    /// <param name="seasonality">The season length m &gt;= 1 of the MASE scale and of the seasonal naive forecast (1:
    /// the naive last-value forecast; 24 for hourly data with a daily cycle).</param>
    /// <param name="trainingData">The data the model was trained on, with the same label (and series id) column: the
    /// MASE scale is computed on it, as usual; null to compute it on <paramref name="data"/>.</param>
    /// <param name="targetCount">The number of target series forecast together, &gt;= 1, when
    /// <paramref name="labelColumnName"/> is a vector holding them all.</param>
    /// <param name="additionalLabelColumnNames">The labels of the second and later targets, each a numeric column, as
    /// the trainers' <c>additionalTargetColumnNames</c>; null or empty for one target. With them, the number of targets
    /// is one more than their count (<paramref name="targetCount"/> may be left at 1).</param>
    /// <returns>The metrics; see <see cref="ForecastingMetrics"/> for their exact definitions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentException">A column name is empty, only one bound column is given, or
    /// <paramref name="targetCount"/> disagrees with the number of label columns.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type, the forecast length is
    /// not a multiple of <paramref name="targetCount"/>, or <paramref name="seasonality"/> or
    /// <paramref name="targetCount"/> is below 1.</exception>
    public static ForecastingMetrics Evaluate(this ForecastingCatalog catalog, IDataView data, string labelColumnName,
                                              string forecastColumnName, string? lowerBoundColumnName = null,
                                              string? upperBoundColumnName = null, string? seriesIdColumnName = null,
                                              int seasonality = 1, IDataView? trainingData = null, int targetCount = 1,
                                              string[]? additionalLabelColumnNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        (var labels, targetCount) = ForecastEvaluator.CheckArguments(labelColumnName, forecastColumnName,
            lowerBoundColumnName, upperBoundColumnName, seriesIdColumnName, seasonality, targetCount,
            additionalLabelColumnNames);
        ForecastEvaluator.CheckSchema(data.Schema, labels, forecastColumnName, lowerBoundColumnName,
                                      upperBoundColumnName, seriesIdColumnName, targetCount);
        if (trainingData is not null)
        {
            ForecastEvaluator.CheckLabel(trainingData.Schema, labels, targetCount);
            SeriesIdColumns.Check(trainingData.Schema, seriesIdColumnName);
        }
        var token = CancellationToken.None;
        var columns = ForecastEvaluator.Read(data, labels, forecastColumnName, lowerBoundColumnName,
                                             upperBoundColumnName, targetCount, token);
        var series = SeriesGrouping.Group(data, seriesIdColumnName, token);
        var scale = trainingData is null
            ? ForecastEvaluator.SeasonalScale(columns.Labels, series, seasonality, targetCount)
            : ForecastEvaluator.SeasonalScale(ForecastEvaluator.ReadLabels(trainingData, labels, targetCount, token),
                                              SeriesGrouping.Group(trainingData, seriesIdColumnName, token),
                                              seasonality, targetCount);
        // The linear baseline is fitted on the training data; without it, on the evaluated data itself (in sample, so
        // an optimistic baseline: pass trainingData for a fair comparison).
        var linear = trainingData is null
            ? LinearBaseline.Forecasts(columns.Labels, series, columns.Labels, series, columns.Horizon, targetCount,
                                       token)
            : LinearBaseline.Forecasts(columns.Labels, series,
                                       ForecastEvaluator.ReadLabels(trainingData, labels, targetCount, token),
                                       SeriesGrouping.Group(trainingData, seriesIdColumnName, token), columns.Horizon,
                                       targetCount, token);
        var metrics = ForecastEvaluator.Compute(columns, series, new int[series.Length],
                                                [.. series.Select(s => s.Length)], seasonality, targetCount, scale,
                                                token, linear);
        Log(catalog, string.Create(CultureInfo.InvariantCulture,
                                   $"Evaluated {metrics.Count} forecast pairs: MAE {metrics.Mae:G6}, " +
                                   $"seasonal naive MAE {metrics.SeasonalNaiveMae:G6}."));
        return metrics;
    }

    /// <summary>Rolling-origin cross-validation: the time axis (of each series) is cut into
    /// <paramref name="numberOfFolds"/> + 1 blocks; fold i trains on blocks 0 .. i and tests on block i + 1.</summary>
    /// <remarks>
    /// <para>For each fold the estimator is fitted on the training rows only; the fitted model then transforms the
    /// training and test rows together, in time order, so that a recurrent model's state has seen the history when it
    /// forecasts the test block. Metrics (as <see cref="Evaluate"/>) count only forecasts made at test rows for test
    /// rows; the MASE scale comes from the fold's training rows; the seasonal naive forecast may look back into
    /// them.</para>
    /// <para>Each series of n rows is cut at positions floor(n·j / (folds + 1)), so series of different lengths are
    /// cut in the same proportions. Progress is written to <see cref="MLContext.Log"/>.</para>
    /// </remarks>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="data">The data, in time order within each series; not null.</param>
    /// <param name="estimator">The pipeline to fit in each fold;
    /// its output must hold the forecast column. Not null.</param>
    /// <param name="numberOfFolds">The number of folds (test blocks), &gt;= 1.</param>
    /// <param name="labelColumnName">The observed values (read from the model's output): Single, or a vector of Single
    /// of size <paramref name="targetCount"/>.</param>
    /// <param name="forecastColumnName">The forecast column the model writes (a vector of Single, horizon ×
    /// <paramref name="targetCount"/> values).</param>
    /// <param name="lowerBoundColumnName">The model's lower bound column, or null; give both bounds or neither.</param>
    /// <param name="upperBoundColumnName">The model's upper bound column, or null.</param>
    /// <param name="seriesIdColumnName">The column separating independent series, or null for one series.</param>
    /// <param name="seasonality">The season length m &gt;= 1 of the MASE and the seasonal naive forecast.</param>
    /// <param name="targetCount">The number of target series forecast together, &gt;= 1, when
    /// <paramref name="labelColumnName"/> is a vector holding them all.</param>
    /// <param name="additionalLabelColumnNames">The labels of the second and later targets, each a numeric column; null
    /// or empty for one target.</param>
    /// <returns>One result per fold, earliest test block first:
    /// the model, its metrics and its scored test rows.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/>
    /// or <paramref name="estimator"/> is null.</exception>
    /// <exception cref="ArgumentException">A column name is empty, only one bound column is given, or
    /// <paramref name="targetCount"/> disagrees with the number of label columns.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numberOfFolds"/>, <paramref name="seasonality"/>
    /// or <paramref name="targetCount"/> is below 1, the data has too few rows for the folds, or a column is missing or
    /// has the wrong type.</exception>
    public static IReadOnlyList<CrossValidationResult<ForecastingMetrics>> CrossValidate(
        this ForecastingCatalog catalog, IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5,
        string labelColumnName = "Label", string forecastColumnName = "Forecast", string? lowerBoundColumnName = null,
        string? upperBoundColumnName = null, string? seriesIdColumnName = null, int seasonality = 1,
        int targetCount = 1, string[]? additionalLabelColumnNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfFolds, 1);
        (var labels, targetCount) = ForecastEvaluator.CheckArguments(labelColumnName, forecastColumnName,
            lowerBoundColumnName, upperBoundColumnName, seriesIdColumnName, seasonality, targetCount,
            additionalLabelColumnNames);
        SeriesIdColumns.Check(data.Schema, seriesIdColumnName);
        ForecastEvaluator.CheckLabel(data.Schema, labels, targetCount);   // fail fast, before any training

        var token = CancellationToken.None;
        var series = SeriesGrouping.Group(data, seriesIdColumnName, token);
        int rowCount = series.Sum(s => s.Length);
        var cuts = BlockCuts(series, numberOfFolds, rowCount);

        var results = new List<CrossValidationResult<ForecastingMetrics>>(numberOfFolds);
        for (int fold = 0; fold < numberOfFolds; fold++)
        {
            token.ThrowIfCancellationRequested();
            int trainBlock = fold + 1, testBlock = fold + 2;
            var (trainFlags, historyFlags) = FoldRows(series, cuts, trainBlock, testBlock, rowCount);
            var train = new RowFilterDataView(data, new RowMask(trainFlags), keep: true, token);
            var history = new RowFilterDataView(data, new RowMask(historyFlags), keep: true, token);
            long trainRows = trainFlags.LongCount(f => f), testRows = historyFlags.LongCount(f => f) - trainRows;
            Log(catalog, $"Cross-validation fold {fold + 1} of {numberOfFolds}: training on {trainRows} rows, " +
                         $"testing on {testRows}.");

            var model = estimator.Fit(train);
            var scored = model.Transform(history);
            ForecastEvaluator.CheckSchema(scored.Schema, labels, forecastColumnName, lowerBoundColumnName,
                                          upperBoundColumnName, null, targetCount);
            var columns = ForecastEvaluator.Read(scored, labels, forecastColumnName, lowerBoundColumnName,
                                                 upperBoundColumnName, targetCount, token);

            var foldSeries = HistoryPositions(series, cuts, historyFlags, testBlock);
            var start = series.Select((_, i) => cuts[i][trainBlock]).ToArray();
            var end = series.Select((_, i) => cuts[i][testBlock]).ToArray();
            var scale = ForecastEvaluator.SeasonalScale(columns.Labels, foldSeries.Select((s, i) => s[..start[i]]),
                                                        seasonality, targetCount);
            var linear = LinearBaseline.Forecasts(columns.Labels, foldSeries, columns.Labels,
                                                  [.. foldSeries.Select((f, i) => f[..start[i]])],
                                                  columns.Horizon, targetCount, token);
            var metrics = ForecastEvaluator.Compute(columns, foldSeries, start, end, seasonality, targetCount, scale,
                                                    token, linear);

            var testFlags = TestRows(foldSeries, start, end, columns.Labels.Length);
            var holdOut = new RowFilterDataView(scored, new RowMask(testFlags), keep: true, token);
            Log(catalog, string.Create(CultureInfo.InvariantCulture,
                                       $"Cross-validation fold {fold + 1} of {numberOfFolds}: MAE {metrics.Mae:G6} " +
                                       $"(seasonal naive {metrics.SeasonalNaiveMae:G6}), RMSE {metrics.Rmse:G6}."));
            results.Add(new CrossValidationResult<ForecastingMetrics>(model, metrics, holdOut, fold));
        }
        return results;
    }

    // cuts[s][j]: the first position of block j in series s, j = 0 .. folds + 1.
    private static int[][] BlockCuts(int[][] series, int numberOfFolds, int rowCount)
    {
        var cuts = series.Select(s => Enumerable.Range(0, numberOfFolds + 2)
                                                .Select(j => (int)((long)s.Length * j / (numberOfFolds + 1)))
                                                .ToArray()).ToArray();
        for (int j = 0; j <= numberOfFolds; j++)
            if (series.Select((s, i) => cuts[i][j + 1] - cuts[i][j]).Sum() == 0)
                throw new ArgumentOutOfRangeException(nameof(numberOfFolds), numberOfFolds,
                    $"The data has too few rows ({rowCount}) for {numberOfFolds} folds: every one of the " +
                    $"{numberOfFolds + 1} blocks needs at least one row.");
        return cuts;
    }

    // A fold's rows, flagged by row index: the training blocks, and the history (training and test blocks).
    private static (bool[] Train, bool[] History) FoldRows(int[][] series, int[][] cuts, int trainBlock, int testBlock,
                                                           int rowCount)
    {
        var trainFlags = new bool[rowCount];
        var historyFlags = new bool[rowCount];
        for (int s = 0; s < series.Length; s++)
            for (int p = 0; p < cuts[s][testBlock]; p++)
            {
                historyFlags[series[s][p]] = true;
                trainFlags[series[s][p]] = p < cuts[s][trainBlock];
            }
        return (trainFlags, historyFlags);
    }

    // The rows of each series in the history view (which keeps the input's order).
    private static int[][] HistoryPositions(int[][] series, int[][] cuts, bool[] historyFlags, int testBlock)
    {
        var historyIndex = new int[historyFlags.Length];
        for (int row = 0, next = 0; row < historyFlags.Length; row++)
            historyIndex[row] = historyFlags[row] ? next++ : -1;
        return series.Select((s, i) => s.Take(cuts[i][testBlock]).Select(row => historyIndex[row]).ToArray())
                     .ToArray();
    }

    // The test rows of the history view: positions start[s] .. end[s] - 1 of each series.
    private static bool[] TestRows(int[][] foldSeries, int[] start, int[] end, int rowCount)
    {
        var testFlags = new bool[rowCount];
        for (int s = 0; s < foldSeries.Length; s++)
            for (int p = start[s]; p < end[s]; p++)
                testFlags[foldSeries[s][p]] = true;
        return testFlags;
    }
}
