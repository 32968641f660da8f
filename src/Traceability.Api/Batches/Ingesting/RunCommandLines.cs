using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.ReferenceData;
using Traceability.ReferenceData.Caching;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;
using Wolverine.Attributes;

namespace Traceability.Batches.Ingesting;

/// <summary>A chunk of a bulk ingest's lines, to run in one transaction.</summary>
public sealed record RunCommandLines(IReadOnlyList<CommandLine> Lines);

/// <summary>What each line of the chunk answered, in order.</summary>
public sealed record CommandLinesOutcome(IReadOnlyList<WriteOutcome> Outcomes);

/// <summary>
/// Runs a chunk's lines in order through <see cref="BatchPipeline"/>, in one transaction: a later line reads what an
/// earlier one wrote (<see cref="PendingBatches"/>). A refused line appends nothing, so the others commit without it;
/// Wolverine's transactional middleware commits the chunk's events, snapshots, idempotency records and outbox together.
/// </summary>
[WolverineHandler]
public static class CommandLinesHandler
{
    public static async Task<CommandLinesOutcome> Handle(
        RunCommandLines run, IDocumentSession session, IMessageContext bus, Compliance.Rules.Rulebook rules, ReferenceCache references,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        var now = rules.Now;
        var pending = new PendingBatches();
        // The ids the chunk's registrations chose, checked free in one query rather than one round trip a line.
        var chosen = run.Lines.Select(l => l.Command.ChosenId).OfType<Guid>().ToArray();
        if (chosen.Length > 0)
        {
            var taken = await session.QueryAsync<Guid>($"select id from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = any(?)", ct, chosen);
            pending.KnownFree(chosen.Except(taken));
        }
        await PrefetchAsync(session, run.Lines, chosen, pending, ct);
        var outcomes = new List<WriteOutcome>(run.Lines.Count);
        // A key answered earlier in this chunk is not stored yet, so the pipeline's replay cannot read it: answered from here.
        var answered = new Dictionary<string, (string Hash, WriteOutcome Outcome)>(StringComparer.Ordinal);
        foreach (var line in run.Lines)
        {
            if (line.Key is { } key && answered.TryGetValue(key.Id, out var earlier))
            {
                outcomes.Add(earlier.Hash == key.RequestHash ? earlier.Outcome with { Replayed = true } : Idempotency.Reused);
                continue;
            }
            var outcome = await BatchPipeline.RunAsync(new RunBatchCommand(line.Command, line.Key), session, bus, rules, references, now, json.Value.SerializerOptions, pending, ct);
            if (line.Key is { } first && outcome.Succeeded) answered[first.Id] = (first.RequestHash, outcome);
            outcomes.Add(outcome);
        }
        return new CommandLinesOutcome(outcomes);
    }

    /// <summary>
    /// Every stored batch the chunk's lines act on, fetched for writing in one round trip (Marten's batched query) rather
    /// than two a line in sequence. The pipeline then finds them among the pending batches; its visibility and If-Match
    /// checks are the same, and Marten checks each stream's version at commit as for a single fetch. Batches the chunk
    /// registers itself are left out: they do not exist yet.
    /// </summary>
    static async Task PrefetchAsync(IDocumentSession session, IReadOnlyList<CommandLine> lines, Guid[] chosen, PendingBatches pending, CancellationToken ct)
    {
        var ids = lines.SelectMany(l => l.Command.Targets).Where(id => id != Guid.Empty).Except(chosen).Distinct().ToList();
        if (ids.Count < 2) return;
        var batch = session.CreateBatchQuery();
        var fetches = ids.Select(id => (Id: id, Fetch: batch.Events.FetchForWriting<Batch>(id))).ToList();
        await batch.Execute(ct);
        foreach (var (id, fetch) in fetches)
            if (await fetch is { Aggregate: { } stored } stream) pending.Fetched(new Target(id, stored, stream));
    }
}
