using System.Text.Json;
using Microsoft.ML.R2DN.Cli.Commands;
using Microsoft.ML.R2DN.Engine.Certificates;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>A model file loaded with <c>ml.Model.Load</c>, its forecaster or simulator recovered with
/// <c>GetForecaster()</c> / <c>GetSimulator()</c> (which re-verifies the certificate), with the transformers that run
/// before it (when an application saved a chain) and the training settings recorded in its manifest.</summary>
internal sealed class LoadedModel
{
    private readonly ITransformer? _prefix;

    private LoadedModel(string path, ITransformer model, ITransformer[] prefix, ForecastingTransformer? forecaster,
                        SimulationTransformer? simulator, JsonObject? settings)
    {
        Path = path; Model = model; Forecaster = forecaster; Simulator = simulator; Settings = settings;
        PrefixLength = prefix.Length;
        _prefix = prefix.Length == 0 ? null : new TransformerChain<ITransformer>(prefix);
    }

    /// <summary>The file, as given.</summary>
    public string Path { get; }

    /// <summary>The model as ML.NET loaded it.</summary>
    public ITransformer Model { get; }

    /// <summary>The forecaster, for a forecasting model.</summary>
    public ForecastingTransformer? Forecaster { get; }

    /// <summary>The simulator, for a simulation model.</summary>
    public SimulationTransformer? Simulator { get; }

    /// <summary>The forecaster or the simulator.</summary>
    public ITransformer Recurrent => (ITransformer?)Forecaster ?? Simulator!;

    /// <summary>The training settings from the manifest (sizes, epochs, learning rate, seed, ...), or null when they
    /// cannot be read.</summary>
    public JsonObject? Settings { get; }

    /// <summary>The number of transformers that run before the forecaster or simulator (0 for a model of
    /// 'r2dn train').</summary>
    public int PrefixLength { get; }

    /// <summary>Whether the model is the forecaster or simulator alone: its columns are then read from the data
    /// directly.</summary>
    public bool IsSingle => _prefix is null;

    public string Task => Forecaster is not null ? "forecasting" : "simulation";

    public ModelKind Kind => Forecaster?.ModelKind ?? Simulator!.ModelKind;

    public int ParameterCount => Forecaster?.ParameterCount ?? Simulator!.ParameterCount;

    public Certificate Certificate => Forecaster?.Certificate ?? Simulator!.Certificate;

    public IReadOnlyList<double> TrainingLoss => Forecaster?.TrainingLoss ?? Simulator!.TrainingLoss;

    public string? SeriesIdColumn =>
        Forecaster is not null ? Forecaster.SeriesIdColumnName : Simulator!.SeriesIdColumnName;

    /// <summary>The columns the model reads from the data, with their roles.</summary>
    public IEnumerable<(string Name, string Role)> InputColumns =>
        Forecaster is { } f
            ? f.TargetColumnNames.Select(c => (c, "target")).Concat(f.FeatureColumnNames.Select(c => (c, "feature")))
            : Simulator!.InputColumnNames.Select(c => (c, "input"));

