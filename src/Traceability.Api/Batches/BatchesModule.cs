using System.Reflection;
using JasperFx.Events.Projections;
using Marten;
using Traceability.Batches.Manifests;

namespace Traceability.Batches;

public static class BatchesModule
{
    public static StoreOptions AddBatches(this StoreOptions options)
    {
        // Every batch event (each is an IBatchFact, declared in Batch.cs), known before the first read of a stream.
        options.Events.AddEventTypes([.. BatchFacts, typeof(IdentifierClaimRefused)]);
        // Inline: the state a write decides on and the state a read returns are the same committed document.
        options.Projections.Snapshot<Batch>(SnapshotLifecycle.Inline);
        // The batch search orders and pages by this key.
        options.Schema.For<Batch>().Index(b => b.SearchKey);
        // Inline: a manifest reads as its dispatch, receipt or rejection left it, in the same transaction.
        options.Projections.Add<Manifests.ManifestProjection>(ProjectionLifecycle.Inline);
        // An identifier is claimed once, by an insert; two racing claims must not both commit.
        options.Schema.For<IdentifierClaim>().UseOptimisticConcurrency(true);
        return options;
    }

    /// <summary>A mass is written as a plain number of kilograms, and the API document says so.</summary>
    public static IServiceCollection AddBatches(this IServiceCollection services)
    {
        services.ConfigureSwaggerGen(o =>
            o.MapType<Mass>(() => new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Number, Format = "decimal", Description = "kilograms" }));
        return services;
    }

    /// <summary>Maps every slice's endpoint (<see cref="IBatchEndpoint"/>), in the order of their names so the API document is stable.</summary>
    public static void MapBatches(this IEndpointRouteBuilder app)
    {
        var batches = app.MapGroup("/api/batches").WithTags("Batches");
        foreach (var endpoint in Implementations(typeof(IBatchEndpoint)))
            endpoint.GetMethod(nameof(IBatchEndpoint.Map), BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [batches]);
        app.MapManifests();
    }

    static IEnumerable<Type> BatchFacts => Implementations(typeof(IBatchFact));

    static IEnumerable<Type> Implementations(Type contract) =>
        typeof(BatchesModule).Assembly.GetTypes().Where(t => contract.IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false }).OrderBy(t => t.FullName);
}
