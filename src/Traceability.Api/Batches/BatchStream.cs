using Marten;
using JasperFx.Events;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>Loads a batch stream for a write by an enterprise, keeping the rules every batch write shares.</summary>
public static class BatchStream
{
    /// <summary>
    /// The stream, or a refusal: 404 when the batch does not exist or the caller may not see it (existence is
    /// not leaked), 409 when If-Match names a version the batch has moved past. Marten re-checks the version
    /// at commit, so a write that races this one also ends in 409.
    /// </summary>
    public static async Task<(IEventStream<Batch>? Stream, Refusal? Refusal)> FetchAsync(
        IDocumentSession session, Guid batchId, string enterpriseId, long? expectedVersion, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Batch>(batchId, ct);
        if (stream.Aggregate is not { } batch || !batch.IsVisibleTo(enterpriseId))
            return (null, Refusal.NotFound($"No batch {batchId} is visible to enterprise {enterpriseId}."));
        if (expectedVersion is { } expected && expected != batch.Version)
            return (null, Refusal.Conflict($"If-Match: the batch is at version {batch.Version}, not {expected}; read it again and retry.", "If-Match"));
        return (stream, null);
    }

    public static IResult NotFoundFor(Guid batchId) => Refusal.NotFound($"No batch {batchId} is visible to this caller.").ToResult();
}
