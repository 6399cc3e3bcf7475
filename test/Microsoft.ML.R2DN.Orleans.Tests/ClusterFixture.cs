using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>An in-process Orleans cluster of two silos serving one model, with the shared in-memory storage.</summary>
public sealed class TestClusterHandle : IAsyncDisposable
{
    private TestClusterHandle(TestCluster cluster, string store)
    {
        Cluster = cluster;
        Store = store;
    }

    public TestCluster Cluster { get; }

    /// <summary>The name of the cluster's store in <see cref="SharedMemoryStorage"/>.</summary>
    public string Store { get; }

    public IR2dnForecastingClient Client => Cluster.ServiceProvider.GetRequiredService<IR2dnForecastingClient>();

    public static async Task<TestClusterHandle> StartAsync(string modelPath, int silos = 2, int writeEvery = 1)
    {
        string store = Guid.NewGuid().ToString("N");
        var builder = new TestClusterBuilder((short)silos);
        builder.Properties[TestSilo.ModelProperty] = modelPath;
        builder.Properties[SharedMemoryStorage.StoreProperty] = store;
        builder.Properties["R2dnWriteEvery"] = writeEvery.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.AddSiloBuilderConfigurator<TestSilo>();
        builder.AddClientBuilderConfigurator<TestClient>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new TestClusterHandle(cluster, store);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>A two-silo cluster serving one of the tiny models, shared by the tests of a class.</summary>
public abstract class ClusterFixture(Func<string> model) : IAsyncLifetime
{
    public TestClusterHandle Handle { get; private set; } = null!;

    public string ModelPath => model();

    public async Task InitializeAsync() => Handle = await TestClusterHandle.StartAsync(ModelPath);

    public async Task DisposeAsync() => await Handle.DisposeAsync();
}

/// <summary>The cluster of the tiny R2DN.</summary>
public sealed class R2dnClusterFixture() : ClusterFixture(() => Models.R2dn);

/// <summary>The cluster of the tiny REN.</summary>
public sealed class RenClusterFixture() : ClusterFixture(() => Models.Ren);
