using Marten;
using Traceability.Integrity.Proving;
using Traceability.Integrity.Sealing;

namespace Traceability.Integrity;

/// <summary>The hash chain of every stored event, the roots sealed over it, and the proofs a regulator checks.</summary>
public static class IntegrityModule
{
    public static StoreOptions AddIntegrity(this StoreOptions options)
    {
        options.Events.AddEventType<IntegrityRootSealed>();
        options.Storage.Add(new EventChainFeature(options));
        return options;
    }

    public static IServiceCollection AddIntegrity(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<IntegrityOptions>(configuration.GetSection("Integrity"));
        services.AddSingleton<RootSealer>();
        services.AddHostedService<RootSchedule>();
        return services;
    }

    public static void MapIntegrity(this IEndpointRouteBuilder app)
    {
        var integrity = app.MapGroup("/api/integrity").WithTags("Integrity");
        integrity.MapListRoots();
        integrity.MapSealRoot();
        integrity.MapProveBatch();
    }
}
