namespace Microsoft.ML.R2DN;

/// <summary>The severity of a message sent to <see cref="MLContext.Log"/>, as in ML.NET (where it lives in
/// <c>Microsoft.ML.Runtime</c>; here it sits beside <see cref="MLContext"/>).</summary>
public enum ChannelMessageKind
{
    /// <summary>Detailed progress, e.g. every epoch of training.</summary>
    Trace = 0,

    /// <summary>Noteworthy progress, e.g. the start and end of training.</summary>
    Info = 1,

    /// <summary>Something the user may want to fix, e.g. a column with missing values that were skipped.</summary>
    Warning = 2,

    /// <summary>A failure that is also reported by an exception.</summary>
    Error = 3,
}
