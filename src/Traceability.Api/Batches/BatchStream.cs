using System.Text.Json;
using JasperFx.Events;
using Marten;
using NodaTime;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>The path every write to an existing batch takes, so the rules it shares are kept in one place.</summary>
public static class BatchStream
{
    /// <summary>
    /// Replays an idempotent retry; otherwise loads the stream (404 when the batch does not exist or the
    /// caller may not see it, so existence is not leaked; 409 when If-Match names a version the batch has
    /// moved past), asks the pure decision, appends its events and remembers the response. Marten re-checks
    /// the version at commit, so a write that races this one also ends in 409.
    /// </summary>
    public static async Task<WriteOutcome> WriteAsync(
        IDocumentSession session, IdempotencyKey? idempotency, Guid batchId, string enterpriseId, long? expectedVersion,
        Instant now, JsonSerializerOptions json, Func<Batch, Decision> decide, Func<Batch, Decision, WriteOutcome> respond, CancellationToken ct,
        HeldIdentifiers? identifiers = null, Func<Batch, Decision, Task>? after = null)
    {
        if (await Idempotency.ReplayAsync(session, idempotency, ct) is { } replay) return replay;
        var stream = await session.Events.FetchForWriting<Batch>(batchId, ct);
        if (stream.Aggregate is not { } batch || !batch.IsVisibleTo(enterpriseId))
            return Refusal.NotFound($"No batch {batchId} is visible to enterprise {enterpriseId}.");
        if (expectedVersion is { } expected && expected != batch.Version)
            return Refusal.Conflict($"If-Match: the batch is at version {batch.Version}, not {expected}; read it again and retry.", "If-Match");

        var decision = decide(batch);
        if (decision.Refusal is not null) return decision.Refusal;
        stream.AppendMany(decision.Events);
        StartChildren(session, decision, identifiers ?? HeldIdentifiers.None);
        if (after is not null) await after(batch, decision);
        var outcome = respond(batch, decision);
        Idempotency.Remember(session, idempotency, outcome, now, json);
        return outcome;
    }

    /// <summary>Each child of a transformation is a stream of its own, starting with the event that names its parents.</summary>
    public static void StartChildren(IDocumentSession session, Decision decision, HeldIdentifiers identifiers)
    {
        foreach (var child in decision.Children)
        {
            session.Events.StartStream<Batch>(child.BatchId, child);
            if (child.Identifier is { } identifier) identifiers.Claim(session, identifier, child.BatchId);
        }
    }

    public static IResult NotFoundFor(Guid batchId) => Refusal.NotFound($"No batch {batchId} is visible to this caller.").ToResult();
}
