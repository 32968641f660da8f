using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches.Sorting;

/// <summary>Body of POST /api/batches/{id}/sorting.</summary>
/// <param name="Fractions">The fractions, each a new batch of another category than the sorted one.</param>
/// <param name="Losses">Mass declared lost (moisture, residue...), each with a reason.</param>
/// <param name="OccurredAt">When the sorting was done (ISO 8601 instant).</param>
public sealed record SortBatchRequest(IReadOnlyList<OutputRequest>? Fractions, IReadOnlyList<LossRequest>? Losses, Instant? OccurredAt)
{
    public (TransformBatch? Command, Refusal? Refusal) Validate(Guid batchId, string by, long? expectedVersion, Categories categories) =>
        TransformBatchDecision.Validate(batchId, Process.Sorting, Fractions, Losses, OccurredAt, by, expectedVersion, categories);
}

public sealed class SortBatchEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/sorting", Handle)
            .WithName("SortBatch")
            .WithSummary("Sort a batch into fractions")
            .WithDescription("The holder, licensed to sort the batch's category group, divides all that remains of it into fractions of other categories (each a new batch it holds) plus declared losses. Fractions plus losses must equal the input within the mass-balance tolerance (default 0.5%); otherwise 400 with the sums. The batch ends as 'transformed'. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<BatchTransformedResponse>();

    static Task<IResult> Handle(Guid id, SortBatchRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"sort:{id}", request, (by, expected) => request.Validate(id, by, expected, categories));
}
