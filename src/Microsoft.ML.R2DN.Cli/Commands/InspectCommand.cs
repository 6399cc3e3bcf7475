namespace Microsoft.ML.R2DN.Cli.Commands;

/// <summary>
/// <c>r2dn inspect</c>: what a model file holds: the task and model kind, sizes and parameter count, the robustness
/// certificate (re-verified on loading), the training summary and the columns the model reads and writes.
/// </summary>
internal static class InspectCommand
{
    private static readonly Option<string> Model = CliOptions.ModelFile("The model file (.zip)");
    private static readonly Option<bool> Json = CliOptions.Json("a table");

    public static System.CommandLine.Command Create() => CliOptions.ModelCommand("inspect",
        "Show what a model file holds: task, model kind and sizes, parameter count, the robustness certificate " +
        "(verified again on loading), the training summary and the columns it reads and writes.",
        Run,
        Model, Json);

    private static int Run(MLContext ml, ParseResult parse, CancellationToken cancel)
    {
        var model = LoadedModel.Load(ml, parse.GetValue(Model));
        CommandSupport.Out(parse).Write(parse.GetValue(Json)
                                        ? Report.ToJson(ToJson(model)) + Environment.NewLine : ToText(model));
        return ExitCodes.Success;
    }

    private static (int Inputs, int Outputs) Widths(LoadedModel m) =>
        m.Forecaster is { } f
            ? (f.TargetColumnNames.Count + f.FeatureColumnNames.Count, f.TargetColumnNames.Count * f.Horizon)
            : (m.Simulator!.InputColumnNames.Count, m.Simulator.OutputColumnNames.Count);

    private static (int Epoch, double Loss) Best(IReadOnlyList<double> loss)
    {
        int best = -1;
        for (int i = 0; i < loss.Count; i++)
            if (double.IsFinite(loss[i]) && (best < 0 || loss[i] < loss[best])) best = i;
        return best < 0 ? (0, double.NaN) : (best + 1, loss[best]);
    }

    private static JsonObject ToJson(LoadedModel m)
    {
        var (inputs, outputs) = Widths(m);
        var loss = m.TrainingLoss;
        var (bestEpoch, bestLoss) = Best(loss);
        var columns = new JsonObject();
        if (m.Forecaster is { } f)
        {
            columns["targets"] = Strings(f.TargetColumnNames);
            columns["features"] = Strings(f.FeatureColumnNames);
            columns["seriesId"] = f.SeriesIdColumnName;
            columns["forecast"] = f.OutputColumnName;
            columns["lower"] = f.ConfidenceLowerBoundColumn;
            columns["upper"] = f.ConfidenceUpperBoundColumn;
        }
        else
        {
            var s = m.Simulator!;
            columns["inputs"] = Strings(s.InputColumnNames);
            columns["outputs"] = Strings(s.OutputColumnNames);
            columns["predicted"] = Strings(s.PredictedColumnNames);
            columns["seriesId"] = s.SeriesIdColumnName;
        }
        return new JsonObject
        {
            ["command"] = "inspect",
            ["file"] = m.Path,
            ["bytes"] = new FileInfo(m.Path).Length,
            ["task"] = m.Task,
            ["model"] = new JsonObject
            {
                ["kind"] = Report.KindName(m.Kind),
                ["description"] = m.Description(),
                ["robustness"] = m.Setting("robustness")?.DeepClone(),
                ["gamma"] = m.Certificate.Gamma is double g ? Report.Json(g) : null,
                ["contractionRate"] = Report.Json(m.Certificate.ContractionRate),
                ["stateSize"] = m.Setting("stateSize")?.DeepClone(),
                ["features"] = m.Setting("features")?.DeepClone(),
                ["hiddenSizes"] = m.Kind == ModelKind.R2dn ? m.Setting("hiddenSizes")?.DeepClone() : null,
                ["activation"] = m.Setting("activation")?.DeepClone(),
                ["initialization"] = m.Setting("initialization")?.DeepClone(),
                ["inputs"] = inputs,
                ["outputs"] = outputs,
                ["parameterCount"] = m.ParameterCount,
            },
            ["horizon"] = m.Forecaster?.Horizon,
            ["storedSeries"] = m.Forecaster?.StoredSeries.Count,
            ["confidenceLevel"] = m.Forecaster?.ConfidenceLowerBoundColumn is not null
                ? Report.Json(m.Forecaster.ConfidenceLevel) : null,
            ["washout"] = m.Simulator?.Washout,
            ["encoderWindow"] = m.Simulator?.EncoderWindow,
            ["transformersBefore"] = m.PrefixLength,
            ["columns"] = columns,
            ["certificate"] = Report.CertificateJson(m.Certificate),
            ["training"] = new JsonObject
            {
                ["epochs"] = loss.Count,
                ["finalLoss"] = Report.Json(loss.Count > 0 ? loss[^1] : double.NaN),
                ["bestLoss"] = Report.Json(bestLoss),
                ["bestEpoch"] = loss.Count > 0 ? bestEpoch : null,
                ["learningRate"] = m.Setting("learningRate")?.DeepClone(),
                ["segmentLength"] = m.Setting("segmentLength")?.DeepClone(),
                ["clipValue"] = m.Setting("clipValue")?.DeepClone(),
                ["seed"] = m.Setting("seed")?.DeepClone(),
            },
        };
    }

