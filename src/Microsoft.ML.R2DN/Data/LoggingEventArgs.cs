namespace Microsoft.ML.R2DN;

/// <summary>A message sent to <see cref="MLContext.Log"/>.</summary>
public sealed class LoggingEventArgs : EventArgs
{
    /// <summary>Creates an informational message with no source.</summary>
    /// <param name="message">The message; not null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public LoggingEventArgs(string message)
        : this(message, ChannelMessageKind.Info, string.Empty)
    {
    }

    /// <summary>Creates a message of the given kind and source.</summary>
    /// <param name="message">The message, without source or kind; not null.</param>
    /// <param name="kind">The severity.</param>
    /// <param name="source">The component that sent it, e.g. <c>R2dnForecastingTrainer</c>; not null (may be empty).</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="source"/> is null.</exception>
    public LoggingEventArgs(string message, ChannelMessageKind kind, string source)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(source);
        RawMessage = message;
        Kind = kind;
        Source = source;
        Message = $"[Source={source}, Kind={kind}] {message}";
    }

    /// <summary>The message with its source and kind, as ML.NET formats it: <c>[Source=X, Kind=Info] text</c>.</summary>
    public string Message { get; }

    /// <summary>The message alone, without source and kind.</summary>
    public string RawMessage { get; }

    /// <summary>The severity.</summary>
    public ChannelMessageKind Kind { get; }

    /// <summary>The component that sent the message; empty when unknown.</summary>
    public string Source { get; }
}
