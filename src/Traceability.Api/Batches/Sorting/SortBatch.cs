using NodaTime;
using Traceability.Access;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches
{
    /// <summary>The holder sorted the batch (分拣) into fractions of other categories, declaring what was lost.</summary>
    public sealed record BatchSorted(
        Guid BatchId, string By, string City, Mass InputKg, IReadOnlyList<Output> Fractions, IReadOnlyList<Loss> Losses, Instant OccurredAt) : IBatchFact
    {
        string IBatchFact.ActedBy => By;
    }

    public sealed partial record Batch
    {
        public Batch Apply(BatchSorted e) => Transformed(Process.Sorting, e.Fractions, e.Losses, e.OccurredAt);
    }
}

namespace Traceability.Batches.Sorting
{
    /// <summary>Body of POST /api/batches/{id}/sorting.</summary>
    /// <param name="Fractions">The fractions, each a new batch of another category than the sorted one.</param>
    /// <param name="Losses">Mass declared lost (moisture, residue...), each with a reason.</param>
    /// <param name="OccurredAt">When the sorting was done (ISO 8601 instant).</param>
    public sealed record SortBatchRequest(IReadOnlyList<OutputRequest>? Fractions, IReadOnlyList<LossRequest>? Losses, Instant? OccurredAt)
    {
        public (TransformBatch? Command, Refusal? Refusal) Validate(Guid batchId, string by, long? expectedVersion, Categories categories)
        {
            var errors = new FieldErrors().Require(OccurredAt, "occurredAt");
            var fractions = OutputRequests.Validate(Fractions, "fractions", categories, errors);
            var losses = OutputRequests.ValidateLosses(Losses, errors);
            return errors.Any
                ? (null, errors.ToRefusal())
                : (new TransformBatch(batchId, Process.Sorting, by, fractions, losses, OccurredAt!.Value, expectedVersion, null), null);
        }
    }

    public static class SortBatchEndpoint
    {
        public static void MapSortBatch(this RouteGroupBuilder batches) =>
            batches.MapPost("/{id:guid}/sorting", Handle)
                .WithName("SortBatch")
                .WithSummary("Sort a batch into fractions")
                .WithDescription("The holder, licensed to sort the batch's category group, divides all that remains of it into fractions of other categories (each a new batch it holds) plus declared losses. Fractions plus losses must equal the input within the mass-balance tolerance (default 0.5%); otherwise 400 with the sums. The batch ends as 'transformed'. Accepts Idempotency-Key and If-Match: <version>.")
                .RequireAuthorization(Roles.Enterprise)
                .Produces<BatchTransformedResponse>(StatusCodes.Status201Created)
                .ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict)
                .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        static async Task<IResult> Handle(Guid id, SortBatchRequest request, HttpContext http, Categories categories, IMessageBus bus)
        {
            var (expected, ifMatch) = IfMatch.From(http);
            if (ifMatch is not null) return ifMatch.ToResult();
            var (command, refusal) = request.Validate(id, Caller.From(http.User).EnterpriseId!, expected, categories);
            return refusal is not null
                ? refusal.ToResult()
                : await CommandDispatch.SendAsync(bus, http, $"sort:{id}", request, key => command! with { Idempotency = key });
        }
    }
}
