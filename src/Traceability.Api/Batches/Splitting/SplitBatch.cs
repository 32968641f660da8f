using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Compliance;
using Traceability.Access;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches
{
    /// <summary>The holder divided the batch into parts of the same category (to sell part of it).</summary>
    public sealed record BatchSplit(Guid BatchId, string By, string City, Mass InputKg, IReadOnlyList<Output> Parts, Instant OccurredAt) : IBatchFact
    {
        string IBatchFact.ActedBy => By;
    }

    public sealed partial record Batch
    {
        public Batch Apply(BatchSplit e) => Transformed(Process.Splitting, e.Parts, [], e.OccurredAt);
    }
}

namespace Traceability.Batches.Splitting
{
    /// <summary>One part of a split, as sent.</summary>
    /// <param name="MassKg">Its mass in kilograms.</param>
    /// <param name="Units">Its unit count: required for every part when the batch counts units.</param>
    public sealed record SplitPartRequest(decimal? MassKg, int? Units);

    /// <summary>Body of POST /api/batches/{id}/splitting.</summary>
    /// <param name="Parts">At least two parts; their masses add up to what remains of the batch.</param>
    /// <param name="OccurredAt">When the batch was divided (ISO 8601 instant).</param>
    public sealed record SplitBatchRequest(IReadOnlyList<SplitPartRequest>? Parts, Instant? OccurredAt);

    public sealed record SplitBatch(Guid BatchId, string By, IReadOnlyList<SplitPartRequest> Parts, Instant OccurredAt, long? ExpectedVersion, IdempotencyKey? Idempotency);

    public static class SplitBatchDecision
    {
        public const int MaxParts = 500;

        public static (SplitBatch? Command, Refusal? Refusal) Validate(Guid batchId, SplitBatchRequest request, string by, long? expectedVersion)
        {
            var errors = new FieldErrors().Require(request.OccurredAt, "occurredAt");
            if (request.Parts is not { Count: >= 2 }) errors.Add("parts", "must list at least two parts");
            else if (request.Parts.Count > MaxParts) errors.Add("parts", $"must list at most {MaxParts} parts");
            for (var i = 0; i < (request.Parts?.Count ?? 0); i++)
            {
                var part = request.Parts![i];
                errors.Require(part.MassKg, $"parts[{i}].massKg");
                if (part.MassKg is { } kg && Mass.Check(kg) is { } rule) errors.Add($"parts[{i}].massKg", rule);
                if (part.Units is <= 0) errors.Add($"parts[{i}].units", "must be greater than 0");
            }
            return errors.Any ? (null, errors.ToRefusal()) : (new SplitBatch(batchId, by, request.Parts!, request.OccurredAt!.Value, expectedVersion, null), null);
        }

        /// <summary>
        /// Parts keep the batch's category; a single identified unit cannot be split (it is dismantled). Unit
        /// counts must add up too. A holder that received the batch must still be licensed to hold it.
        /// </summary>
        public static Decision Decide(Batch batch, SplitBatch command, BatchActor actor, Category category, Instant now, TraceabilityOptions options)
        {
            if (batch.RefuseUnlessHeldBy(command.By, "split") is { } notHeld) return notHeld;
            if (batch.Identifier is not null)
                return Refusal.Conflict($"The batch is one identified unit ({batch.Identifier.Value}); dismantle it instead of splitting it.");
            if (batch.Units is { } units)
            {
                if (command.Parts.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.Units is null) is { p: not null } missing)
                    return Refusal.Invalid($"parts[{missing.i}].units", $"is required: the batch counts {units} units, and every part says how many it takes");
                if (command.Parts.Sum(p => p.Units!.Value) != units)
                    return Refusal.Invalid("parts", $"units add up to {command.Parts.Sum(p => p.Units!.Value)}, but the batch has {units}");
            }
            else if (command.Parts.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.Units is not null) is { p: not null } counted)
                return Refusal.Invalid($"parts[{counted.i}].units", "must be absent: the batch does not count units");
            if (batch.Status == BatchStatus.Received && actor.Licences.RequireReceiving(category, command.OccurredAt, options.Licensing) is { } unlicensed)
                return unlicensed;
            if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, batch.LastOccurredAt, "the batch's previous event") is { } rule)
                return Refusal.Invalid("occurredAt", rule);
            var parts = command.Parts.Select(p => new Output(Guid.CreateVersion7(), batch.Category, new Mass(p.MassKg!.Value), p.Units, null)).ToList();
            if (MassBalance.Check(batch.RemainingKg, parts.Select(p => p.MassKg), [], options.MassBalanceTolerancePercent, "parts") is { } unbalanced)
                return unbalanced;

            return Decision.Of(new BatchSplit(batch.Id, command.By, actor.City, batch.RemainingKg, parts, command.OccurredAt))
                .Starting(OutputRequests.Children(Process.Splitting, parts, batch.Id, actor.Id, actor.City, command.OccurredAt));
        }
    }

    public static class SplitBatchEndpoint
    {
        public static void MapSplitBatch(this RouteGroupBuilder batches) =>
            batches.MapPost("/{id:guid}/splitting", Handle)
                .WithName("SplitBatch")
                .WithSummary("Split a batch into parts of the same category")
                .WithDescription("The holder divides all that remains of the batch into two or more new batches of the same category (to sell or send part of it). Part masses must add up to the remaining mass within the mass-balance tolerance (default 0.5%), and unit counts exactly. The batch ends as 'transformed'. Accepts Idempotency-Key and If-Match: <version>.")
                .DeclaresBatchWrite<BatchTransformedResponse>();

        static Task<IResult> Handle(Guid id, SplitBatchRequest request, HttpContext http, IMessageBus bus) =>
            BatchWrite.SendAsync(bus, http, $"split:{id}", request,
                (by, expected) => SplitBatchDecision.Validate(id, request, by, expected), (c, key) => c with { Idempotency = key });
    }

    public static class SplitBatchHandler
    {
        public static async Task<WriteOutcome> Handle(
            SplitBatch command, IDocumentSession session, IMessageContext bus, Categories categories, IClock clock, IOptions<TraceabilityOptions> options,
            IOptions<JsonOptions> json, CancellationToken ct)
        {
            var (actor, refusal) = await BatchActor.LoadAsync(session, command.By, ct);
            if (actor is null) return refusal!;
            var now = clock.GetCurrentInstant();
            return await BatchStream.WriteAsync(session, command.Idempotency, command.BatchId, command.By, command.ExpectedVersion, now, json.Value.SerializerOptions,
                batch => SplitBatchDecision.Decide(batch, command, actor, categories.Find(batch.Category)!, now, options.Value),
                (batch, decision) => WriteOutcome.Created(
                    new BatchTransformedResponse(batch.Id, Process.Splitting, ChildView.Of(decision.Children), default, batch.Version + decision.Events.Count),
                    $"/api/batches/{decision.Children[0].BatchId}"),
                ct, after: (batch, decision) => ComplianceWatch.AfterAsync(session, bus, batch, decision, actor, categories, now, options.Value, ct));
        }
    }
}
