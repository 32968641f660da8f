using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Receiving;

/// <summary>Body of POST /api/batches/{id}/dispatches/{manifestId}/receipt.</summary>
/// <param name="MassKg">Mass weighed at arrival, in kilograms.</param>
/// <param name="OccurredAt">When the batch was received (ISO 8601 instant).</param>
public sealed record ReceiveBatchRequest(decimal? MassKg, Instant? OccurredAt)
{
    public (ReceiveBatch? Command, Refusal? Refusal) Validate(Guid batchId, Guid manifestId, string by, long? expectedVersion)
    {
        var errors = new FieldErrors().Require(MassKg, "massKg").Require(OccurredAt, "occurredAt");
        if (MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add("massKg", massRule);
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new ReceiveBatch(batchId, manifestId, by, new Mass(MassKg!.Value), OccurredAt!.Value, expectedVersion), null);
    }
}

public sealed record ReceiveBatch(Guid BatchId, Guid ManifestId, string By, Mass MassKg, Instant OccurredAt, long? ExpectedVersion) : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => [BatchId];

    public Decision Decide(BatchContext c) => ReceiveBatchDecision.Decide(c.Batch, this, c.Actor, c.Category, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision)
    {
        var discrepancy = decision.Events.OfType<ReceiptDiscrepancyRecorded>().SingleOrDefault();
        return WriteOutcome.Ok(new BatchReceivedResponse(BatchId, ManifestId, By, MassKg, discrepancy is not null, discrepancy?.DifferenceKg, c.VersionAfter(decision)));
    }
}

public sealed record BatchReceivedResponse(Guid BatchId, Guid ManifestId, string Holder, Mass MassKg, bool Discrepancy, Mass? DifferenceKg, long Version);

public static class ReceiveBatchDecision
{
    /// <summary>
    /// Custody passes to the addressee and the batch takes the weighed mass. A weighed mass further from
    /// the dispatched mass than the tolerance also records a discrepancy, so the loss or gain in transit stays visible.
    /// </summary>
    public static Decision Decide(
        Batch batch, ReceiveBatch command, BatchActor receiver, Category category, Instant now, TraceabilityOptions options)
    {
        var (open, refusal) = batch.OpenManifestAddressedTo(command.ManifestId, command.By, "confirm receipt of");
        if (open is not { } manifest) return refusal!;
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, manifest.DispatchedAt, "the dispatch") is { } rule)
            return Refusal.Invalid("occurredAt", rule);
        // Checked again at receipt: a licence can lapse or be revoked while the batch is on the road.
        var permit = receiver.Licences.Permit(Licensing.Operation.Receive, category, batch.WasteCode, command.MassKg.Kilograms, command.OccurredAt, options.Licensing);
        if (permit.Refusal is { } unlicensed) return unlicensed;

        var received = new BatchReceived(batch.Id, manifest.ManifestId, command.By, receiver.City, command.MassKg, command.OccurredAt);
        if (command.MassKg.PercentOff(manifest.MassKg) <= options.ReceiptTolerancePercent) return Decision.Of(received).Under(permit);
        return Decision.Of(received, new ReceiptDiscrepancyRecorded(batch.Id, manifest.ManifestId, command.By, manifest.MassKg, command.MassKg,
            command.MassKg - manifest.MassKg, options.ReceiptTolerancePercent, command.OccurredAt)).Under(permit);
    }
}

public sealed class ReceiveBatchEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/dispatches/{manifestId:guid}/receipt", Handle)
            .WithName("ReceiveBatch")
            .WithSummary("Confirm receipt of a dispatched batch")
            .WithDescription("The addressee confirms receipt with the weighed mass; custody passes to it. A weighed mass beyond the tolerance (default 1%) of the dispatched mass also records a discrepancy. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<BatchReceivedResponse>(StatusCodes.Status200OK);

    static Task<IResult> Handle(Guid id, Guid manifestId, ReceiveBatchRequest request, HttpContext http, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"receive:{id}:{manifestId}", request, (by, expected) => request.Validate(id, manifestId, by, expected));
}
