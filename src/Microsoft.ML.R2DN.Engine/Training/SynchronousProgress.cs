namespace Microsoft.ML.R2DN.Engine.Training;

/// <summary>An <see cref="IProgress{T}"/> that calls its handler at once, on the thread that reports: training's epochs
/// then arrive in order and before <c>Fit</c> returns. (<see cref="Progress{T}"/> instead posts each report to the
/// synchronization context it was created on, or to the thread pool, where reports may run late and out of order.)
/// </summary>
/// <typeparam name="T">The type of the reports.</typeparam>
/// <param name="handler">Called with every report; not null. An exception it throws ends the training that
/// reported.</param>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    private readonly Action<T> _handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <summary>Calls the handler with <paramref name="value"/>.</summary>
    /// <param name="value">The report.</param>
    public void Report(T value) => _handler(value);
}
