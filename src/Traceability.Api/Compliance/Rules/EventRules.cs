using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Batches;
using Traceability.Enterprises;
using Traceability.Hosting;
using Traceability.Licensing;
using Traceability.Provenance;
using Traceability.ReferenceData;
using Traceability.Settings;
using Wolverine.Attributes;

namespace Traceability.Compliance.Rules;

/// <summary>
/// The rules raised by the events themselves. Marten forwards every committed event that has a handler here
/// to Wolverine through its outbox (<c>UseFastEventForwarding</c>), whatever command appended it, so a rule
/// cannot be forgotten by a slice. Each handler runs in its own transaction after the events' commit, on a
/// durable local queue (retried, and run after a restart). The batch it loads is the committed state.
/// </summary>
[WolverineHandler]
public static class EventRules
{
    public static async Task Handle(IEvent<ReceiptDiscrepancyRecorded> e, IDocumentSession session, Rulebook rules, CancellationToken ct)
    {
        var x = e.Data;
        if (!rules.Compliance.Enabled(AlertRule.ReceiptDiscrepancy) || await session.LoadAsync<Batch>(x.BatchId, ct) is not { } batch) return;
        var history = await session.Events.FetchStreamAsync(x.BatchId, token: ct);
        var sender = history.Select(h => h.Data).OfType<BatchDispatched>().LastOrDefault(d => d.ManifestId == x.ManifestId)?.From ?? batch.Holder;
        var city = (await session.LoadAsync<Enterprise>(x.By, ct))?.City ?? batch.City;
        await Alerts.RaiseAsync(session, $"receipt-discrepancy:{x.ManifestId}:{x.WeighedKg.Kilograms}", AlertRule.ReceiptDiscrepancy, x.BatchId,
            [x.By, sender], city, [.. batch.Cities, city],
            $"Dispatched {x.SentKg}, weighed {x.WeighedKg} at receipt: {x.DifferenceKg} ({x.WeighedKg.PercentOff(x.SentKg):0.##}%), beyond the {x.TolerancePercent}% tolerance.",
            x.OccurredAt, rules.Now, ct);
    }

    public static async Task Handle(IEvent<BatchReceived> e, IDocumentSession session, Rulebook rules, CancellationToken ct)
    {
        await LicenceRulesAsync(session, e, Operation.Receive, rules, ct);
        await UploadDeadlines.CheckAsync(session, e, "receipt", rules, ct);
    }

    public static Task Handle(IEvent<BatchSorted> e, IDocumentSession session, Rulebook rules, CancellationToken ct) =>
        LicenceRulesAsync(session, e, Operation.Sort, rules, ct);

    public static async Task Handle(IEvent<BatchDismantled> e, IDocumentSession session, Rulebook rules, CancellationToken ct)
    {
        await LicenceRulesAsync(session, e, Operation.Dismantle, rules, ct);
        await UploadDeadlines.CheckAsync(session, e, "dismantling", rules, ct);
    }

    public static async Task Handle(IEvent<FateRecorded> e, IDocumentSession session, Rulebook rules, CancellationToken ct)
    {
        await LicenceRulesAsync(session, e, Statute.For(e.Data.Fate), rules, ct);
        await UploadDeadlines.CheckAsync(session, e, EnumNames.Of(e.Data.Fate), rules, ct);
        if (e.Data.Fate is Fate.Disposal or Fate.EnergyRecovery && rules.Compliance.Enabled(AlertRule.LeftChainUnrecycled))
            await UnrecycledAsync(session, e.Data, rules, ct);
    }

