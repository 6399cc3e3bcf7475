using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>A silo of a test cluster: the model named by the cluster's properties, served with the shared in-memory
/// storage and a short model refresh interval.</summary>
public sealed class TestSilo : ISiloConfigurator
{
    public const string ModelProperty = "R2dnModelPath";

    public void Configure(ISiloBuilder siloBuilder)
    {
        string model = siloBuilder.Configuration[ModelProperty]!;
        string store = siloBuilder.Configuration[SharedMemoryStorage.StoreProperty]!;
        int writeEvery = int.Parse(siloBuilder.Configuration["R2dnWriteEvery"] ?? "1",
                                   System.Globalization.CultureInfo.InvariantCulture);
        siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(R2dnServingOptions.DefaultStorageName,
            (sp, _) => new SharedMemoryStorage(sp.GetRequiredService<Serializer>()) { Store = store });
        siloBuilder.AddR2dnForecasting(model, o =>
        {
            o.ModelRefreshInterval = TimeSpan.FromMilliseconds(200);
            o.WriteEvery = writeEvery;
        });
    }
}

/// <summary>The test cluster's client, with <see cref="IR2dnForecastingClient"/> registered.</summary>
public sealed class TestClient : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.Services.AddR2dnForecastingClient();
}
