namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>What differs between training a forecaster and a simulator in <c>r2dn train</c>; <see cref="TrainFlow"/>
/// does the rest (loading, checks, split, training, saving, plots and the report) the same way for both.</summary>
/// <remarks>An implementation is used once, in this order: <see cref="CreateEstimator"/>, <see cref="Evaluate"/>,
/// then the report members.</remarks>
internal interface ITrainTask
{
    /// <summary>"forecasting" or "simulation", as in <c>--task</c> and the JSON.</summary>
    string Name { get; }

    /// <summary>"forecaster" or "simulator", for titles.</summary>
    string ModelNoun { get; }

    /// <summary>The numeric columns the model reads, each with the option that named it.</summary>
    IReadOnlyList<(string Name, string Role)> Columns { get; }

    /// <summary>The estimator of the task's model, its output columns named apart from
    /// <paramref name="schema"/>'s.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="schema">The data's schema.</param>
    /// <param name="seriesId">The series id column, or null for one series.</param>
    /// <param name="progress">Receives the epochs as they complete, or null.</param>
    IEstimator<ITransformer> CreateEstimator(MLContext ml, DataViewSchema schema, string? seriesId,
                                             IProgress<TrainingProgress>? progress);

    /// <summary>Scores the trained model on the held-out end of every series and keeps what the report and the plot
    /// need.</summary>
    /// <returns>The training loss per epoch.</returns>
    /// <exception cref="UsageException">A value the model reads is missing in the test rows.</exception>
    IReadOnlyList<double> Evaluate(MLContext ml, ITransformer model, IDataView data, IDataView train, IDataView test,
                                   string? seriesId);

    /// <summary>Writes the plot of the test part to <paramref name="path"/>.</summary>
    /// <returns>Which series it shows when there are several, or null.</returns>
    string? WritePlot(string path);

    /// <summary>Adds the task's columns and settings to the JSON result.</summary>
    void AddSettingsJson(JsonObject json, string? seriesId);

    /// <summary>The test metrics for the JSON result.</summary>
    JsonNode MetricsJson();

    /// <summary>The first line of the text report: what is predicted from what.</summary>
    string Headline();

    /// <summary>The metrics paragraph of the text report, ending with a line break.</summary>
    string MetricsText(LoadedModel saved);

    /// <summary>The commands to try next (after inspect) on the saved model and the data.</summary>
    IEnumerable<string> NextCommands(string model, string data);
}