    /// <summary>
    /// Refused claims of a taken identifier, kept on the identifier's stream. A code whose batch is no more (dismantled,
    /// recycled, merged, ended) coming back is a clone: alerted at once. Claims of a code a live batch holds are
    /// counted; the Nth raises the alert (a double registration is often a slip).
    /// </summary>
    public static async Task Handle(IEvent<IdentifierClaimRefused> e, IDocumentSession session, Rulebook rules, CancellationToken ct)
    {
        if (e.Data.HolderStatus is BatchStatus.Transformed or BatchStatus.Merged or BatchStatus.Ended)
        {
            if (!rules.Compliance.Enabled(AlertRule.ReusedIdentifier)) return;
            var holderBatch = await session.LoadAsync<Batch>(e.Data.HeldBy, ct);
            await Alerts.RaiseAsync(session, $"reused-identifier:{e.Data.Identifier}", AlertRule.ReusedIdentifier, e.Data.HeldBy, [e.Data.By, .. holderBatch?.Custodians ?? []],
                e.Data.City, [.. holderBatch?.Cities ?? [], e.Data.City],
                $"{e.Data.By} registered {e.Data.Identifier}, which belongs for life to batch {e.Data.HeldBy} ({EnumNames.Of(e.Data.HolderStatus.Value)}, last held by {holderBatch?.Holder}): a cloned or re-used code.",
                e.Data.At, rules.Now, ct);
            return;
        }
        if (!rules.Compliance.Enabled(AlertRule.RepeatedIdentifier)) return;
        // Counted from the stream as stored, not from the forwarded event's version: Quick appends forward it before the database numbers it.
        var attempts = (await session.Events.FetchStreamAsync(e.StreamId, token: ct)).Select(a => a.Data).OfType<IdentifierClaimRefused>().ToList();
        if (attempts.Count < rules.Compliance.RepeatedIdentifierAttempts) return;
        var by = attempts.Select(a => a.By).Distinct().ToList();
        var holder = await session.LoadAsync<Batch>(e.Data.HeldBy, ct);
        await Alerts.RaiseAsync(session, $"repeated-identifier:{e.Data.Identifier}", AlertRule.RepeatedIdentifier, e.Data.HeldBy, by, e.Data.City,
            [.. holder?.Cities ?? [], .. attempts.Select(a => a.City)],
            $"{attempts.Count} refused registrations of {e.Data.Identifier}, held by live batch {e.Data.HeldBy}, by {string.Join(", ", by)}.", e.Data.At, rules.Now, ct);
    }

    /// <summary>The two licence rules an operation is judged by after its commit: a licence lapsed by the day it was recorded, and a yearly scale passed.</summary>
    static async Task LicenceRulesAsync<T>(IDocumentSession session, IEvent<T> e, Operation op, Rulebook rules, CancellationToken ct) where T : IBatchFact
    {
        var fact = e.Data;
        if (await session.LoadAsync<Batch>(fact.BatchId, ct) is not { } batch || await session.LoadAsync<Enterprise>(fact.ActedBy, ct) is not { } actor) return;
        var category = rules.Categories.Find(batch.Category)!;
        if (rules.Options.Licensing.Requires(op, category) is null) return;
        var licences = await LicenceBook.LoadAsync(session, actor.Id, null, ct);
        await LapsedLicenceAsync(session, e, op, batch, category, actor, licences, rules, ct);
        await ScaleExceededAsync(session, fact, batch, actor, licences, rules, ct);
    }

    /// <summary>
    /// The operation's date was licensed (the decision checked it), but no licence covers the day it was
    /// recorded: a late report or a revocation in between let it in.
    /// </summary>
    static async Task LapsedLicenceAsync<T>(
        IDocumentSession session, IEvent<T> e, Operation op, Batch batch, Category category, Enterprise actor, LicenceBook licences, Rulebook rules,
        CancellationToken ct) where T : IBatchFact
    {
        var fact = e.Data;
        var recorded = ChinaTime.DateOf(rules.RecordedAt(e));
        if (!rules.Compliance.Enabled(AlertRule.RecordedAfterLicenceExpiry) || licences.Permits(op, category, batch.WasteCode, recorded, rules.Options.Licensing)) return;
        var doing = EnumNames.Of(op);
        await Alerts.RaiseAsync(session, $"recorded-after-licence-expiry:{fact.BatchId}:{typeof(T).Name}:{fact.OccurredAt}", AlertRule.RecordedAfterLicenceExpiry,
            fact.BatchId, [actor.Id], actor.City, [.. batch.Cities, actor.City],
            $"{actor.Id} reported on {recorded:yyyy-MM-dd} an operation ({doing}, {category.Code}) dated {ChinaTime.DateOf(fact.OccurredAt):yyyy-MM-dd}; its licence to {doing} {category.Group} no longer covers the day it was recorded.",
            fact.OccurredAt, rules.Now, ct);
    }

