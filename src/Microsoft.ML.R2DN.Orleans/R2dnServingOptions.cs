namespace Microsoft.ML.R2DN.Orleans;

/// <summary>The settings of R2DN/REN serving on an Orleans silo (see
/// <see cref="R2dnSiloBuilderExtensions.AddR2dnForecasting"/>).</summary>
public sealed class R2dnServingOptions
{
    /// <summary>The default <see cref="StorageName"/>.</summary>
    public const string DefaultStorageName = "R2dnForecasting";

    /// <summary>The model file (saved with <c>mlContext.Model.Save</c> or an engine's <c>CheckPoint</c>) the silo
    /// serves until a deployment (<see cref="IR2dnForecastingClient.DeployModelAsync"/>) names another; the same file
    /// on every silo (a shared or copied path). Required.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>The name of the Orleans grain storage provider that holds the series states and the deployment record
    /// (register it with <c>AddAdoNetGrainStorage(name, …)</c>, <c>AddMemoryGrainStorage(name)</c> or any other
    /// provider). Not empty; default <see cref="DefaultStorageName"/>.</summary>
    public string StorageName { get; set; } = DefaultStorageName;

    /// <summary>How many acknowledged updates a series grain applies between writes of its state, in [1, 10000];
    /// default 1: every update is written before it is acknowledged, so a silo that dies loses none. With n &gt; 1 the
    /// grain writes every n-th update and when it is deactivated: a silo that dies loses, per series it held, up to
    /// n − 1 acknowledged updates (the loss window), for about n times fewer storage writes.</summary>
    public int WriteEvery { get; set; } = 1;

    /// <summary>How often a silo asks whether another model was deployed, in [100 ms, 1 h]; default 10 s. A deployment
    /// reaches every silo within this time (the silo that handled it at once).</summary>
    public TimeSpan ModelRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many series a batch call (<see cref="IR2dnForecastingClient.ObserveManyAsync"/>) updates at once,
    /// in [1, 100000]; default 256. Rows of one series are always applied in order.</summary>
    public int BatchParallelism { get; set; } = 256;

    /// <summary>Throws for a setting out of range.</summary>
    /// <exception cref="ArgumentException"><see cref="ModelPath"/> or <see cref="StorageName"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of its range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
            throw new ArgumentException("R2dnServingOptions.ModelPath must name the model file to serve.",
                                        nameof(ModelPath));
        if (string.IsNullOrWhiteSpace(StorageName))
            throw new ArgumentException("R2dnServingOptions.StorageName must name a grain storage provider.",
                                        nameof(StorageName));
        if (WriteEvery is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(WriteEvery), WriteEvery, "WriteEvery must be in [1, 10000].");
        if (ModelRefreshInterval < TimeSpan.FromMilliseconds(100) || ModelRefreshInterval > TimeSpan.FromHours(1))
            throw new ArgumentOutOfRangeException(nameof(ModelRefreshInterval), ModelRefreshInterval,
                                                  "ModelRefreshInterval must be in [100 ms, 1 h].");
        if (BatchParallelism is < 1 or > 100_000)
            throw new ArgumentOutOfRangeException(nameof(BatchParallelism), BatchParallelism,
                                                  "BatchParallelism must be in [1, 100000].");
    }
}
