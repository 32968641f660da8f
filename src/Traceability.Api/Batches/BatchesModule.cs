using JasperFx.Events.Projections;
using Marten;
using Traceability.Batches.Dispatching;
using Traceability.Batches.Reading;
using Traceability.Batches.Receiving;
using Traceability.Batches.Registering;
using Traceability.Batches.Rejecting;

namespace Traceability.Batches;

public static class BatchesModule
{
    public static StoreOptions AddBatches(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(BatchGenerated), typeof(BatchDispatched), typeof(BatchReceived),
            typeof(ReceiptDiscrepancyRecorded), typeof(DispatchRejected)]);
        // Inline: the state a write decides on and the state a read returns are the same committed document.
        options.Projections.Snapshot<Batch>(SnapshotLifecycle.Inline);
        return options;
    }

    public static void MapBatches(this IEndpointRouteBuilder app)
    {
        var batches = app.MapGroup("/api/batches").WithTags("Batches");
        batches.MapRegisterBatch();
        batches.MapDispatchBatch();
        batches.MapReceiveBatch();
        batches.MapRejectDispatch();
        batches.MapReadBatch();
    }
}
