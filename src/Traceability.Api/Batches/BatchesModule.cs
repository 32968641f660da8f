using JasperFx.Events.Projections;
using Marten;
using Traceability.Batches.Correcting;
using Traceability.Batches.Dismantling;
using Traceability.Batches.Dispatching;
using Traceability.Batches.Fates;
using Traceability.Batches.Merging;
using Traceability.Batches.Reading;
using Traceability.Batches.Receiving;
using Traceability.Batches.Registering;
using Traceability.Batches.Rejecting;
using Traceability.Batches.Sorting;
using Traceability.Batches.Splitting;

namespace Traceability.Batches;

public static class BatchesModule
{
    public static StoreOptions AddBatches(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(BatchGenerated), typeof(BatchDispatched), typeof(BatchReceived),
            typeof(ReceiptDiscrepancyRecorded), typeof(DispatchRejected), typeof(BatchDerived), typeof(BatchSorted), typeof(BatchDismantled),
            typeof(BatchSplit), typeof(BatchMerged), typeof(FateRecorded), typeof(FigureCorrected), typeof(IdentifierClaimRefused)]);
        // Inline: the state a write decides on and the state a read returns are the same committed document.
        options.Projections.Snapshot<Batch>(SnapshotLifecycle.Inline);
        // The batch search orders and pages by this key.
        options.Schema.For<Batch>().Index(b => b.SearchKey);
        options.Schema.For<IdentifierClaim>();
        return options;
    }

    /// <summary>A mass is written as a plain number of kilograms, and the API document says so.</summary>
    public static IServiceCollection AddBatches(this IServiceCollection services)
    {
        services.ConfigureSwaggerGen(o =>
            o.MapType<Mass>(() => new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Number, Format = "decimal", Description = "kilograms" }));
        return services;
    }

    public static void MapBatches(this IEndpointRouteBuilder app)
    {
        var batches = app.MapGroup("/api/batches").WithTags("Batches");
        batches.MapRegisterBatch();
        batches.MapDispatchBatch();
        batches.MapReceiveBatch();
        batches.MapRejectDispatch();
        batches.MapSortBatch();
        batches.MapDismantleBatch();
        batches.MapSplitBatch();
        batches.MapMergeBatches();
        batches.MapRecordFate();
        batches.MapCorrectFigure();
        batches.MapReadBatch();
    }
}
