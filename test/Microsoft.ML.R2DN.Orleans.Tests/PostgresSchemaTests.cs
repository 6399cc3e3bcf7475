using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using ServingCluster;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>The example's own schema (examples/ServingCluster/sql/r2dn-orleans-schema.sql) driven through Orleans'
/// ADO.NET providers themselves, on the paths a healthy run does not take: stale membership versions, a second
/// activation writing the same grain, stale ETags, a cleared state, dead silos cleaned up. Skipped when PostgreSQL
/// cannot be started; in the PostgreSQL collection, so it never runs beside the real-cluster test, which recreates
/// the same database.</summary>
[Collection("PostgreSQL")]
public sealed class PostgresSchemaTests
{
    private const string Cluster = "schema-test";
    private static readonly IOptions<ClusterOptions> ClusterOptions =
        Options.Create(new ClusterOptions { ClusterId = Cluster, ServiceId = Cluster });

    [SkippableFact]
    public async Task Membership_VersionChecks_Heartbeat_Gateways_Cleanup()
    {
        using var services = CreateDatabaseOrSkip();
        var table = new AdoNetClusteringTable(services, ClusterOptions,
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = "Npgsql", ConnectionString = Connection }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(true);
        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);
        Assert.Equal(0, empty.Version.Version);

        var silo = Silo(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(silo, empty.Version.Next()));
        Assert.False(await table.InsertRowAsync(Silo(11112, SiloStatus.Joining), empty.Version.Next()));   // stale
        var joined = await table.ReadAllAsync();
        Assert.Equal(1, joined.Version.Version);
        var (stored, etag) = Assert.Single(joined.Members);
        Assert.Equal((silo.SiloAddress, silo.SiloName, silo.ProxyPort, silo.StartTime),
                     (stored.SiloAddress, stored.SiloName, stored.ProxyPort, stored.StartTime));

        silo.Status = SiloStatus.Active;
        // The provider checks a row's ETag against the table version itself: a stale pair reaches the database.
        Assert.False(await table.UpdateRowAsync(silo, empty.Version.VersionEtag, empty.Version.Next()));   // stale
        Assert.True(await table.UpdateRowAsync(silo, etag, joined.Version.Next()));
        silo.IAmAliveTime = silo.StartTime.AddSeconds(5);
        await table.UpdateIAmAliveAsync(silo);
        var row = await table.ReadRowAsync(silo.SiloAddress);
        Assert.Equal(2, row.Version.Version);                                  // a heartbeat leaves the version
        var alive = Assert.Single(row.Members).Item1;
        Assert.Equal((SiloStatus.Active, silo.IAmAliveTime), (alive.Status, alive.IAmAliveTime));
        Assert.Equal([SiloAddress.New(IPAddress.Loopback, 30000, 7).ToGatewayUri()], await GatewaysAsync(services));

