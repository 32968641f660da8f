using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches.Dismantling;

/// <summary>Body of POST /api/batches/{id}/dismantling.</summary>
/// <param name="Outputs">Components and materials, each a new batch; components of an identified category carry their own identifier.</param>
/// <param name="Losses">Mass declared lost (fluids drained, residue...), each with a reason.</param>
/// <param name="OccurredAt">When the dismantling was done (ISO 8601 instant).</param>
public sealed record DismantleBatchRequest(IReadOnlyList<OutputRequest>? Outputs, IReadOnlyList<LossRequest>? Losses, Instant? OccurredAt)
{
    public (TransformBatch? Command, Refusal? Refusal) Validate(Guid batchId, string by, long? expectedVersion, Categories categories) =>
        TransformBatchDecision.Validate(batchId, Process.Dismantling, Outputs, Losses, OccurredAt, by, expectedVersion, categories);
}

public sealed class DismantleBatchEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/dismantling", Handle)
            .WithName("DismantleBatch")
            .WithSummary("Dismantle a batch into components and materials")
            .WithDescription("The holder, licensed to dismantle the batch's category group, takes a vehicle, battery pack or appliance batch apart. Each output is a new batch it holds; outputs of an identified category (battery modules) each carry their own identifier, which no live batch may hold (409). Outputs plus losses must equal the input within the mass-balance tolerance (default 0.5%). The batch ends as 'transformed'. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<BatchTransformedResponse>();

    static Task<IResult> Handle(Guid id, DismantleBatchRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"dismantle:{id}", request, (by, expected) => request.Validate(id, by, expected, categories));
}
