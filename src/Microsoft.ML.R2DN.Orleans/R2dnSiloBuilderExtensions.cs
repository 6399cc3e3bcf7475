using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.ML.R2DN.Orleans;

/// <summary>Registers R2DN/REN serving on an Orleans silo.</summary>
public static class R2dnSiloBuilderExtensions
{
    /// <summary>Serves the forecaster in <paramref name="modelPath"/> from this silo: series grains
    /// (<see cref="IForecastSeriesGrain"/>), the batch grain and the model grain, with the model loaded once when the
    /// silo starts. Register a grain storage provider named <see cref="R2dnServingOptions.StorageName"/> too.</summary>
    /// <param name="builder">The silo builder; not null.</param>
    /// <param name="modelPath">The model file (see <see cref="R2dnServingOptions.ModelPath"/>); not null or
    /// empty.</param>
    /// <param name="configure">Changes the other options; null for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <example><code>
    /// builder.UseOrleans(silo => silo
    ///     .UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connection; })
    ///     .AddAdoNetGrainStorage(R2dnServingOptions.DefaultStorageName,
    ///                            o => { o.Invariant = "Npgsql"; o.ConnectionString = connection; })
    ///     .AddR2dnForecasting("load-r2dn.zip"));
    /// </code></example>
    public static ISiloBuilder AddR2dnForecasting(this ISiloBuilder builder, string modelPath,
                                                  Action<R2dnServingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new R2dnServingOptions { ModelPath = modelPath };
        configure?.Invoke(options);
        options.Validate();
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<ModelCatalog>();
        // Loads the model as the silo starts (a bad file fails the start, not the first call).
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(
            sp => new ModelWarmup(sp.GetRequiredService<ModelCatalog>));
        builder.Services.AddR2dnForecastingClient();
        return builder;
    }

    /// <summary>Lets code that holds an Orleans client (or runs in a silo) call the R2DN/REN grains through
    /// <see cref="IR2dnForecastingClient"/>; needs an <see cref="IGrainFactory"/> (from <c>UseOrleansClient</c> or
    /// <c>UseOrleans</c>).</summary>
    /// <param name="services">The services; not null.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddR2dnForecastingClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IR2dnForecastingClient, R2dnForecastingClient>();
        return services;
    }

    private sealed class ModelWarmup(Func<ModelCatalog> catalog) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(ModelWarmup), ServiceLifecycleStage.ApplicationServices, _ =>
            {
                catalog();
                return Task.CompletedTask;
            });
    }
}