    /// <summary>
    /// A licence whose year-to-date mass is past its approved yearly scale: accepted on purpose (the deployment
    /// alerts rather than refuses) or let through by two operations racing under one licence. Once per licence and year.
    /// </summary>
    static async Task ScaleExceededAsync(
        IDocumentSession session, IBatchFact fact, Batch batch, Enterprise actor, LicenceBook licences, Rulebook rules, CancellationToken ct)
    {
        if (!rules.Compliance.Enabled(AlertRule.LicenceScaleExceeded)) return;
        var year = ChinaTime.DateOf(fact.OccurredAt).Year;
        foreach (var licence in licences.Licences)
        {
            var used = licences.YearToDateKg(licence.Id, year);
            if (used <= licence.CapacityTonnesPerYear * 1000m) continue;
            await Alerts.RaiseAsync(session, $"licence-scale-exceeded:{licence.Id}:{year}", AlertRule.LicenceScaleExceeded, fact.BatchId, [actor.Id], actor.City,
                [.. batch.Cities, actor.City],
                $"{actor.Id} has used {licence.Describe()} for {used / 1000m:0.###} t in {year}, past its approved scale of {licence.CapacityTonnesPerYear:0.###} t.",
                fact.OccurredAt, rules.Now, ct);
        }
    }

    /// <summary>Disposal or burning of a power battery or hazardous batch none of whose holders, nor its ancestors' holders, was licensed to recycle it.</summary>
    static async Task UnrecycledAsync(IDocumentSession session, FateRecorded fate, Rulebook rules, CancellationToken ct)
    {
        if (await session.LoadAsync<Batch>(fate.BatchId, ct) is not { } batch) return;
        var category = rules.Categories.Find(batch.Category)!;
        // The two kinds the law sends to a licensed recycler or utilizer before anything is burnt or buried.
        if (!category.Hazardous && category.Group != CategoryGroups.PowerBattery) return;
        var lineage = await Lineage.AncestorsAsync(session, batch, ct);
        var holders = lineage.Nodes.Values.SelectMany(b => b.Custodians).Distinct().ToArray();
        var held = await session.Query<Licence>().Where(l => l.EnterpriseId.IsOneOf(holders)).ToListAsync(ct);
        var day = ChinaTime.DateOf(fate.OccurredAt);
        if (held.Any(l => l.Covers(day) && Statute.Permits(l, Operation.Recycle, category, batch.WasteCode))) return;
        await Alerts.RaiseAsync(session, $"left-chain-unrecycled:{fate.FateId}", AlertRule.LeftChainUnrecycled, batch.Id, [.. holders], fate.City, [.. batch.Cities, fate.City],
            $"{fate.MassKg} of {category.Code} went to {EnumNames.Of(fate.Fate)} by {fate.By}; none of its holders ({string.Join(", ", holders)}) held a licence to recycle {category.Group}.",
            fate.OccurredAt, rules.Now, ct);
    }

}

/// <summary>What every rule reads: the catalog, the settings, and the moment it runs.</summary>
public sealed class Rulebook(Categories categories, IOptions<TraceabilityOptions> options, IOptions<ComplianceOptions> compliance, IClock clock, WorkingDays workingDays)
{
    public Categories Categories => categories;
    public WorkingDays WorkingDays => workingDays;
    public TraceabilityOptions Options => options.Value;
    public ComplianceOptions Compliance => compliance.Value;
    public Instant Now => clock.GetCurrentInstant();

    /// <summary>When Marten recorded the event (its own timestamp), so a rule judges the moment of the report, not the moment the handler ran.</summary>
    public Instant RecordedAt(IEvent e) => e.Timestamp == default ? Now : Instant.FromDateTimeOffset(e.Timestamp);

    /// <summary>The category's own limit (seeds/categories.json: medical waste 2 days, hazardous waste a year), else one configured for its group.</summary>
    public int? StorageLimitDays(Category category) =>
        category.StorageLimitDays ?? (Compliance.StorageLimitDays.TryGetValue(category.Group, out var days) ? days : null);
}
