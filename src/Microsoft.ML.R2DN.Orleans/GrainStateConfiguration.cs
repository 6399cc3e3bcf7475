namespace Microsoft.ML.R2DN.Orleans;

/// <summary>A persistent state's name and storage provider, for <see cref="IPersistentStateFactory"/>: the storage name
/// comes from the options, which an attribute cannot read.</summary>
internal sealed record GrainStateConfiguration(string StateName, string StorageName) : IPersistentStateConfiguration;
