using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Microsoft.ML.R2DN.Orleans.Tests;

/// <summary>Grain storage in this process's memory, shared by all the silos of one test cluster (they run in this
/// process): unlike Orleans' memory storage, whose data lives in grains of the silos themselves, it survives a silo
/// that is killed, as a database does.</summary>
internal sealed class SharedMemoryStorage(Serializer serializer) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (byte[] Data, string ETag)>>
        Stores = new();

    /// <summary>The name of the store the silos of a cluster share (a configuration property of the cluster).</summary>
    public const string StoreProperty = "R2dnTestStore";

    public string Store { get; init; } = "";

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Items().TryGetValue(Key(stateName, grainId), out var item))
        {
            grainState.State = serializer.Deserialize<T>(item.Data);
            grainState.ETag = item.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var items = Items();
        string key = Key(stateName, grainId), etag = Guid.NewGuid().ToString("N");
        var item = (serializer.SerializeToArray(grainState.State), etag);
        bool written = items.TryGetValue(key, out var old)
            ? old.ETag == grainState.ETag && items.TryUpdate(key, item, old)
            : grainState.ETag is null && items.TryAdd(key, item);
        if (!written) throw new InconsistentStateException($"The ETag of '{key}' does not match.");
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Items().TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private ConcurrentDictionary<string, (byte[] Data, string ETag)> Items() => Stores.GetOrAdd(Store, _ => new());

    private static string Key(string stateName, GrainId grainId) => $"{grainId}/{stateName}";
}
