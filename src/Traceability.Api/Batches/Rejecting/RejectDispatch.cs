using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches.Rejecting;

/// <summary>Body of POST /api/batches/{id}/dispatches/{manifestId}/rejection.</summary>
/// <param name="Reason">Why the addressee refuses the batch.</param>
/// <param name="OccurredAt">When it was refused; the server's clock when omitted.</param>
public sealed record RejectDispatchRequest(string? Reason, Instant? OccurredAt);

public sealed record RejectDispatch(
    Guid BatchId, Guid ManifestId, string By, string Reason, Instant? OccurredAt, long? ExpectedVersion, IdempotencyKey? Idempotency);

public sealed record DispatchRejectedResponse(Guid BatchId, Guid ManifestId, string Holder, long Version);

public static class RejectDispatchDecision
{
    public const int MaxReasonLength = 500;

    public static (RejectDispatch? Command, Refusal? Refusal) Validate(Guid batchId, Guid manifestId, RejectDispatchRequest request, string by, long? expectedVersion)
    {
        var errors = new FieldErrors().Require(request.Reason, "reason");
        if (request.Reason is { Length: > MaxReasonLength }) errors.Add("reason", $"must be at most {MaxReasonLength} characters");
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new RejectDispatch(batchId, manifestId, by, request.Reason!.Trim(), request.OccurredAt, expectedVersion, null), null);
    }

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

public static class RejectDispatchEndpoint
{
    public static void MapRejectDispatch(this RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/dispatches/{manifestId:guid}/rejection", Handle)
            .WithName("RejectDispatch")
            .WithSummary("Refuse a dispatched batch")
            .WithDescription("The addressee refuses the batch with a reason; custody stays with the sender, who may dispatch it again. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<DispatchRejectedResponse>(StatusCodes.Status200OK);

    static Task<IResult> Handle(Guid id, Guid manifestId, RejectDispatchRequest request, HttpContext http, IMessageBus bus) =>
            BatchWrite.SendAsync(bus, http, $"reject:{id}:{manifestId}", request,
                (by, expected) => RejectDispatchDecision.Validate(id, manifestId, request, by, expected), (c, key) => c with { Idempotency = key });
}

public static class RejectDispatchHandler
{
    public static async Task<WriteOutcome> Handle(
        RejectDispatch command, IDocumentSession session, IClock clock, IOptions<TraceabilityOptions> options, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        return await BatchStream.WriteAsync(session, command.Idempotency, command.BatchId, command.By, command.ExpectedVersion, now, json.Value.SerializerOptions,
            batch => RejectDispatchDecision.Decide(batch, command, now, options.Value),
            (batch, decision) => WriteOutcome.Ok(new DispatchRejectedResponse(batch.Id, command.ManifestId, batch.Holder, batch.Version + decision.Events.Count)), ct);
    }
}
