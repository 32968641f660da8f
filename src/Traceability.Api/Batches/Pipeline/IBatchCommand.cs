using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;

namespace Traceability.Batches;

/// <summary>
/// A batch command as the one pipeline (<see cref="BatchPipeline"/>) runs it. A slice declares what its
/// decision needs loaded, decides purely from the loaded context, and says what to answer.
/// </summary>
public interface IBatchCommand
{
    /// <summary>The acting enterprise (from the caller's key).</summary>
    string By { get; }

    /// <summary>The existing batches it writes to, fetched for writing; empty when it only starts new batches.</summary>
    IReadOnlyList<Guid> Targets { get; }

    /// <summary>If-Match: the version the caller last saw of the first target.</summary>
    long? ExpectedVersion => null;

    /// <summary>Identifiers the command gives to new batches: their claims are loaded so the decision can refuse a held one.</summary>
    IEnumerable<UnitIdentifier> Claims => [];

    /// <summary>Another enterprise the decision judges (a dispatch's addressee), loaded with its licences.</summary>
    string? Counterparty => null;

    /// <summary>A new batch's id the client chose (a registration naming its id): checked free before deciding, so a taken one is a 409 naming it.</summary>
    Guid? ChosenId => null;

    /// <summary>Whether the decision reads the first target's stored events (a correction names one by version).</summary>
    bool ReadsHistory => false;

    Decision Decide(BatchContext c);

    /// <summary>The response to a decision that was not refused.</summary>
    WriteOutcome Respond(BatchContext c, Decision decision);
}

/// <summary>A command on its way through the pipeline, with the Idempotency-Key its request carried.</summary>
public sealed record RunBatchCommand(IBatchCommand Command, IdempotencyKey? Idempotency);

/// <summary>One stored event of a batch with its version, as a correction reads the history.</summary>
public sealed record StoredEvent(long Version, object Data);

/// <summary>Everything a decision may read, loaded by the pipeline before it decides.</summary>
/// <param name="Batches">The targets, in the command's order.</param>
/// <param name="Counterparty">The counterparty, or null when it is not a registered enterprise.</param>
public sealed record BatchContext(
    IReadOnlyList<Batch> Batches,
    BatchActor Actor,
    BatchActor? Counterparty,
    HeldIdentifiers Held,
    IReadOnlyList<StoredEvent> History,
    Categories Categories,
    Instant Now,
    TraceabilityOptions Options)
{
    /// <summary>The first target: the batch a single-batch command acts on.</summary>
    public Batch Batch => Batches[0];

    public Category Category => Categories.Find(Batch.Category)!;

    /// <summary>The first target's version once the decision's events on it are appended: what the response reports.</summary>
    public long VersionAfter(Decision decision) => Batch.Version + decision.Events.OfType<IBatchFact>().Count(e => e.BatchId == Batch.Id);
}
