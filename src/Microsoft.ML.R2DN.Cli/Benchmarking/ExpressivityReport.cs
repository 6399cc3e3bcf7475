namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>One least-squares slope of log(time) for a model and pass, against one x-axis.</summary>
internal sealed record SlopeRow(string Model, string Pass, string Axis, string Source, LogLogFit? Fit);

/// <summary>The REN/R2DN time ratio at one REN size, the R2DN time interpolated log-log at the REN's parameter
/// count.</summary>
internal sealed record SpeedRatio(
    int RenSize, int Parameters, double RenForward, double R2dnForward, double RenBackward, double R2dnBackward,
        bool Extrapolated)
{
    public double ForwardRatio => RenForward / R2dnForward;
    public double BackwardRatio => RenBackward / R2dnBackward;
}

/// <summary>
/// The result of <c>r2dn bench-expressivity</c>: the timed table, the log-log slopes, and the REN/R2DN speed ratio at
/// equal parameter count.
/// </summary>
/// <remarks>
/// Slopes are least-squares fits of log(median time) over the sizes, against two x-axes:
/// <list type="bullet">
/// <item><c>parameters</c>: log(parameter count). We train nothing, so this is the axis we can measure.</item>
/// <item><c>paper_expressivity</c>: log of the paper's mean expressivity 1/NRMSE(%) at the same size (MODELS.md 4.6),
/// the paper's axis. The paper fits all raw points of 5 seeds; one mean per size gives nearly the same line.</item>
/// </list>
/// For reference the same two fits are made to the paper's own times (MODELS.md 4.6), and the slopes printed on its
/// figures are listed.
/// </remarks>
internal sealed class ExpressivityReport
{
    public const string AxisParameters = "parameters", AxisExpressivity = "paper_expressivity";

    public ExpressivityReport(ExpressivitySettings settings, IReadOnlyList<ExpressivityRow> rows)
    {
        Settings = settings;
        Rows = rows;
        var slopes = new List<SlopeRow>();
        foreach (string model in settings.Models)
        {
            var mine = rows.Where(r => r.Model == model).ToArray();
            var paper = PaperTimingStudy.Points(model);
            foreach (string pass in ExpressivityStudy.Passes)
            {
                slopes.Add(new(model, pass, AxisParameters, "measured",
                    LogLogFit.Fit(mine.Select(r => (double)r.Parameters).ToArray(),
                                  mine.Select(r => r.Seconds(pass)).ToArray())));
                var withPaperX = mine.Where(r => PaperTimingStudy.Expressivity(model, r.Size) is not null).ToArray();
                slopes.Add(new(model, pass, AxisExpressivity, "measured",
                    LogLogFit.Fit(withPaperX.Select(r => PaperTimingStudy.Expressivity(model, r.Size)!.Value).ToArray(),
                                  withPaperX.Select(r => r.Seconds(pass)).ToArray())));
                var paperY = paper.Select(p => pass == "forward" ? p.Forward : p.Backward).ToArray();
                slopes.Add(new(model, pass, AxisParameters, "paper_times",
                    LogLogFit.Fit(paper.Select(p => (double)p.Parameters).ToArray(), paperY)));
                slopes.Add(new(model, pass, AxisExpressivity, "paper_times",
                    LogLogFit.Fit(paper.Select(p => p.Expressivity).ToArray(), paperY)));
            }
        }
        Slopes = slopes;

        var ren = rows.Where(r => r.Model == "ren").ToArray();
        var r2dn = rows.Where(r => r.Model == "r2dn").ToArray();
        var ratios = new List<SpeedRatio>();
        if (r2dn.Length > 0)
        {
            double[] p = r2dn.Select(r => (double)r.Parameters).ToArray();
            double[] f = r2dn.Select(r => r.ForwardMedian).ToArray();
            double[] b = r2dn.Select(r => r.BackwardMedian).ToArray();
            foreach (var r in ren)
            {
                double fi = LogLogFit.InterpolateLogLog(p, f, r.Parameters, out bool extrapolated);
                double bi = LogLogFit.InterpolateLogLog(p, b, r.Parameters, out _);
                ratios.Add(new(r.Size, r.Parameters, r.ForwardMedian, fi, r.BackwardMedian, bi, extrapolated));
            }
        }
        Ratios = ratios;
    }

    public ExpressivitySettings Settings { get; }
    public IReadOnlyList<ExpressivityRow> Rows { get; }
    public IReadOnlyList<SlopeRow> Slopes { get; }
    public IReadOnlyList<SpeedRatio> Ratios { get; }