    /// <summary>Loads <paramref name="path"/> with <c>ml.Model.Load</c> (through
    /// <see cref="R2dnModelFile.Load(MLContext, string, out DataViewSchema, ModelArchiveLimits?)"/>, which bounds what
    /// an untrusted file may hold) and recovers its forecaster or simulator.</summary>
    /// <exception cref="UsageException">The path is empty or a folder, the file is not a model file, or it holds
    /// neither a forecaster nor a simulator.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static LoadedModel Load(MLContext ml, string? path, string option = "--model")
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new UsageException($"{option} needs the path of a model file (.zip).");
        if (Directory.Exists(path))
            throw new UsageException($"'{path}' is a folder; {option} takes a model file (.zip).");
        if (!File.Exists(path)) throw new FileNotFoundException($"Could not find the model file '{path}'.", path);
        ITransformer model;
        try
        {
            // ml.Model.Load, behind the plugin's bounds for files from anywhere (size, entries, zip bombs, path
            // traversal).
            model = R2dnModelFile.Load(ml, path, out _);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new UsageException($"cannot load '{path}': {CommandSupport.Message(e)}");
        }
        (ITransformer[] Prefix, ITransformer Model) found;
        try
        {
            found = Find(model) ?? throw new UsageException($"'{path}' is an ML.NET model but holds no R2DN/REN " +
                                                            "forecaster or simulator.");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Damaged, or parts after ours.
            throw new UsageException($"cannot load '{path}': {CommandSupport.Message(e)}");
        }
        return new LoadedModel(path, model, found.Prefix, found.Model as ForecastingTransformer,
                               found.Model as SimulationTransformer, ReadSettings(found.Model));
    }

    /// <summary>The forecaster or simulator in <paramref name="model"/> and the transformers before it, or
    /// null.</summary>
    /// <remarks>A model saved alone loads as ML.NET's form of it (a chain of ML.NET components that GetForecaster
    /// recognises as a whole); one saved last in a chain loads as a chain whose last part is that form. So the last
    /// part is searched first, and only when it holds nothing is the model itself the R2DN/REN part.</remarks>
    /// <exception cref="FormatException">The model's R2DN/REN part is damaged.</exception>
    /// <exception cref="ArgumentException">The model has transformers after its R2DN/REN part.</exception>
    private static (ITransformer[] Prefix, ITransformer Model)? Find(ITransformer model)
    {
        if (model is ForecastingTransformer or SimulationTransformer) return ([], model);
        if (model is not IEnumerable<ITransformer> chain) return null;
        var parts = chain.ToArray();
        if (parts.Length == 0) return null;
        if (Find(parts[^1]) is { } inner) return ([.. parts[..^1], .. inner.Prefix], inner.Model);
        return Recover(model) is { } found ? ([], found) : null;
    }

    // GetForecaster or GetSimulator; null when the model holds neither.
    private static ITransformer? Recover(ITransformer model)
    {
        try
        {
            return model.GetForecaster();
        }
        catch (ArgumentException e) when (!IsAfter(e))
        {
        }
        try
        {
            return model.GetSimulator();
        }
        catch (ArgumentException e) when (!IsAfter(e))
        {
            return null;
        }
    }

    private static bool IsAfter(ArgumentException e) =>
        e.Message.Contains("transformers after", StringComparison.Ordinal);

    /// <summary>The input of the forecaster or simulator for <paramref name="data"/>: the data itself, or the
    /// transformers before it applied to the data.</summary>
    public IDataView Prepare(IDataView data) => _prefix?.Transform(data) ?? data;

    /// <summary>Loads CSV files for this model: checks the columns it reads and, when the files lack the model's series
    /// id column, adds it with the file names (each file one series, as when the model was trained on several
    /// files).</summary>
    /// <param name="files">The CSV files.</param>
    /// <param name="withOutputs">Whether a simulator's measured outputs are needed too (to score it).</param>
    /// <param name="cancel">Stops reading the files.</param>
    /// <returns>The data, its view prepared for the forecaster or simulator (see <see cref="Prepare"/>).</returns>
    /// <exception cref="UsageException">A column is missing or not numeric, or several files are given to a model
    /// without a series id.</exception>
    public CsvDataSet LoadData(IReadOnlyList<string> files, bool withOutputs, CancellationToken cancel = default)
    {
        var data = CsvLoader.Load(files, cancel);
        string? seriesId = SeriesIdColumn;
        if (seriesId is null && files.Count > 1)
            throw new UsageException("the model treats all rows as one series (it was trained without a series id " +
                                     $"column), so it cannot keep {data.Origin} apart; give one --data file at a " +
                                     "time.");
        if (seriesId is not null && !data.HasColumn(seriesId)
            && (IsSingle || Prepare(data.View).Schema.GetColumnOrNull(seriesId) is null))
            data = CsvLoader.WithFileColumn(data, seriesId);
        else if (seriesId is not null && data.HasColumn(seriesId))
            CsvChecks.CheckIdsPerFile(data, seriesId, "the model's series id");
        data = data with { View = Prepare(data.View) };
        var needed = InputColumns.Select(c => (c.Name, $"a {c.Role} column of the model")).ToList();
        if (withOutputs && Simulator is { } s)
            needed.AddRange(s.OutputColumnNames.Select(c => (c, "an output column of the model")));
        CsvChecks.RequireColumns(data, needed, numeric: true);
        return data;
    }

    /// <summary>A setting from the manifest, or null.</summary>
    public JsonNode? Setting(string name) => Settings?[name];

    /// <summary>The model's sizes as text: "nx 16, nv 16, hidden [32, 32]".</summary>
    public string SizeText()
    {
        if (Settings is null) return "n/a";
        string text = $"nx {Setting("stateSize")}, nv {Setting("features")}";
        if (Kind == ModelKind.R2dn && Setting("hiddenSizes") is JsonArray hidden)
            text += $", hidden [{string.Join(", ", hidden.Select(h => h?.ToString()))}]";
        return text;
    }

    /// <summary>The description of the model: "contracting R2DN" or "2.5-Lipschitz REN".</summary>
    public string Description()
    {
        var c = Certificate;
        string property = c.Property == CertifiedProperty.Lipschitz && c.Gamma is double g
            ? $"{Report.Num(g)}-Lipschitz" : "contracting";
        return $"{property} {Report.KindName(Kind)}";
    }

    // The training settings of the manifest that R2dnModelFile.ExportNpy writes: the settings are not otherwise public.
    // Informational: failures give null.
    private static JsonObject? ReadSettings(ITransformer model)
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(),
                                               "r2dn-manifest-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = R2dnModelFile.ExportNpy(model, folder);
            using var stream = File.OpenRead(written[0]);
            var manifest = JsonNode.Parse(stream) as JsonObject;
            return manifest?["transformers"] is JsonArray list && list.Count > 0
                   && list[^1]?["training"] is JsonObject settings
                ? (JsonObject)settings.DeepClone()
                : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
