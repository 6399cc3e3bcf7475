using Spectre.Console;
using Spectre.Console.Rendering;

namespace Microsoft.ML.R2DN.Cli.Training;

/// <summary>
/// Shows on stderr the epochs an estimator reports as values (<see cref="RecurrentModelOptions.Progress"/>): a line
/// when a training starts (each setting of the search, and the refit), then, on a terminal, a Spectre.Console
/// progress bar with the epoch, the loss, the validation loss, the learning rate and the time left, which gives way
/// to a line with the last epoch when the training ends. Elsewhere (a log file, a pipe) plain lines replace the bar:
/// the first and the last epoch, and about every tenth of the way.
/// </summary>
internal sealed class TrainingDisplay : IProgress<TrainingProgress>
{
    private readonly TextWriter _error;
    private readonly bool _interactive;
    private IAnsiConsole? _console;
    private ProgressContext? _bars;
    private ProgressTask? _bar;
    private TrainingProgress? _last;
    private int _lastTenth = -1;
    private bool _lastPrinted;

    /// <summary>A display on <paramref name="error"/>.</summary>
    /// <param name="error">Where progress goes (stderr).</param>
    /// <param name="interactive">True for the progress bar (a terminal); false for plain lines.</param>
    public TrainingDisplay(TextWriter error, bool interactive)
    {
        _error = error;
        _interactive = interactive;
    }

    /// <summary>Runs <paramref name="fit"/> (the estimator's <c>Fit</c>, with this display as its options'
    /// progress) while <paramref name="display"/> shows its epochs; a null display shows nothing
    /// (<c>--quiet</c>).</summary>
    public static T Run<T>(TrainingDisplay? display, Func<T> fit)
    {
        if (display is null) return fit();
        if (!display._interactive) return display.Finishing(fit);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(display._error),
        });
        display._console = console;
        var columns = new ProgressColumn[]
        {
            new TaskDescriptionColumn(), new ProgressBarColumn { Width = 24 }, new StatusColumn(),
        };
        return console.Progress().AutoClear(true).HideCompleted(true).Columns(columns).Start(context =>
        {
            display._bars = context;
            return display.Finishing(fit);
        });
    }

    /// <summary>Shows one epoch.</summary>
    public void Report(TrainingProgress value)
    {
        if (_last is null || value.Stage != _last.Stage) Start(value.Stage);
        _last = value;
        if (_bar is not null) Draw(value);
        else Print(value, final: false);
    }

    private T Finishing<T>(Func<T> fit)
    {
        bool completed = false;
        try
        {
            var result = fit();
            completed = true;
            return result;
        }
        finally
        {
            Finish(completed);
        }
    }

    private void Start(TrainingStage stage)
    {
        Finish();
        _lastTenth = -1;
        string what = stage.IsRefit ? $"the chosen setting again: {stage.Model}"
                    : stage.Settings > 1 ? $"setting {stage.Setting}/{stage.Settings}: {stage.Model}"
                    : $"the {stage.Model}";
        WriteLine($"Training {what}");
        string label = stage.IsRefit ? "refit" : stage.Settings > 1 ? $"{stage.Setting}/{stage.Settings}" : "training";
        _bar = _bars?.AddTask(label, autoStart: true, maxValue: 1);
    }

    // A training ended: its bar goes, and its last epoch is shown unless a plain line already showed it, with a note
    // when it completed before the planned last epoch (early stopping, the time budget); none when it was interrupted
    // (cancelled, failed), which the error line then says.
    private void Finish(bool completed = true)
    {
        if (_last is null) return;
        if (_bar is { } bar)
        {
            bar.Value = bar.MaxValue;
            bar.StopTask();
            _bar = null;
            _lastPrinted = false;
        }
        if (!_lastPrinted) Print(_last, final: true, completed);
        _last = null;
    }

    private void Draw(TrainingProgress value)
    {
        var e = value.Epoch;
        _bar!.MaxValue = e.Epochs;
        _bar.Value = e.Epoch + 1;
        _bar.Tag = Status(value) + (e.Epoch + 1 < e.Epochs ? $", ~{Clock(e.Remaining)} left" : "");
    }

    private void Print(TrainingProgress value, bool final, bool completed = true)
    {
        var e = value.Epoch;
        int epoch = e.Epoch + 1, tenth = 10 * epoch / e.Epochs;
        _lastPrinted = final || epoch == 1 || epoch == e.Epochs || tenth != _lastTenth;
        if (!_lastPrinted) return;
        _lastTenth = tenth;
        string tail = epoch == e.Epochs || (final && !completed) ? ""
                    : final ? ", stopped early" : $", ~{Clock(e.Remaining)} left";
        WriteLine($"  {Status(value)}, {Clock(e.Elapsed)} elapsed{tail}");
    }

    // Through the live display when there is one, which keeps its bar below the lines.
    private void WriteLine(string line)
    {
        if (_console is not null)
        {
            _console.WriteLine(line);
            return;
        }
        _error.WriteLine(line);
        _error.Flush();
    }

    // "epoch 3/60: loss 0.123, validation 0.145, lr 1.0e-03".
    private static string Status(TrainingProgress value)
    {
        var e = value.Epoch;
        string validation = double.IsNaN(e.ValidationLoss) ? "" : $", validation {e.ValidationLoss:G3}";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {e.Epoch + 1}/{e.Epochs}: loss {e.TrainLoss:G3}{validation}, lr {e.LearningRate:0.0e+00}");
    }

    /// <summary>"0:07" or "1:02:03".</summary>
    private static string Clock(TimeSpan t) =>
        t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    // The text after the bar: the task's Tag, set by Draw and Finish.
    private sealed class StatusColumn : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Tag as string ?? "");
    }
}
