namespace Microsoft.ML.R2DN;

/// <summary>The starting point of every operation: holds the catalogs (<see cref="Data"/>, <see cref="Forecasting"/>,
/// <see cref="Model"/>), the random seed, the log and the cancellation of running work.</summary>
/// <remarks>
/// <para>Create one per application or per experiment. With a <see cref="Seed"/>, every random choice made by the
/// components it creates (initialisation, shuffling, splits) is repeatable: the same calls in the same order give the
/// same results. Without one, each run differs.</para>
/// <para>Long operations (training, reading views created through <see cref="Data"/>) watch for
/// <see cref="CancelExecution"/> and stop with an <see cref="OperationCanceledException"/>.</para>
/// </remarks>
/// <threadsafety>The members may be called from any thread; <see cref="CancelExecution"/> is meant to be called from a
/// thread other than the one doing the work.</threadsafety>
public sealed class MLContext
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly Random _seeds;
    private readonly Lock _seedsLock = new();

    /// <summary>Creates a context.</summary>
    /// <param name="seed">The seed of all random choices, any <see cref="int"/>; null to seed from the environment
    /// (results then differ between runs).</param>
    public MLContext(int? seed = null)
    {
        Seed = seed;
        _seeds = seed is { } s ? new Random(s) : new Random();
        Data = new DataOperationsCatalog(this);
        Forecasting = new ForecastingCatalog(this);
        Model = new ModelOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
    }

    /// <summary>Raised for every message of every component created through this context. Handlers run on the
    /// thread doing the work; keep them short.</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    /// <summary>Loading and reading data: text files, enumerables, reading views back as objects.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Time-series forecasting and simulation with robust recurrent models (R2DN, REN).</summary>
    public ForecastingCatalog Forecasting { get; }

    /// <summary>Saving and loading trained models.</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Data preparation: copying, joining, normalising columns and replacing missing values.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>The seed given to the constructor; null when none was given.</summary>
    public int? Seed { get; }

    /// <summary>Asks every running operation of this context to stop: they throw <see cref="OperationCanceledException"/>
    /// at their next check (training checks between mini-batches; views created through <see cref="Data"/> on every
    /// row). Irreversible: create a new context to continue working.</summary>
    public void CancelExecution() => _cancellation.Cancel();

    /// <summary>Cancelled by <see cref="CancelExecution"/>; components pass it to their long loops.</summary>
    internal CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Sends a message to <see cref="Log"/>.</summary>
    /// <param name="kind">The severity.</param>
    /// <param name="source">The component sending it (its class name, by convention).</param>
    /// <param name="message">The message.</param>
    internal void WriteLog(ChannelMessageKind kind, string source, string message) =>
        Log?.Invoke(this, new LoggingEventArgs(message, kind, source));

    /// <summary>The next seed for a component: deterministic in the order of calls when <see cref="Seed"/> is set.</summary>
    internal int NextSeed()
    {
        lock (_seedsLock)
            return _seeds.Next();
    }

    /// <summary>A random source for a component: seeded by <paramref name="seed"/> when the component was given one,
    /// otherwise by <see cref="NextSeed"/>. <see cref="Random"/>(int) gives the same sequence on every platform and
    /// .NET version, so seeded results are reproducible.</summary>
    /// <param name="seed">The component's own seed, overriding the context's; null to use the context's.</param>
    internal Random CreateRandom(int? seed = null) => new(seed ?? NextSeed());
}
