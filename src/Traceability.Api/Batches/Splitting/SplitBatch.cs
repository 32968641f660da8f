using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Splitting;

/// <summary>One part of a split, as sent.</summary>
/// <param name="MassKg">Its mass in kilograms.</param>
/// <param name="Units">Its unit count: required for every part when the batch counts units.</param>
public sealed record SplitPartRequest(decimal? MassKg, int? Units);

/// <summary>Body of POST /api/batches/{id}/splitting.</summary>
/// <param name="Parts">At least two parts; their masses add up to what remains of the batch.</param>
/// <param name="OccurredAt">When the batch was divided (ISO 8601 instant).</param>
public sealed record SplitBatchRequest(IReadOnlyList<SplitPartRequest>? Parts, Instant? OccurredAt)
{
    public const int MaxParts = 500;

    public (SplitBatch? Command, Refusal? Refusal) Validate(Guid batchId, string by, long? expectedVersion)
    {
        var errors = new FieldErrors().Require(OccurredAt, "occurredAt");
        if (Parts is not { Count: >= 2 }) errors.Add("parts", "must list at least two parts");
        else if (Parts.Count > MaxParts) errors.Add("parts", $"must list at most {MaxParts} parts");
        for (var i = 0; i < (Parts?.Count ?? 0); i++)
        {
            var part = Parts![i];
            if (part is null)
            {
                errors.Add($"parts[{i}]", "must be a part, not null");
                continue;
            }
            errors.Require(part.MassKg, $"parts[{i}].massKg");
            if (part.MassKg is { } kg && Mass.Check(kg) is { } rule) errors.Add($"parts[{i}].massKg", rule);
            if (UnitCount.Check(part.Units) is { } unitRule) errors.Add($"parts[{i}].units", unitRule);
        }
        return errors.Any ? (null, errors.ToRefusal()) : (new SplitBatch(batchId, by, Parts!, OccurredAt!.Value, expectedVersion), null);
    }
}

/// <param name="PartIds">The parts' ids when the caller names them (an EPCIS capture keeps the ids its document gives); else new ones.</param>
public sealed record SplitBatch(Guid BatchId, string By, IReadOnlyList<SplitPartRequest> Parts, Instant OccurredAt, long? ExpectedVersion, IReadOnlyList<Guid>? PartIds = null) : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => [BatchId];

    public Decision Decide(BatchContext c) => SplitBatchDecision.Decide(c.Batch, this, c.Actor, c.Category, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision) => WriteOutcome.Created(
        new BatchTransformedResponse(BatchId, Process.Splitting, ChildView.Of(decision.Children), default, c.VersionAfter(decision)),
        $"/api/batches/{decision.Children[0].BatchId}");
}

public static class SplitBatchDecision
{
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
            if (command.Parts.Sum(p => (long)p.Units!.Value) != units)
                return Refusal.Invalid("parts", $"units add up to {command.Parts.Sum(p => (long)p.Units!.Value)}, but the batch has {units}");
        }
        else if (command.Parts.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.Units is not null) is { p: not null } counted)
            return Refusal.Invalid($"parts[{counted.i}].units", "must be absent: the batch does not count units");
        if (batch.Status == BatchStatus.Received && actor.Licences.Permit(Licensing.Operation.Receive, category, batch.WasteCode, 0m, command.OccurredAt, options.Licensing).Refusal is { } unlicensed)
            return unlicensed;
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, batch.LastOccurredAt, "the batch's previous event") is { } rule)
            return Refusal.Invalid("occurredAt", rule);
        var parts = command.Parts.Select((p, i) => new Output(command.PartIds?[i] ?? Guid.CreateVersion7(), batch.Category, new Mass(p.MassKg!.Value), p.Units, null, batch.WasteCode)).ToList();
        if (MassBalance.Check(batch.RemainingKg, parts.Select(p => p.MassKg), [], options.MassBalanceTolerancePercent, "parts") is { } unbalanced)
            return unbalanced;

        return Decision.Of(new BatchSplit(batch.Id, command.By, actor.City, batch.RemainingKg, parts, command.OccurredAt))
            .Starting(OutputRequests.Children(Process.Splitting, parts, batch, actor.Id, actor.City, command.OccurredAt, _ => false));
    }
}

public sealed class SplitBatchEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/splitting", Handle)
            .WithName("SplitBatch")
            .WithSummary("Split a batch into parts of the same category")
            .WithDescription("The holder divides all that remains of the batch into two or more new batches of the same category (to sell or send part of it). Part masses must add up to the remaining mass within the mass-balance tolerance (default 0.5%), and unit counts exactly. The batch ends as 'transformed'. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<BatchTransformedResponse>();

    static Task<IResult> Handle(Guid id, SplitBatchRequest request, HttpContext http, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"split:{id}", request, (by, expected) => request.Validate(id, by, expected));
}
