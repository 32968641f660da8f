using NodaTime;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Rejecting;

/// <summary>Body of POST /api/batches/{id}/dispatches/{manifestId}/rejection.</summary>
/// <param name="Reason">Why the addressee refuses the batch.</param>
/// <param name="OccurredAt">When it was refused; the server's clock when omitted.</param>
public sealed record RejectDispatchRequest(string? Reason, Instant? OccurredAt)
{
    public const int MaxReasonLength = 500;

    public (RejectDispatch? Command, Refusal? Refusal) Validate(Guid batchId, Guid manifestId, string by, long? expectedVersion)
    {
        var errors = new FieldErrors().Require(Reason, "reason");
        if (Reason is { Length: > MaxReasonLength }) errors.Add("reason", $"must be at most {MaxReasonLength} characters");
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new RejectDispatch(batchId, manifestId, by, Reason!.Trim(), OccurredAt, expectedVersion), null);
    }
}

public sealed record RejectDispatch(Guid BatchId, Guid ManifestId, string By, string Reason, Instant? OccurredAt, long? ExpectedVersion) : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => [BatchId];

    public Decision Decide(BatchContext c) => RejectDispatchDecision.Decide(c.Batch, this, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision) =>
        WriteOutcome.Ok(new DispatchRejectedResponse(BatchId, ManifestId, c.Batch.Holder, c.VersionAfter(decision)));
}

public sealed record DispatchRejectedResponse(Guid BatchId, Guid ManifestId, string Holder, long Version);

public static class RejectDispatchDecision
{
    /// <summary>Only the addressee refuses an open dispatch; custody stays with the sender.</summary>
    public static Decision Decide(Batch batch, RejectDispatch command, Instant now, TraceabilityOptions options)
    {
        var (open, refusal) = batch.OpenManifestAddressedTo(command.ManifestId, command.By, "reject");
        if (open is not { } manifest) return refusal!;
        var occurredAt = command.OccurredAt ?? now;
        if (ReportedMoment.Check(occurredAt, now, options.MaxFutureSkew, manifest.DispatchedAt, "the dispatch") is { } rule)
            return Refusal.Invalid("occurredAt", rule);
        return Decision.Of(new DispatchRejected(batch.Id, manifest.ManifestId, command.By, command.Reason, occurredAt));
    }
}

public sealed class RejectDispatchEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/dispatches/{manifestId:guid}/rejection", Handle)
            .WithName("RejectDispatch")
            .WithSummary("Refuse a dispatched batch")
            .WithDescription("The addressee refuses the batch with a reason; custody stays with the sender, who may dispatch it again. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<DispatchRejectedResponse>(StatusCodes.Status200OK);

    static Task<IResult> Handle(Guid id, Guid manifestId, RejectDispatchRequest request, HttpContext http, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"reject:{id}:{manifestId}", request, (by, expected) => request.Validate(id, manifestId, by, expected));
}
