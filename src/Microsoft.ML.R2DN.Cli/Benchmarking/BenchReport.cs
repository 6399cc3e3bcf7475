using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.ML.R2DN.Engine.Certificates;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>The result of <c>r2dn bench</c>: the configuration, the measurement, and the figures derived from
/// it.</summary>
internal sealed class BenchReport
{
    public BenchReport(BenchModel spec, RecurrentModel model, BenchSettings settings, BenchMeasurement measurement,
                       Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Spec = spec;
        Certificate = certificate;
        Settings = settings;
        Measurement = measurement;
        Parameters = model.ParameterCount;
        MultiplyAddsPerStep = model.MultiplyAddsPerStep;
        TrainStepSecondsMedian = BenchRunner.Median(measurement.TrainStepSeconds);
        ForwardSecondsMedian = BenchRunner.Median(measurement.ForwardSeconds);
        ForwardCachedSecondsMedian = BenchRunner.Median(measurement.ForwardCachedSeconds);
        // The formula of time_reference.py: forward + backward ≈ 3 × forward, 2 FLOPs per multiply-add.
        Gflops = 6.0 * MultiplyAddsPerStep * settings.Batch * settings.SequenceLength / TrainStepSecondsMedian / 1e9;
        long timeSteps = (long)settings.Steps * settings.SequenceLength;
        AllocatedBytesPerTimeStep = (double)measurement.ThreadAllocatedBytes / timeSteps;
        AllocatedBytesPerTrainStep = (double)measurement.ThreadAllocatedBytes / settings.Steps;
        GcAllocatedBytesPerTrainStep = (double)measurement.TotalAllocatedBytes / settings.Steps;
    }

    public BenchModel Spec { get; }
    public BenchSettings Settings { get; }
    public BenchMeasurement Measurement { get; }
    /// <summary>The model's robustness certificate, verified on the parameters after the timed train steps.</summary>
    public Certificate Certificate { get; }
    public int Parameters { get; }
    public long MultiplyAddsPerStep { get; }
    public double TrainStepSecondsMedian { get; }
    public double ForwardSecondsMedian { get; }
    public double ForwardCachedSecondsMedian { get; }
    public double Gflops { get; }

    /// <summary>The measured FMA peak of the threads used (GFLOP/s), or NaN when not measured.</summary>
    public double FmaPeakGflops { get; init; } = double.NaN;

    /// <summary><see cref="Gflops"/> as a fraction of <see cref="FmaPeakGflops"/>.</summary>
    public double PeakShare => Gflops / FmaPeakGflops;
    public double AllocatedBytesPerTimeStep { get; }
    public double AllocatedBytesPerTrainStep { get; }
    public double GcAllocatedBytesPerTrainStep { get; }

