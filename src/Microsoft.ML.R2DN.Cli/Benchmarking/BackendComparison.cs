using Microsoft.ML.R2DN.TorchSharp;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>The two backends side by side for one model shape, from one run of <c>r2dn bench --backend both</c> (or
/// TorchSharp alone): train step and forward pass, GFLOP/s and share of the measured FMA peak.</summary>
internal sealed class BackendComparison(BenchModel spec, BenchSettings settings, int parameters, long multiplyAdds,
                                        double peakGflops,
                                        BenchReport? managed, TorchSharpBenchResult torch)
{
    public string ToText()
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(ic,
                      $"r2dn bench: model {spec.Kind} (nu {spec.InputSize}, nx {spec.StateSize}, nv " +
                      $"{spec.NonlinearWidth}, ny {spec.OutputSize}), {parameters:N0} parameters, " +
                          $"batch {settings.Batch} x seq {settings.SequenceLength}, {settings.Threads} thread(s), " +
                          $"float32");
        sb.AppendLine(ic, $"  {"backend",-22}{"train step",12}{"forward",12}{"GFLOP/s",10}{"of FMA peak",13}");
        if (managed is not null)
            sb.AppendLine(ic,
                          $"  {"managed",-22}{Ms(managed.TrainStepSecondsMedian),12}" +
                          $"{Ms(managed.ForwardSecondsMedian),12}{managed.Gflops,10:F1}{managed.PeakShare,13:P1}");
        sb.AppendLine(ic,
                      $"  {"torchsharp (" + torch.Device + ")",-22}{Ms(torch.TrainStepSeconds),12}" +
                      $"{Ms(torch.ForwardSeconds),12}{torch.TrainGflops,10:F1}{torch.TrainGflops / peakGflops,13:P1}");
        if (managed is not null)
            sb.AppendLine(ic,
                          $"  managed / torchsharp: {torch.TrainStepSeconds / managed.TrainStepSecondsMedian:F2}x " +
                          $"faster per train step, " +
                              $"{torch.ForwardSeconds / managed.ForwardSecondsMedian:F2}x per forward pass");
        sb.Append(ic,
                  $"  FMA peak (measured): {peakGflops:F1} GFLOP/s on {settings.Threads} thread(s), " +
                  $"{FmaPeak.VectorBits}-bit vectors; medians of {settings.Steps} steps; libtorch 2.10 via " +
                  $"TorchSharp 0.107");
        return sb.ToString();
    }

    public string ToJson()
    {
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ic,
                  $"{{\"model\": \"{spec.Kind}\", \"parameters\": {parameters}, \"batch\": {settings.Batch}, " +
                  $"\"seq\": {settings.SequenceLength}, ");
        sb.Append(ic,
                  $"\"threads\": {settings.Threads}, \"macs_per_step\": {multiplyAdds}, \"fma_peak_gflops\": " +
                  $"{peakGflops.ToString("R", ic)}");
        if (managed is not null)
            sb.Append(ic,
                      $", \"managed\": {{\"train_step_seconds_median\": " +
                      $"{managed.TrainStepSecondsMedian.ToString("R", ic)}, \"forward_seconds_median\": " +
                      $"{managed.ForwardSecondsMedian.ToString("R", ic)}, \"gflops\": " +
                      $"{managed.Gflops.ToString("R", ic)}, \"fma_peak_share\": " +
                      $"{managed.PeakShare.ToString("R", ic)}}}");
        sb.Append(ic,
                  $", \"torchsharp\": {{\"device\": \"{torch.Device}\", \"train_step_seconds_median\": " +
                  $"{torch.TrainStepSeconds.ToString("R", ic)}, \"forward_seconds_median\": " +
                  $"{torch.ForwardSeconds.ToString("R", ic)}, \"gflops\": {torch.TrainGflops.ToString("R", ic)}, " +
                  $"\"fma_peak_share\": {(torch.TrainGflops / peakGflops).ToString("R", ic)}}}");
        if (managed is not null)
            sb.Append(ic,
                      $", \"managed_speedup_train\": " +
                      $"{(torch.TrainStepSeconds / managed.TrainStepSecondsMedian).ToString("R", ic)}, " +
                      $"\"managed_speedup_forward\": " +
                      $"{(torch.ForwardSeconds / managed.ForwardSecondsMedian).ToString("R", ic)}");
        sb.Append('}');
        return sb.ToString();
    }

    private static string Ms(double seconds) => (seconds * 1e3).ToString("F1", CultureInfo.InvariantCulture) + " ms";
}
