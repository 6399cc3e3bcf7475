using System.Diagnostics;

namespace Microsoft.ML.R2DN.Cli.Benchmarking;

/// <summary>
/// How many untimed calls precede a timed loop: a fixed count (<c>--warmup N</c>), or, by default, enough for .NET's
/// tiered JIT to reach its steady state.
/// </summary>
/// <remarks>
/// .NET first runs each method as quickly jitted tier-0 code (long loops switch to optimised code by on-stack
/// replacement), counts 30 calls, and then recompiles it with profile-guided optimisation on a background thread. The
/// per-time-step kernels get there inside the first call; what runs once per call (the direct→explicit map, its
/// adjoint, Adam) needs about 30 calls. Measured on the F16 models (2 cores, 2 threads), train steps stop getting
/// faster after about 15 (REN) to 30 (R2DN) steps, about 1 s into the process. The automatic policy therefore runs
/// <see cref="AutoCalls"/> calls, or fewer when <see cref="AutoSeconds"/> have passed first (slow calls: then the
/// once-per-call code is a negligible part of each call). It always runs at least one call.
/// </remarks>
internal sealed class WarmupPolicy
{
    /// <summary>Calls the automatic policy runs, unless <see cref="AutoSeconds"/> pass first.</summary>
    public const int AutoCalls = 30;

    /// <summary>Seconds after which the automatic policy stops even if it has not
    /// reached <see cref="AutoCalls"/>.</summary>
    public const double AutoSeconds = 2.0;

    private WarmupPolicy(int? fixedCalls) => FixedCalls = fixedCalls;

    /// <summary>The default: enough calls for the tiered JIT's steady state.</summary>
    public static WarmupPolicy Auto { get; } = new(null);

    /// <summary>Exactly <paramref name="calls"/> untimed calls (0 allowed).</summary>
    public static WarmupPolicy Fixed(int calls) =>
        calls >= 0 ? new(calls) : throw new ArgumentOutOfRangeException(nameof(calls), calls, "Must be at least 0.");

    /// <summary>The fixed count, or null for <see cref="Auto"/>.</summary>
    public int? FixedCalls { get; }

    /// <summary>Whether this is the automatic policy.</summary>
    public bool IsAuto => FixedCalls is null;

    /// <summary>For reports: "auto" or the fixed count.</summary>
    public string Name => FixedCalls?.ToString(CultureInfo.InvariantCulture) ?? "auto";

    /// <summary>A human description of the policy.</summary>
    public string Description => FixedCalls is int n
        ? $"{n} warm-up call{(n == 1 ? "" : "s")}"
        : string.Create(CultureInfo.InvariantCulture,
            $"automatic warm-up ({AutoCalls} calls or {AutoSeconds:0.#} s, whichever comes first)");

    /// <summary>Runs the untimed calls and returns how many ran and how long they took.</summary>
    public WarmupResult Run(Action call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (true)
        {
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            bool done = FixedCalls is int n
                ? calls >= n
                : calls >= AutoCalls || (calls >= 1 && elapsed >= AutoSeconds);
            if (done) return new WarmupResult(calls, elapsed);
            cancellationToken.ThrowIfCancellationRequested();
            call();
            calls++;
        }
    }
}

/// <summary>What a warm-up did: the number of untimed calls and the seconds they took.</summary>
internal readonly record struct WarmupResult(int Calls, double Seconds);
