using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Compliance.Rules;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.ReferenceData.Caching;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;
using Wolverine.Attributes;

namespace Traceability.Batches;

/// <summary>
/// The one path every batch command takes from its Wolverine message to stored events, in named steps:
/// replay, load, check visibility and version, decide, append, remember. What follows the events
/// (compliance rules, deadlines) is not called from here: Marten forwards the committed events to
/// Wolverine handlers (<c>UseFastEventForwarding</c>), so every rule sees every event whatever command made it.
/// Wolverine's transactional middleware commits the events, the inline <see cref="Batch"/> snapshots, the
/// identifier claims, the idempotency record and the forwarded events' outbox rows in one transaction.
/// </summary>
[WolverineHandler]
public static class BatchPipeline
{
    public static Task<WriteOutcome> Handle(
        RunBatchCommand run, IDocumentSession session, IMessageContext bus, Rulebook rules, ReferenceCache references, IOptions<JsonOptions> json,
        CancellationToken ct) =>
        RunAsync(run, session, bus, rules, references, rules.Now, json.Value.SerializerOptions, null, ct);

    /// <summary>
    /// The steps, for one command; <paramref name="pending"/> carries the batches earlier commands of the same
    /// transaction wrote (an EPCIS capture), so a later command reads them as they now stand rather than as stored.
    /// </summary>
    internal static async Task<WriteOutcome> RunAsync(
        RunBatchCommand run, IDocumentSession session, IMessageContext bus, Rulebook rules, ReferenceCache references, Instant now,
        System.Text.Json.JsonSerializerOptions json, PendingBatches? pending, CancellationToken ct)
    {
        var (categories, options) = (rules.Categories, rules.Options);
        if (await ReplayAsync(session, run, ct) is { } replay) return replay;
        var command = run.Command;
        var (actor, unregistered) = await BatchActor.LoadAsync(session, command.By, references, ct);
        if (actor is null) return unregistered!;
        var (streams, refusal) = await FetchTargetsAsync(session, command, pending, ct);
        if (refusal is not null) return refusal;
        if (command.ChosenId is { } chosen && (pending?.IsTaken(chosen) ?? await session.Events.FetchStreamStateAsync(chosen, ct) is not null))
            return Refusal.Conflict($"id: a batch {chosen} already exists; choose another id, or leave the choice to the service.", "id");
        var context = await LoadContextAsync(session, command, actor, streams, categories, references, now, options, pending, ct);

        var decision = command.Decide(context);
        if (decision.Refusal is not null)
        {
            await KeepEvidenceAsync(bus, decision);
            return decision.Refusal;
        }
        Append(session, streams, decision, pending);
        await Deadlines.ScheduleAsync(bus, decision.Events, context, rules);
        foreach (var use in decision.Uses) Licensing.LicenceUsage.Add(session, use);
        var outcome = command.Respond(context, decision);
        Idempotency.Remember(session, run.Idempotency, outcome, context.Now, json);
        return outcome;
    }

    /// <summary>Step 1: a retry with a key already answered gets the first answer and appends nothing.</summary>
    static Task<WriteOutcome?> ReplayAsync(IDocumentSession session, RunBatchCommand run, CancellationToken ct) =>
        Idempotency.ReplayAsync(session, run.Idempotency, ct);

    /// <summary>
    /// Steps 2 and 3: every target is fetched for writing, so a write that races this one on any of them ends
    /// in 409 at commit. A batch the actor may not see is a 404, so its existence is not leaked; a stale
    /// If-Match is a 409.
    /// </summary>
    static async Task<(IReadOnlyList<Target> Streams, Refusal? Refusal)> FetchTargetsAsync(
        IDocumentSession session, IBatchCommand command, PendingBatches? pending, CancellationToken ct)
    {
        var streams = new List<Target>();
        foreach (var id in command.Targets)
        {
            Target? target = null;
            if (pending?.Find(id) is { } written) target = written;
            // No batch has the empty id (a merge names its batches in the body), and Marten refuses to fetch it.
            else if (id != Guid.Empty && await session.Events.FetchForWriting<Batch>(id, ct) is { Aggregate: { } stored } stream)
                target = new Target(id, stored, stream);
            if (target is null || !Visibility.MayAct(command.By, target.Aggregate))
                return ([], Refusal.NotFound($"No batch {id} is visible to enterprise {command.By}."));
            pending?.Fetched(target);
            streams.Add(target);
        }
        if (command.ExpectedVersion is { } expected && streams.Count > 0 && streams[0].Aggregate.Version != expected)
            return ([], Refusal.Conflict($"If-Match: the batch is at version {streams[0].Aggregate.Version}, not {expected}; read it again and retry.", "If-Match"));
        return (streams, null);
    }

    /// <summary>Step 2, continued: what else the decision declared it reads.</summary>
    static async Task<BatchContext> LoadContextAsync(
        IDocumentSession session, IBatchCommand command, BatchActor actor, IReadOnlyList<Target> streams, Categories categories, ReferenceCache references,
        Instant now, TraceabilityOptions options, PendingBatches? pending, CancellationToken ct)
    {
        var counterparty = command.Counterparty is { } other ? (await BatchActor.LoadAsync(session, other, references, ct)).Actor : null;
        var held = await HeldIdentifiers.LoadAsync(session, command.Claims, ct);
        IReadOnlyList<StoredEvent> history = command.ReadsHistory && streams.Count > 0
            ? [.. (await session.Events.FetchStreamAsync(streams[0].Id, token: ct)).Select(e => new StoredEvent(e.Version, e.Data)), .. pending?.EventsOf(streams[0].Id) ?? []]
            : [];
        return new BatchContext([.. streams.Select(s => s.Aggregate)], actor, counterparty, held, history, categories, now, options);
    }

    /// <summary>
    /// Step 5: each event goes to the stream of the batch it names; a batch not among the targets is a new
    /// stream (a registration, an output, a lot), and the identifier it carries is claimed with it.
    /// </summary>
    static void Append(IDocumentSession session, IReadOnlyList<Target> streams, Decision decision, PendingBatches? pending)
    {
        var targets = streams.ToDictionary(s => s.Id);
        foreach (var e in decision.Events)
        {
            Metrics.EventsAppended.Add(1, new KeyValuePair<string, object?>("type", e.GetType().Name));
            var batchId = ((IBatchFact)e).BatchId;
            if (targets.TryGetValue(batchId, out var target))
            {
                if (target.Stream is { } stream) stream.AppendOne(e);
                else session.Events.Append(batchId, e);
            }
            else if (pending?.Find(batchId) is not null) session.Events.Append(batchId, e);
            else
            {
                session.Events.StartStream<Batch>(batchId, e);
                if (e is BatchGenerated { Identifier: { } generated }) HeldIdentifiers.Claim(session, generated, batchId);
                if (e is BatchDerived { Identifier: { } derived }) HeldIdentifiers.Claim(session, derived, batchId);
            }
            pending?.Appended(batchId, e);
        }
    }

    /// <summary>A refusal writes nothing of the command; the evidence a rule reads goes out through the outbox, to be kept on its own stream.</summary>
    static async Task KeepEvidenceAsync(IMessageContext bus, Decision decision)
    {
        foreach (var e in decision.Evidence ?? []) await bus.PublishAsync(new KeepClaimRefusal(e));
    }
}