    private static string ToText(LoadedModel m)
    {
        var c = CultureInfo.InvariantCulture;
        var (inputs, outputs) = Widths(m);
        var loss = m.TrainingLoss;
        var (bestEpoch, bestLoss) = Best(loss);
        var table = new Report.TextTable("", "") { AlignRight = false };
        table.Add("File", $"{m.Path} ({Report.Count(new FileInfo(m.Path).Length)} bytes)");
        table.Add("Task", m.Task);
        table.Add("Model",
                  $"{m.Description()}, activation {m.Setting("activation")?.ToString() ?? "n/a"}, initialisation " +
                  $"{m.Setting("initialization")?.ToString() ?? "n/a"}");
        table.Add("Sizes", $"{m.SizeText()}; {inputs} input(s), {outputs} output(s)");
        table.Add("Parameters", Report.Count(m.ParameterCount));
        if (m.Forecaster is { } f)
        {
            table.Add("Horizon", $"{f.Horizon} steps ahead" +
                                 (f.ConfidenceLowerBoundColumn is not null
                                  ? $", {Report.Percent(f.ConfidenceLevel, 0)} intervals" : ", no intervals"));
            table.Add("Targets", string.Join(", ", f.TargetColumnNames));
            table.Add("Features", f.FeatureColumnNames.Count > 0 ? string.Join(", ", f.FeatureColumnNames) : "(none)");
            table.Add("Series id", f.SeriesIdColumnName ?? "(none: one series)");
            table.Add("Writes", f.ConfidenceLowerBoundColumn is null ? f.OutputColumnName
                : $"{f.OutputColumnName}, {f.ConfidenceLowerBoundColumn}, {f.ConfidenceUpperBoundColumn}");
            table.Add("End states", f.StoredSeries.Count == 0 ? "none: engines start every series from an empty history"
                : $"{Report.Count(f.StoredSeries.Count)}: engines start there (the end of training or a checkpoint)");
        }
        else
        {
            var s = m.Simulator!;
            table.Add("Inputs", string.Join(", ", s.InputColumnNames));
            table.Add("Outputs", string.Join(", ", s.OutputColumnNames));
            table.Add("Series id", s.SeriesIdColumnName ?? "(none: one series)");
            table.Add("Writes", string.Join(", ", s.PredictedColumnNames));
            table.Add("Washout", $"{s.Washout} rows");
            table.Add("Start", s.EncoderWindow > 0
                ? $"encoder of the first {s.EncoderWindow} rows (inputs and outputs), else the zero state"
                : "the zero state");
        }
        if (m.PrefixLength > 0)
            table.Add("Pipeline",
                      $"{m.PrefixLength} ML.NET transformer(s) before the {Report.KindName(m.Kind)}, applied to the " +
                      $"data first");
        var cert = m.Certificate;
        table.Add("Certificate", cert.Statement);
        table.Add("Verified",
                  $"{(cert.IsVerified ? "yes" : "NO")}: largest eigenvalue of the dissipation form " +
                  $"{Report.Num(cert.MaxEigenvalue, "G3")}, " +
                              $"relative residual {Report.Num(cert.RelativeResidual, "G3")} (tolerance " +
                              $"{cert.RelativeTolerance.ToString("G1", c)})");
        string settings = string.Join(", ", new[]
        {
            m.Setting("learningRate") is { } lr ? $"learning rate {lr}" : null,
            m.Setting("segmentLength") is { } seg ? $"segment length {seg}" : null,
            m.Setting("seed") is { } seed ? $"seed {seed}" : null,
        }.Where(x => x is not null));
        table.Add("Training", loss.Count == 0 ? "no training curve recorded"
            : $"{loss.Count} epochs, final loss {Report.Num(loss[^1], "G4")}, best {Report.Num(bestLoss, "G4")} at " +
              $"epoch {bestEpoch}" +
              (settings.Length > 0 ? $"; {settings}" : ""));
        return table.Render("");
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
