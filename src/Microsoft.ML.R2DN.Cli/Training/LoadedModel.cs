using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.R2DN.Engine.Certificates;
using Microsoft.ML.R2DN.Engine.Forecasting;
using Microsoft.ML.R2DN.Forecasting;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>A model file loaded with <c>ml.Model.Load</c> (which re-verifies the certificate), with its forecaster or
/// simulator and the training settings recorded in its manifest.</summary>
internal sealed class LoadedModel
{
    private LoadedModel(string path, ITransformer model, ForecastingTransformer? forecaster, SimulationTransformer? simulator,
                        JsonObject? settings)
    {
        Path = path; Model = model; Forecaster = forecaster; Simulator = simulator; Settings = settings;
    }

    /// <summary>The file, as given.</summary>
    public string Path { get; }

    /// <summary>The model: a forecaster or simulator, or a chain ending with one.</summary>
    public ITransformer Model { get; }

    /// <summary>The forecaster, for a forecasting model.</summary>
    public ForecastingTransformer? Forecaster { get; }

    /// <summary>The simulator, for a simulation model.</summary>
    public SimulationTransformer? Simulator { get; }

    /// <summary>The training settings from the manifest (sizes, epochs, learning rate, seed, ...), or null when they
    /// cannot be read.</summary>
    public JsonObject? Settings { get; }

    /// <summary>Whether the model is the only transformer (not a chain): its columns are then read from the data directly.</summary>
    public bool IsSingle => Model is ForecastingTransformer or SimulationTransformer;

    public string Task => Forecaster is not null ? "forecasting" : "simulation";

    public ModelKind Kind => Forecaster?.ModelKind ?? Simulator!.ModelKind;

    public int ParameterCount => Forecaster?.ParameterCount ?? Simulator!.ParameterCount;

    public Certificate Certificate => Forecaster?.Certificate ?? Simulator!.Certificate;

    public IReadOnlyList<double> TrainingLoss => Forecaster?.TrainingLoss ?? Simulator!.TrainingLoss;

    public string? SeriesIdColumn => Forecaster is not null ? Forecaster.SeriesIdColumnName : Simulator!.SeriesIdColumnName;

    /// <summary>The columns the model reads from the data, with their roles.</summary>
    public IEnumerable<(string Name, string Role)> InputColumns =>
        Forecaster is { } f
            ? f.TargetColumnNames.Select(c => (c, "target")).Concat(f.FeatureColumnNames.Select(c => (c, "feature")))
            : Simulator!.InputColumnNames.Select(c => (c, "input"));

    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="UsageException">The path is empty or a folder, or the file holds neither a forecaster nor a simulator.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file is damaged, not a model file, or from a newer format.</exception>
    public static LoadedModel Load(MLContext ml, string? path, string option = "--model")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException($"{option} needs the path of a model file (.zip).");
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a folder; {option} takes a model file (.zip).");
        if (!File.Exists(path)) throw new FileNotFoundException($"Could not find the model file '{path}'.", path);
        ITransformer model;
        try
        {
            model = ml.Model.Load(path, out _);
        }
        catch (FormatException e)
        {
            throw new UsageException($"cannot load '{path}': {e.Message}");
        }
        var last = model is IEnumerable<ITransformer> chain ? chain.LastOrDefault() : model;
        var forecaster = last as ForecastingTransformer;
        var simulator = last as SimulationTransformer;
        if (forecaster is null && simulator is null)
            throw new UsageException($"'{path}' holds no forecasting or simulation model (its last transformer is {last?.GetType().Name ?? "missing"}).");
        return new LoadedModel(path, model, forecaster, simulator, ReadSettings(path));
    }

    /// <summary>Loads CSV files for this model: checks the columns it reads and, when the files lack the model's series
    /// id column, adds it with the file names (each file one series, as when the model was trained on several files).</summary>
    /// <param name="ml">The context.</param>
    /// <param name="files">The CSV files.</param>
    /// <param name="withOutputs">Whether a simulator's measured outputs are needed too (to score it).</param>
    /// <exception cref="UsageException">A column is missing or not numeric, or several files are given to a model
    /// without a series id.</exception>
    public CsvDataSet LoadData(MLContext ml, IReadOnlyList<string> files, bool withOutputs)
    {
        var data = CsvData.Load(ml, files);
        string? seriesId = SeriesIdColumn;
        if (seriesId is null && files.Count > 1)
            throw new UsageException($"the model treats all rows as one series (it was trained without a series id column), so it " +
                                     $"cannot keep {data.Origin} apart; give one --data file at a time.");
        if (seriesId is not null && IsSingle && data.View.Schema.GetColumnOrNull(seriesId) is null)
            data = CsvData.WithFileColumn(ml, data, seriesId);
        else if (seriesId is not null)
            CsvData.CheckIdsPerFile(ml, data, seriesId, $"the model's series id");
        if (!IsSingle) return data;   // a chain computes its columns: the library checks them
        var needed = InputColumns.Select(c => (c.Name, $"a {c.Role} column of the model")).ToList();
        if (withOutputs && Simulator is { } s) needed.AddRange(s.OutputColumnNames.Select(c => (c, "an output column of the model")));
        CsvData.RequireColumns(data, needed, numeric: true);
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
        string property = c.Property == CertifiedProperty.Lipschitz && c.Gamma is double g ? $"{Report.Num(g)}-Lipschitz" : "contracting";
        return $"{property} {Report.KindName(Kind)}";
    }

    // The manifest's training settings of the last transformer; the file has just been read and checked by
    // ml.Model.Load, so this only parses its (size-bounded) manifest again. Informational: failures give null.
    private static JsonObject? ReadSettings(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var entry = zip.GetEntry("manifest.json");
            if (entry is null || entry.Length > 64L << 20) return null;
            using var stream = entry.Open();
            var manifest = JsonNode.Parse(stream) as JsonObject;
            return manifest?["transformers"] is JsonArray list && list.Count > 0 && list[^1]?["training"] is JsonObject settings
                ? (JsonObject)settings.DeepClone()
                : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
