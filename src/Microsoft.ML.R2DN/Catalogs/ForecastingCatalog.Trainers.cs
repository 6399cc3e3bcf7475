namespace Microsoft.ML;

public static partial class R2dnCatalog
{
    /// <summary>Creates a <see cref="ForecastingEstimator"/> that trains an R2DN (robust recurrent deep network)
    /// forecaster: after each row it forecasts the next <paramref name="horizon"/> values of the target(s).</summary>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="outputColumnName">The column the forecasts are written to: a vector of <see cref="float"/> of
    /// length <paramref name="horizon"/> × targets (all steps of <paramref name="inputColumnName"/>, then those of each
    /// additional target). Not null or empty.</param>
    /// <param name="inputColumnName">The target column y to forecast: numeric (<c>Single</c>, <c>Double</c>,
    /// <c>Int32</c>, <c>Int64</c> or <c>Boolean</c>). Not null or empty.</param>
    /// <param name="horizon">The number of steps ahead h, at least 1.</param>
    /// <param name="featureColumnNames">Numeric exogenous feature columns observed with the target (for example the
    /// temperature and the hour); null for none.</param>
    /// <param name="confidenceLowerBoundColumn">The column for the lower bounds of the intervals (laid out as the
    /// forecast). As in ML.NET, intervals are written only when both bound columns are named; null for none.</param>
    /// <param name="confidenceUpperBoundColumn">The column for the upper bounds; null for none.</param>
    /// <param name="confidenceLevel">The coverage of the split-conformal intervals, in (0, 1). Default 0.95.</param>
    /// <param name="seriesIdColumnName">A column (<c>String</c>, <c>Int32</c>, <c>Int64</c>, or a floating-point id)
    /// that splits the rows into independent series; null when all rows are one series.</param>
    /// <param name="additionalTargetColumnNames">Further numeric target columns forecast jointly with
    /// <paramref name="inputColumnName"/>; null for none.</param>
    /// <returns>The estimator; every other setting has its default (see
    /// <see cref="R2dnForecastingOptions"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> is less than 1, or
    /// <paramref name="confidenceLevel"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">A column name is null or empty, a column is named twice, or only one bound
    /// column is named.</exception>
    /// <example><code>
    /// var pipeline = ml.Forecasting.R2DN(outputColumnName: "Forecast", inputColumnName: "Load", horizon: 24,
    ///     featureColumnNames: new[] { "Temperature", "Hour" },
    ///     confidenceLowerBoundColumn: "Lower", confidenceUpperBoundColumn: "Upper");
    /// ForecastingTransformer model = pipeline.Fit(train);
    /// </code></example>
    public static ForecastingEstimator R2DN(this ForecastingCatalog catalog, string outputColumnName,
                                            string inputColumnName, int horizon, string[]? featureColumnNames = null,
                                     string? confidenceLowerBoundColumn = null,
                                     string? confidenceUpperBoundColumn = null,
                                     float confidenceLevel = (float)Defaults.Forecasting.ConfidenceLevel,
                                     string? seriesIdColumnName = null,
                                     string[]? additionalTargetColumnNames = null)
        => Forecaster(catalog, new R2dnForecastingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Horizon = horizon,
        }, featureColumnNames, confidenceLowerBoundColumn, confidenceUpperBoundColumn, confidenceLevel,
            seriesIdColumnName, additionalTargetColumnNames);

    /// <summary>Creates a <see cref="ForecastingEstimator"/> that trains an R2DN forecaster with every setting
    /// given.</summary>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="options">The settings; not null. Copied: later changes to it do not affect the estimator.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range (the exception names the
    /// property).</exception>
    /// <exception cref="ArgumentException">A column name is null or empty or repeated, or only one bound column is
    /// named.</exception>
    public static ForecastingEstimator R2DN(this ForecastingCatalog catalog, R2dnForecastingOptions options) =>
        new(Environment(catalog), options);

    /// <summary>Creates a <see cref="ForecastingEstimator"/> that trains a REN (recurrent equilibrium network)
    /// forecaster, the alternative to
    /// <see cref="R2DN(ForecastingCatalog, string, string, int, string[], string, string, float, string, string[])"/>
    /// with the same columns and intervals.</summary>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="outputColumnName">The column the forecasts are written to (vector of <see cref="float"/>,
    /// horizon × targets). Not null or empty.</param>
    /// <param name="inputColumnName">The numeric target column. Not null or empty.</param>
    /// <param name="horizon">The number of steps ahead, at least 1.</param>
    /// <param name="featureColumnNames">Numeric exogenous feature columns; null for none.</param>
    /// <param name="confidenceLowerBoundColumn">The lower-bound column; null for none (both bounds or neither).</param>
    /// <param name="confidenceUpperBoundColumn">The upper-bound column; null for none.</param>
    /// <param name="confidenceLevel">The coverage of the intervals, in (0, 1). Default 0.95.</param>
    /// <param name="seriesIdColumnName">The series id column; null for one series.</param>
    /// <param name="additionalTargetColumnNames">Further numeric target columns; null for none.</param>
    /// <returns>The estimator; every other setting has its default (see <see cref="RenForecastingOptions"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> is less than 1, or
    /// <paramref name="confidenceLevel"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">A column name is null or empty, a column is named twice, or only one bound
    /// column is named.</exception>
    public static ForecastingEstimator REN(this ForecastingCatalog catalog, string outputColumnName,
                                           string inputColumnName, int horizon, string[]? featureColumnNames = null,
                                    string? confidenceLowerBoundColumn = null,
                                    string? confidenceUpperBoundColumn = null,
                                    float confidenceLevel = (float)Defaults.Forecasting.ConfidenceLevel,
                                    string? seriesIdColumnName = null,
                                    string[]? additionalTargetColumnNames = null)
        => Forecaster(catalog, new RenForecastingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Horizon = horizon,
        }, featureColumnNames, confidenceLowerBoundColumn, confidenceUpperBoundColumn, confidenceLevel,
            seriesIdColumnName, additionalTargetColumnNames);

    /// <summary>Creates a <see cref="ForecastingEstimator"/> that trains a REN forecaster with every setting
    /// given.</summary>
    /// <inheritdoc cref="R2DN(ForecastingCatalog, R2dnForecastingOptions)" path="/*[not(self::summary)]"/>
    public static ForecastingEstimator REN(this ForecastingCatalog catalog, RenForecastingOptions options) =>
        new(Environment(catalog), options);

    /// <summary>Creates a <see cref="SimulationEstimator"/> that trains an R2DN simulator (system identification): it
    /// predicts the outputs y_t from the inputs u_0 … u_t alone, over whole series from a zero state.</summary>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="outputColumnNames">The measured output columns y (numeric); at least one.</param>
    /// <param name="inputColumnNames">The input columns u (numeric); at least one.</param>
    /// <param name="seriesIdColumnName">A column that splits the rows into independent series (for example one per
    /// experiment or file, loaded together with <c>LoadFromTextFile(string[] paths, ...)</c>); null for one
    /// series.</param>
    /// <param name="predictedColumnNames">The columns the predictions are written to, one per output; null for each
    /// output's name followed by <c>Predicted</c>.</param>
    /// <param name="epochs">The number of training epochs, at least 1. Default 70.</param>
    /// <param name="washout">The leading rows of each series left out of <see cref="SimulationTransformer.Nrmse"/>, at
    /// least 0. Default 100.</param>
    /// <returns>The estimator; every other setting has its default (see <see cref="R2dnSimulationOptions"/>).</returns>
    /// <exception cref="ArgumentException">A column list is null or empty, a name is null, empty or repeated, or the
    /// predicted names are not one per output.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> or <paramref name="washout"/> is out of
    /// range.</exception>
    /// <example><code>
    /// var pipeline = ml.Forecasting.SimulateR2DN(outputColumnNames: new[] { "Acceleration" },
    ///     inputColumnNames: new[] { "Force" }, seriesIdColumnName: "Experiment");
    /// SimulationTransformer model = pipeline.Fit(train);   // adds "AccelerationPredicted"
    /// </code></example>
    public static SimulationEstimator SimulateR2DN(this ForecastingCatalog catalog, string[] outputColumnNames,
                                                   string[] inputColumnNames, string? seriesIdColumnName = null,
                                                   string[]? predictedColumnNames = null,
                                                   int epochs = Defaults.Simulation.Epochs,
                                                   int washout = Defaults.Simulation.Washout) =>
        Simulator(catalog, new R2dnSimulationOptions
        {
            OutputColumnNames = outputColumnNames, InputColumnNames = inputColumnNames,
        }, seriesIdColumnName, predictedColumnNames, epochs, washout);

    /// <summary>Creates a <see cref="SimulationEstimator"/> that trains an R2DN simulator with every setting
    /// given.</summary>
    /// <param name="catalog">ML.NET's forecasting catalog, <c>mlContext.Forecasting</c>.</param>
    /// <param name="options">The settings; not null. Copied: later changes to it do not affect the estimator.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range (the exception names the
    /// property).</exception>
    /// <exception cref="ArgumentException">A column list or name is invalid.</exception>
    public static SimulationEstimator SimulateR2DN(this ForecastingCatalog catalog, R2dnSimulationOptions options) =>
        new(Environment(catalog), options);

    /// <summary>Creates a <see cref="SimulationEstimator"/> that trains a REN simulator, the alternative to
    /// <see cref="SimulateR2DN(ForecastingCatalog, string[], string[], string, string[], int, int)"/> with the same
    /// columns.</summary>
    /// <inheritdoc cref="SimulateR2DN(ForecastingCatalog, string[], string[], string, string[], int, int)"
    ///             path="/param"/>
    /// <returns>The estimator; every other setting has its default (see <see cref="RenSimulationOptions"/>).</returns>
    /// <exception cref="ArgumentException">A column list or name is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> or <paramref name="washout"/> is out of
    /// range.</exception>
    public static SimulationEstimator SimulateREN(this ForecastingCatalog catalog, string[] outputColumnNames,
                                                  string[] inputColumnNames, string? seriesIdColumnName = null,
                                                  string[]? predictedColumnNames = null,
                                                  int epochs = Defaults.Simulation.Epochs,
                                                  int washout = Defaults.Simulation.Washout) =>
        Simulator(catalog, new RenSimulationOptions
        {
            OutputColumnNames = outputColumnNames, InputColumnNames = inputColumnNames,
        }, seriesIdColumnName, predictedColumnNames, epochs, washout);

    /// <summary>Creates a <see cref="SimulationEstimator"/> that trains a REN simulator with every setting
    /// given.</summary>
    /// <inheritdoc cref="SimulateR2DN(ForecastingCatalog, R2dnSimulationOptions)" path="/*[not(self::summary)]"/>
    public static SimulationEstimator SimulateREN(this ForecastingCatalog catalog, RenSimulationOptions options) =>
        new(Environment(catalog), options);

    // The simple forecasting overloads of both models: the caller sets the required columns (a generic new() cannot),
    // this the rest; every other setting keeps its default.
    private static ForecastingEstimator Forecaster(ForecastingCatalog catalog, RecurrentForecastingOptions options,
                                                   string[]? featureColumnNames, string? confidenceLowerBoundColumn,
                                                   string? confidenceUpperBoundColumn, float confidenceLevel,
                                                   string? seriesIdColumnName, string[]? additionalTargetColumnNames)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options.FeatureColumnNames = featureColumnNames;
        options.SeriesIdColumnName = seriesIdColumnName;
        options.AdditionalTargetColumnNames = additionalTargetColumnNames;
        CheckSimpleArguments(catalog, options.Horizon, confidenceLevel);
        (options.ConfidenceLowerBoundColumn, options.ConfidenceUpperBoundColumn, options.ConfidenceLevel) =
            (confidenceLowerBoundColumn, confidenceUpperBoundColumn, confidenceLevel);
        return new ForecastingEstimator(Environment(catalog), options);
    }

    // The simple simulation overloads of both models, in the same way.
    private static SimulationEstimator Simulator(ForecastingCatalog catalog, RecurrentSimulationOptions options,
                                                 string? seriesIdColumnName, string[]? predictedColumnNames,
                                                 int epochs, int washout)
    {
        options.SeriesIdColumnName = seriesIdColumnName;
        options.PredictedColumnNames = predictedColumnNames;
        options.Epochs = epochs;
        options.Washout = washout;
        return new SimulationEstimator(Environment(catalog), options);
    }

    // The simple overloads name the arguments as the caller wrote them (horizon, confidenceLevel); the options
    // overloads name the properties.
    private static void CheckSimpleArguments(ForecastingCatalog catalog, int horizon, float confidenceLevel)
    {
        if (horizon < 1)
            throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be at least 1.");
        OptionChecks.ConfidenceLevel(confidenceLevel, nameof(confidenceLevel));
    }
}