    private static string ModelLabel(string model) => model == "ren" ? "REN" : "R2DN";

    public string ToText()
    {
        var ic = CultureInfo.InvariantCulture;
        var s = Settings;
        var sb = new StringBuilder();
        sb.AppendLine(ic,
                      $"r2dn bench-expressivity (MODELS.md 4.4): nx = nu = ny = 1, identity output, random init; " +
                      $"batch {s.Batch}, horizon {s.Horizon}, threads {s.Threads}, float32");
        sb.AppendLine(ic,
                      $"times: median of {s.Repeats} calls after {s.Warmup.Description} per configuration and pass; " +
                      $"forward = map + Simulate, backward = map + forward + mean(y^2) + gradient");
        sb.AppendLine();
        sb.AppendLine(ic, $"{"model",-6}{"size",-9}{"parameters",11}{"forward s",12}{"backward s",12}  certificate");
        foreach (var r in Rows)
            sb.AppendLine(ic,
                          $"{ModelLabel(r.Model),-6}{r.SizeName + " " + r.Size,-9}{r.Parameters,11}" +
                          $"{r.ForwardMedian,12:F5}{r.BackwardMedian,12:F5}  " +
                          $"{(r.CertificateVerified ? "verified" : "NOT verified")}");

        sb.AppendLine();
        sb.AppendLine("Slopes of log(time) (least squares over the sizes, +- standard error):");
        sb.AppendLine("  measured vs log(parameters)         : our times against log(parameter count)");
        sb.AppendLine("  measured vs log(paper expressivity) : our times against log(the paper's mean 1/NRMSE% at " +
                      "that size, MODELS.md 4.6)");
        sb.AppendLine("  paper times, same two axes          : the paper's own mean times (MODELS.md 4.6) fitted the " +
                      "same way");
        sb.AppendLine("  paper printed                       : the slope on the paper's figure (all raw points of 5 " +
                      "seeds, vs expressivity)");
        sb.AppendLine(ic,
                      $"{"model",-6}{"pass",-10}{"measured vs params",20}{"measured vs expr",20}" +
                      $"{"paper vs params",18}{"paper vs expr",18}{"paper printed",16}");
        foreach (string model in Settings.Models)
        {
            foreach (string pass in ExpressivityStudy.Passes)
            {
                var (printed, printedSe) = PaperTimingStudy.PrintedSlope(model, pass);
                sb.AppendLine(ic, $"{ModelLabel(model),-6}{pass,-10}"
                    + $"{Format(Find(model, pass, AxisParameters, "measured")),20}" +
                      $"{Format(Find(model, pass, AxisExpressivity, "measured")),20}"
                    + $"{Format(Find(model, pass, AxisParameters, "paper_times")),18}" +
                      $"{Format(Find(model, pass, AxisExpressivity, "paper_times")),18}"
                    + $"{string.Create(ic, $"{printed:0.###} ({printedSe:0.###})"),16}");
            }
        }

        if (Ratios.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("REN / R2DN time at equal parameter count (R2DN time interpolated log-log at each REN's " +
                          "parameter count; * = extrapolated):");
            sb.AppendLine(ic,
                          $"{"REN nv",7}{"parameters",11}{"REN fwd s",12}{"R2DN fwd s",12}{"fwd ratio",11}" +
                          $"{"REN bwd s",12}{"R2DN bwd s",12}{"bwd ratio",11}");
            foreach (var q in Ratios)
                sb.AppendLine(ic,
                              $"{q.RenSize,7}{q.Parameters,11}{q.RenForward,12:F5}{q.R2dnForward,12:F5}" +
                              $"{q.ForwardRatio,10:F2}{(q.Extrapolated ? "*" : " ")}"
                                  + $"{q.RenBackward,12:F5}{q.R2dnBackward,12:F5}{q.BackwardRatio,10:F2}" +
                                    $"{(q.Extrapolated ? "*" : " ")}");
        }
        return sb.ToString();

        string Format(LogLogFit? fit) => fit is null
            ? "-"
            : double.IsNaN(fit.StandardError)
                ? string.Create(ic, $"{fit.Slope:F3}")
                : string.Create(ic, $"{fit.Slope:F3} ({fit.StandardError:G2})");
    }

    private LogLogFit? Find(string model, string pass, string axis, string source) =>
        Slopes.First(x => x.Model == model && x.Pass == pass && x.Axis == axis && x.Source == source).Fit;

    public string ToJson()
    {
        return BenchJson.Write(w =>
        {
            var s = Settings;
            w.WriteStartObject();
            w.WriteString("implementation", "dotnet");
            w.WriteString("study", "expressivity_timing");
            w.WriteStartObject("settings");
            w.WriteNumber("batch", s.Batch);
            w.WriteNumber("horizon", s.Horizon);
            w.WriteNumber("repeats", s.Repeats);
            w.WriteString("warmup_policy", s.Warmup.Name);
            w.WriteNumber("threads", s.Threads);
            w.WriteNumber("seed", s.Seed);
            w.WriteString("statistic", "median");
            w.WriteString("forward", "direct->explicit map + Simulate (map forced on every call)");
            w.WriteString("backward",
                          "LossAndGradient with loss mean(y^2) (map, forward, loss, backward through time and map); " +
                          "the paper adds mean(x_T^2)");
            w.WriteEndObject();

            w.WriteObjects("rows", Rows, r =>
            {
                w.WriteString("model", r.Model);
                w.WriteString("size_name", r.SizeName);
                w.WriteNumber("size", r.Size);
                w.WriteNumber("nv", r.NonlinearWidth);
                w.WriteArray("hidden", r.Hidden);
                w.WriteString("activation", r.Activation);
                w.WriteNumber("parameters", r.Parameters);
                w.WriteNumber("macs_per_step", r.MultiplyAddsPerStep);
                w.WriteFiniteOrNull("forward_seconds_median", r.ForwardMedian);
                w.WriteFiniteOrNull("forward_seconds_mean", r.ForwardMean);
                w.WriteFiniteOrNull("forward_seconds_min", r.ForwardSeconds.Min());
                w.WriteFiniteOrNull("backward_seconds_median", r.BackwardMedian);
                w.WriteFiniteOrNull("backward_seconds_mean", r.BackwardMean);
                w.WriteFiniteOrNull("backward_seconds_min", r.BackwardSeconds.Min());
                w.WriteNumber("forward_warmup", r.ForwardWarmup.Calls);
                w.WriteNumber("backward_warmup", r.BackwardWarmup.Calls);
                double? paper = PaperTimingStudy.Expressivity(r.Model, r.Size);
                if (paper is { } e) w.WriteFiniteOrNull("paper_expressivity", e);
                else w.WriteNull("paper_expressivity");
                w.WriteBoolean("certificate_verified", r.CertificateVerified);
                w.WriteFiniteOrNull("certificate_residual", r.CertificateResidual);
            });

            w.WriteObjects("slopes", Slopes, x =>
            {
                w.WriteString("model", x.Model);
                w.WriteString("pass", x.Pass);
                w.WriteString("x_axis", x.Axis);
                w.WriteString("source", x.Source);
                if (x.Fit is { } fit)
                {
                    w.WriteFiniteOrNull("slope", fit.Slope);
                    w.WriteFiniteOrNull("standard_error", fit.StandardError);
                    w.WriteFiniteOrNull("intercept", fit.Intercept);
                    w.WriteNumber("points", fit.Points);
                }
                else
                {
                    w.WriteNull("slope");
                    w.WriteNull("standard_error");
                    w.WriteNull("intercept");
                    w.WriteNumber("points", 0);
                }
            });

            w.WriteStartObject("paper_printed_slopes");
            foreach (string model in new[] { "ren", "r2dn" })
            {
                w.WriteStartObject(model);
                foreach (string pass in ExpressivityStudy.Passes)
                {
                    var (slope, se) = PaperTimingStudy.PrintedSlope(model, pass);
                    w.WriteStartObject(pass);
                    w.WriteNumber("slope", slope);
                    w.WriteNumber("standard_error", se);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();

            w.WriteObjects("speed_ratios", Ratios, q =>
            {
                w.WriteNumber("ren_nv", q.RenSize);
                w.WriteNumber("parameters", q.Parameters);
                w.WriteFiniteOrNull("ren_forward_seconds", q.RenForward);
                w.WriteFiniteOrNull("r2dn_forward_seconds_interpolated", q.R2dnForward);
                w.WriteFiniteOrNull("forward_ratio", q.ForwardRatio);
                w.WriteFiniteOrNull("ren_backward_seconds", q.RenBackward);
                w.WriteFiniteOrNull("r2dn_backward_seconds_interpolated", q.R2dnBackward);
                w.WriteFiniteOrNull("backward_ratio", q.BackwardRatio);
                w.WriteBoolean("extrapolated", q.Extrapolated);
            });

            w.WriteRuntime(detailed: false);
            w.WriteEndObject();
        }, indented: true);
    }
}