        silo.Status = SiloStatus.Dead;
        silo.SuspectTimes = [Tuple.Create(Silo(11112, SiloStatus.Active).SiloAddress, silo.IAmAliveTime)];
        Assert.True(await table.UpdateRowAsync(silo, row.Members[0].Item2, row.Version.Next()));
        Assert.Empty(await GatewaysAsync(services));
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddDays(1));
        var cleaned = await table.ReadAllAsync();
        Assert.Empty(cleaned.Members);
        Assert.Equal(3, cleaned.Version.Version);                              // clean-up leaves the version
        Assert.Empty((await table.ReadRowAsync(silo.SiloAddress)).Members);
    }

    [SkippableFact]
    public async Task GrainStorage_FirstWrite_Conflicts_Clear_NullKeyExtension()
    {
        using var services = CreateDatabaseOrSkip();
        var storage = await StartStorageAsync(services);
        var id = GrainId.Create("series", "schema-1");
        var first = await ReadAsync(storage, id);
        Assert.Equal((false, null), (first.RecordExists, first.ETag));

        first.State = new SeriesRecord { State = [1, 2, 3] };
        await storage.WriteStateAsync("series", id, first);
        Assert.Equal("1", first.ETag);
        var twin = new GrainState<SeriesRecord>(new SeriesRecord { State = [9] });        // a second activation
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("series", id, twin));
        var read = await ReadAsync(storage, id);
        Assert.Equal((true, "1"), (read.RecordExists, read.ETag));
        Assert.Equal([1, 2, 3], read.State?.State);

        await storage.WriteStateAsync("series", id, first);
        Assert.Equal("2", first.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("series", id, read));
        await storage.ClearStateAsync("series", id, first);
        var cleared = await ReadAsync(storage, id);
        Assert.Equal((false, "3"), (cleared.RecordExists, cleared.ETag));
        Assert.Null(cleared.State?.State);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("series", id, read));
        await storage.WriteStateAsync("series", id, cleared);
        Assert.Equal("4", cleared.ETag);

        // An integer key has no text part (null in the table): it must be found, and kept apart from other keys.
        var numbered = GrainId.Create(GrainType.Create("series"), GrainIdKeyExtensions.CreateIntegerKey(5));
        var other = new GrainState<SeriesRecord>(new SeriesRecord { State = [5] });
        await storage.WriteStateAsync("series", numbered, other);
        Assert.Equal([5], (await ReadAsync(storage, numbered)).State?.State);
        Assert.Equal("4", (await ReadAsync(storage, id)).ETag);
    }

    private static string Connection => Postgres.ConnectionString;

    private static ServiceProvider CreateDatabaseOrSkip()
    {
        string? why = Postgres.Start() ?? Postgres.TryCreateDatabase();
        Skip.If(why is not null, $"PostgreSQL unavailable: {why}");
        return new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(SeriesRecord).Assembly))
            .BuildServiceProvider();
    }

    private static MembershipEntry Silo(int port, SiloStatus status)
    {
        var start = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);   // whole seconds: stored to the microsecond
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 7), SiloName = $"silo-{port}",
            HostName = "localhost", Status = status, ProxyPort = 30000 + port - 11111, StartTime = start,
            IAmAliveTime = start,
        };
    }

    private static async Task<IList<Uri>> GatewaysAsync(IServiceProvider services)
    {
        var gateways = new AdoNetGatewayListProvider(NullLogger<AdoNetGatewayListProvider>.Instance, services,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = "Npgsql", ConnectionString = Connection }),
            Options.Create(new GatewayOptions()), ClusterOptions);
        await gateways.InitializeGatewayListProviderAsync();
        return await gateways.GetGatewaysAsync();
    }

    private static async Task<AdoNetGrainStorage> StartStorageAsync(IServiceProvider services)
    {
        var options = new AdoNetGrainStorageOptions
        {
            Invariant = "Npgsql", ConnectionString = Connection,
            GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
        };
        var storage = new AdoNetGrainStorage(services.GetRequiredService<IActivatorProvider>(),
            NullLogger<AdoNetGrainStorage>.Instance, Options.Create(options), ClusterOptions, Cluster);
        var lifecycle = new StartingLifecycle();
        storage.Participate(lifecycle);
        await lifecycle.StartAsync();
        return storage;
    }

    private static async Task<GrainState<SeriesRecord>> ReadAsync(IGrainStorage storage, GrainId id)
    {
        var state = new GrainState<SeriesRecord>(new SeriesRecord());
        await storage.ReadStateAsync("series", id, state);
        return state;
    }

    // Just enough of a silo's lifecycle to run the provider's start-up step (it loads its queries there).
    private sealed class StartingLifecycle : ISiloLifecycle
    {
        private readonly List<ILifecycleObserver> _observers = [];

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add(observer);
            return new CancellationTokenSource();
        }

        public async Task StartAsync()
        {
            foreach (var observer in _observers) await observer.OnStart();
        }
    }
}