    /// <summary>One JSON object on one line. Field names match <c>time_reference.py</c> where the two
    /// overlap.</summary>
    public string ToJson()
    {
        return BenchJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("implementation", "dotnet");
            w.WriteString("model", Spec.Kind);
            w.WriteNumber("parameters", Parameters);
            w.WriteNumber("nu", Spec.InputSize);
            w.WriteNumber("nx", Spec.StateSize);
            w.WriteNumber("nv", Spec.NonlinearWidth);
            w.WriteNumber("ny", Spec.OutputSize);
            w.WriteArray("hidden", Spec.HiddenSizes);
            w.WriteString("activation", Spec.ActivationName);
            w.WriteString("init", Spec.InitializationName);
            if (Spec.OutputLayerNameOrNull is string outputLayer) w.WriteString("output_layer", outputLayer);
            else w.WriteNull("output_layer");
            if (Spec.IsLipschitz) w.WriteFiniteOrNull("gamma", Spec.Gamma);
            else w.WriteNull("gamma");
            w.WriteFiniteOrNull("abar", Spec.ContractionRate);
            w.WriteNumber("batch", Settings.Batch);
            w.WriteNumber("seq", Settings.SequenceLength);
            w.WriteNumber("threads", Settings.Threads);
            w.WriteNumber("steps", Settings.Steps);
            w.WriteNumber("warmup", Measurement.TrainWarmup.Calls);
            w.WriteString("warmup_policy", Settings.Warmup.Name);
            w.WriteFiniteOrNull("warmup_seconds", Measurement.TrainWarmup.Seconds);
            w.WriteNumber("forward_warmup", Measurement.ForwardWarmup.Calls);
            w.WriteNumber("seed", Settings.Seed);
            w.WriteNumber("macs_per_step", MultiplyAddsPerStep);
            w.WriteFiniteOrNull("train_step_seconds_median", TrainStepSecondsMedian);
            w.WriteFiniteOrNull("train_step_seconds_min", Measurement.TrainStepSeconds.Min());
            w.WriteFiniteOrNull("train_step_seconds_max", Measurement.TrainStepSeconds.Max());
            w.WriteFiniteOrNull("forward_seconds_median", ForwardSecondsMedian);
            w.WriteFiniteOrNull("forward_cached_map_seconds_median", ForwardCachedSecondsMedian);
            w.WriteFiniteOrNull("gflops", Gflops);
            w.WriteFiniteOrNull("fma_peak_gflops", FmaPeakGflops);
            w.WriteFiniteOrNull("fma_peak_share", PeakShare);
            w.WriteFiniteOrNull("allocated_bytes_per_step", AllocatedBytesPerTimeStep);
            w.WriteFiniteOrNull("allocated_bytes_per_train_step", AllocatedBytesPerTrainStep);
            w.WriteFiniteOrNull("gc_allocated_bytes_per_train_step", GcAllocatedBytesPerTrainStep);
            w.WriteNumber("gen0_collections", Measurement.Gen0Collections);
            w.WriteNumber("gen1_collections", Measurement.Gen1Collections);
            w.WriteNumber("gen2_collections", Measurement.Gen2Collections);
            w.WriteFiniteOrNull("last_loss", Measurement.LastLoss);
            w.WriteString("certificate_property", Certificate.Statement);
            w.WriteBoolean("certificate_verified", Certificate.IsVerified);
            w.WriteFiniteOrNull("certificate_residual", Certificate.RelativeResidual);
            w.WriteFiniteOrNull("certificate_max_eigenvalue", Certificate.MaxEigenvalue);
            w.WriteFiniteOrNull("certificate_tolerance", Certificate.RelativeTolerance);
            w.WriteRuntime(detailed: true);
            w.WriteEndObject();
        });
    }

    /// <summary>A readable summary in the layout of <c>time_reference.py</c>'s text output.</summary>
    public string ToText()
    {
        var ic = CultureInfo.InvariantCulture;
        var m = Measurement;
        string hidden = Spec.HiddenSizes.Length == 0 ? "none" : string.Join(",", Spec.HiddenSizes);
        string shape = Spec.IsRen ? "" : $", hidden {hidden}";
        if (Spec.IsLipschitz) shape += string.Create(ic, $", gamma {Spec.Gamma:G6}");
        if (Spec.ContractionRate != 1.0) shape += string.Create(ic, $", abar {Spec.ContractionRate:G6}");
        var sb = new StringBuilder();
        sb.AppendLine(ic,
                      $"r2dn bench: model {Spec.Kind} (nu {Spec.InputSize}, nx {Spec.StateSize}, nv " +
                      $"{Spec.NonlinearWidth}, ny {Spec.OutputSize}{shape}, {Spec.ActivationName}, " +
                      $"{Spec.InitializationName} init)");
        Row(sb, "parameters", Parameters.ToString("N0", ic));
        Row(sb, "batch x seq", $"{Settings.Batch} x {Settings.SequenceLength}, threads {Settings.Threads}, float32");
        Row(sb, "MACs / seq / step", MultiplyAddsPerStep.ToString("N0", ic));
        Row(sb, "train step (median)",
            string.Create(ic,
                          $"{TrainStepSecondsMedian:F4} s  (min {m.TrainStepSeconds.Min():F4}, max " +
                          $"{m.TrainStepSeconds.Max():F4}; {Settings.Steps} steps after {m.TrainWarmup.Calls} " +
                          $"warm-up, {m.TrainWarmup.Seconds:F1} s)"));
        Row(sb, "forward (median)", string.Create(ic, $"{ForwardSecondsMedian:F4} s  (map + rollout)"));
        Row(sb, "forward, cached map", string.Create(ic, $"{ForwardCachedSecondsMedian:F4} s  (rollout only)"));
        Row(sb, "throughput", string.Create(ic, $"{Gflops:F3} GFLOP/s  (6 x MACs x batch x seq / train step)"));
        if (double.IsFinite(FmaPeakGflops))
            Row(sb, "share of FMA peak",
                string.Create(ic,
                              $"{PeakShare:P1}  (measured peak {FmaPeakGflops:F1} GFLOP/s, {Settings.Threads} " +
                              $"thread(s), {FmaPeak.VectorBits}-bit FMA)"));
        Row(sb, "allocated / time step",
            string.Create(ic,
                          $"{AllocatedBytesPerTimeStep:F1} B  (calling thread; {AllocatedBytesPerTrainStep:N0} B per " +
                          $"train step)"));
        Row(sb, "allocated / train step", string.Create(ic, $"{GcAllocatedBytesPerTrainStep:N0} B  (whole process)"));
        Row(sb, "GC collections",
            $"gen0 {m.Gen0Collections}, gen1 {m.Gen1Collections}, gen2 {m.Gen2Collections}  (during timing)");
        Row(sb, "certificate",
            string.Create(ic,
                          $"{Certificate.Statement}: {(Certificate.IsVerified ? "verified" : "NOT verified")} " +
                          $"(relative residual {Certificate.RelativeResidual:G3}, tolerance " +
                          $"{Certificate.RelativeTolerance:G1})"));
        Row(sb, "runtime",
            $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}, " +
            $"Vector<float>.Count {Vector<float>.Count}, {Environment.ProcessorCount} cores");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string label, string value) =>
        sb.Append("  ").Append(label.PadRight(24)).AppendLine(value);
}
