using Microsoft.ML.R2DN.Engine.Simulation;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.R2DN.Simulation;

/// <summary>Trains an R2DN or REN simulator (system identification); created by <c>ml.Forecasting.SimulateR2DN(...)</c>
/// or <c>ml.Forecasting.SimulateREN(...)</c>.</summary>
/// <remarks>
/// <para><b>Input columns:</b> numeric inputs u and outputs y, and an optional series id; rows of each series in time
/// order. <b>Output columns:</b> one <c>Single</c> column of predicted values per output (see
/// <see cref="SimulationTransformer"/>).</para>
/// <list type="table">
///   <listheader><term>Trainer characteristic</term><description>value</description></listheader>
///   <item><term>Machine learning task</term><description>Simulation / system identification</description></item>
///   <item><term>Is normalization required?</term><description>No: inputs and outputs are standardised internally
///   unless <see cref="RecurrentSimulationOptions.Standardize"/> is false</description></item>
///   <item><term>Is caching required?</term><description>No: the columns are read once into memory</description></item>
///   <item><term>Required NuGet in addition to Microsoft.ML.R2DN</term><description>None</description></item>
/// </list>
/// <para><b>Algorithm.</b> The series are cut to the shortest and trained as one batch by truncated backpropagation
/// through time with the state carried between segments (MODELS.md section 4.1). By default training is sized in
/// optimiser steps with a cosine schedule: the unset settings are chosen on the validation tail, then the chosen one is
/// refitted on all the data within <see cref="RecurrentSimulationOptions.TimeBudget"/>; with
/// <see cref="RecurrentSimulationOptions.Epochs"/> set it is the paper's F16 protocol (see
/// <see cref="RecurrentSimulationOptions"/>). Progress goes to <see cref="MLContext.Log"/> and, as values, to the
/// options' <c>Progress</c> when set (<see cref="TrainingProgress"/>). The options' <c>CancellationToken</c> stops
/// training with an <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public sealed class SimulationEstimator : IEstimator<SimulationTransformer>
{
    private readonly IHost _host;
    private readonly RecurrentSimulationOptions _options;
    private readonly SimulationColumns _columns;

    /// <summary>Creates the estimator in <paramref name="environment"/> (an <see cref="MLContext"/>): what the
    /// catalog's extension methods do; use it directly when you hold the context rather than its catalog.</summary>
    /// <param name="environment">The ML.NET environment: progress goes to its log, seeds come from its random source;
    /// not null.</param>
    /// <param name="options">The settings; not null. Copied: later changes to it do not affect the estimator.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range (the exception names the
    /// property).</exception>
    /// <exception cref="ArgumentException">A column name is null, empty or repeated.</exception>
    public SimulationEstimator(IHostEnvironment environment, RecurrentSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _host = environment.Register(nameof(SimulationEstimator));
        _options = options.Snapshot();
        _options.Validate();
        _columns = SimulationColumns.From(_options);
    }

    /// <summary>The schema the fitted transformer produces: the input schema plus one <c>Single</c> column per
    /// predicted output. The output columns are checked too, since training needs them.</summary>
    /// <param name="inputSchema">The training data's schema; not null.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input, output or series id column is missing or has the wrong
    /// type.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        _columns.CheckInput(inputSchema, withOutputs: true);
        return _columns.OutputSchema(inputSchema);
    }

    /// <summary>The shape of the fitted transformer's output: the input columns plus one <c>Single</c> column per
    /// predicted output, as ML.NET's pipelines check it before fitting.</summary>
    /// <param name="inputSchema">The shape of the training data; not null.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An input, output or series id column is missing or has the wrong
    /// type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var c in _columns.InputAndOutputValues) SchemaShapes.CheckNumeric(inputSchema, c);
        if (_columns.SeriesId is not null) SchemaShapes.CheckSeriesId(inputSchema, _columns.SeriesId);
        return SchemaShapes.WithScalars(inputSchema, _columns.Inputs[0], _columns.Predicted);
    }

    /// <summary>Trains the simulator on <paramref name="input"/>.</summary>
    /// <param name="input">The training data; not null.</param>
    /// <returns>The trained simulator.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A needed column is missing or has the wrong type.</exception>
    /// <exception cref="ArgumentException">The data is empty, a value is NaN or infinite under
    /// <see cref="MissingValuePolicy.Error"/>, or a series has fewer than 2 rows.</exception>
    /// <exception cref="OperationCanceledException"><c>CancellationToken</c> of the options was cancelled.</exception>
    /// <exception cref="InvalidOperationException">Training diverged.</exception>
    public SimulationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var channel = _host.Start("Training");
        _columns.CheckInput(input.Schema, withOutputs: true);
        var o = _options;
        var table = SeriesTable.Read(input, _columns.InputAndOutputValues, _columns.SeriesId, o.MissingValues,
                                     training: true, o.CancellationToken);
        if (table.RowCount == 0) throw new ArgumentException("The training data is empty.", nameof(input));
        var sequences = Sequences(table);
        int seed = o.Seed ?? TrainingRun.NextSeed(_host);
        var search = new SimulationSearch(channel, o, sequences, seed);
        channel.Info(MessageSensitivity.None, search.Plan(table.RowCount));
        var (simulator, chosen) = search.Run();
        var certificate = simulator.Model.Certify();
        if (search.CandidateCount > 1)
            channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"Chose {OptionChecks.Describe(chosen.Spec)} with learning rate {chosen.Rate:G3}."));
        channel.Info(MessageSensitivity.None, $"Certificate: {certificate}");
        // A model with an encoder reads the outputs of each record's first rows when it scores: record their types.
        string[] scored = simulator.Encoder is null ? _columns.Inputs : [.. _columns.Inputs, .. _columns.Outputs];
        return new SimulationTransformer(_columns, InputTypes.Of(input.Schema, scored, _columns.SeriesId),
                                         simulator, o.Washout, o.MissingValues, search.Settings(chosen),
                                         simulator.Training!.TrainLoss.ToArray(), certificate);
    }

    // The series as the engine's sequences, each at least 2 rows long.
    private List<SequenceData> Sequences(SeriesTable table)
    {
        int nu = _columns.Inputs.Length, ny = _columns.Outputs.Length, width = nu + ny;
        foreach (var s in table.Items)
            if (s.Length < 2)
                throw new ArgumentException(
                    (_columns.SeriesId is null
                        ? "The training data has"
                        : $"Series '{s.Id}' (column '{_columns.SeriesId}') has") +
                    $" {s.Length} row; simulation needs at least 2 rows per series.", "input");
        return table.Items.Select(s =>
                                  new SequenceData(s.Columns(width, 0, nu), nu, s.Columns(width, nu, ny), ny, s.Id))
                    .ToList();
    }
}
