using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// Shows training progress on stderr, driven by the epoch messages the estimators write to ML.NET's <see cref="MLContext.Log"/>
/// ("epoch 3/60: loss 0.123, lr 1.0e-03, 0.4 s"): on a terminal, one line redrawn in place with a bar, the epoch, the
/// loss, the learning rate and the estimated time left; otherwise (a log file, a pipe) a plain line about every tenth
/// of the epochs.
/// </summary>
internal sealed partial class TrainingProgress : IDisposable
{
    private const int BarWidth = 24;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _error;
    private readonly bool _interactive;
    private readonly MLContext _ml;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private TimeSpan? _lastDraw;
    private int _lastWidth;
    private int _lastPrintedStep = -1;
    private bool _lineOpen;
    private (int Epoch, string Loss, string LearningRate) _latest;
    private int _shown;

    /// <summary>Starts listening to <paramref name="ml"/>'s log.</summary>
    /// <param name="ml">The context whose estimators report the epochs.</param>
    /// <param name="error">Where progress goes (stderr).</param>
    /// <param name="interactive">True to redraw one line in place (a terminal); false for plain lines.</param>
    public TrainingProgress(MLContext ml, TextWriter error, bool interactive)
    {
        _ml = ml;
        _error = error;
        _interactive = interactive;
        ml.Log += OnLog;
    }

    /// <summary>The training description the estimator logged ("Training a contracting R2DN ... forecaster on ..."), once seen.</summary>
    public string? Description { get; private set; }

    /// <summary>The last epoch reported (1-based) and the number of epochs.</summary>
    public (int Epoch, int Epochs) Last { get; private set; }

    public void Dispose()
    {
        _ml.Log -= OnLog;
        lock (_lock) EndLine();
    }

    private void OnLog(object? sender, LoggingEventArgs e)
    {
        // ML.NET names the source after the component and its channel: "ForecastingEstimator; Training".
        if (!(e.Source.StartsWith("ForecastingEstimator", StringComparison.Ordinal) || e.Source.StartsWith("SimulationEstimator", StringComparison.Ordinal)))
            return;
        string message = e.RawMessage;
        if (message.StartsWith("Training a", StringComparison.Ordinal))   // "Training a(n) ... forecaster on ..."
        {
            Description = message;
            lock (_lock)
            {
                EndLine();
                _error.WriteLine(message);
                _error.Flush();
            }
            _clock.Restart();
            _shown = 0;
            return;
        }
        if (message.StartsWith("Trained the ", StringComparison.Ordinal))
        {
            lock (_lock) Finish();
            return;
        }
        var match = EpochPattern().Match(message);
        if (!match.Success) return;
        int epoch = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        int epochs = int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
        Last = (epoch, epochs);
        lock (_lock)
        {
            _latest = (epoch, match.Groups[3].Value, match.Groups[4].Value);
            Report(epoch, epochs, _latest.Loss, _latest.LearningRate, final: false);
        }
    }

    // Training ended: shows its last epoch when it was not shown (it stopped before the last epoch: early stopping or
    // the time budget, or the redraw interval skipped it).
    private void Finish()
    {
        var (epoch, epochs) = Last;
        if (epoch > 0 && _shown != epoch) Report(epoch, epochs, _latest.Loss, _latest.LearningRate, final: true);
    }

    private void Report(int epoch, int epochs, string loss, string learningRate, bool final)
    {
        var elapsed = _clock.Elapsed;
        var left = epoch > 0 ? TimeSpan.FromTicks(elapsed.Ticks / epoch * (epochs - epoch)) : TimeSpan.Zero;
        if (_interactive)
        {
            if (!final && epoch < epochs && _lastDraw is { } last && elapsed - last < RedrawInterval) return;
            _lastDraw = elapsed;
            _shown = epoch;
            int filled = epochs > 0 ? (int)((long)BarWidth * epoch / epochs) : BarWidth;
            var line = new StringBuilder()
                .Append("  [").Append('#', filled).Append('.', BarWidth - filled).Append("] ")
                .Append(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}  loss {loss}  lr {learningRate}  ")
                .Append(final && epoch < epochs ? $"{Clock(elapsed)} (stopped early)"
                        : epoch < epochs ? $"{Clock(elapsed)} elapsed, ~{Clock(left)} left" : $"{Clock(elapsed)}");
            int width = line.Length;
            if (width < _lastWidth) line.Append(' ', _lastWidth - width);
            _lastWidth = width;
            _error.Write('\r');
            _error.Write(line.ToString());
            _error.Flush();
            _lineOpen = true;
            return;
        }
        // A plain line at the first and last epoch and at about every tenth of the way.
        int step = epochs > 0 ? 10 * epoch / epochs : 10;
        if (!final && epoch != 1 && epoch != epochs && step == _lastPrintedStep) return;
        _lastPrintedStep = step;
        _shown = epoch;
        string tail = final && epoch < epochs ? ", stopped early" : epoch < epochs ? $", ~{Clock(left)} left" : "";
        _error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  epoch {epoch}/{epochs}: loss {loss}, lr {learningRate}, {Clock(elapsed)} elapsed{tail}"));
        _error.Flush();
    }

    private void EndLine()
    {
        if (!_lineOpen) return;
        _error.WriteLine();
        _error.Flush();
        _lineOpen = false;
        _lastWidth = 0;
    }

    /// <summary>"0:07" or "1:02:03".</summary>
    internal static string Clock(TimeSpan t) =>
        t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^epoch (\d+)/(\d+): loss ([^,]+), lr ([^,]+),", RegexOptions.CultureInvariant)]
    private static partial Regex EpochPattern();
}
