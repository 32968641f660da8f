using Traceability.Hosting;
using Marten;
using NodaTime;
using Traceability.Batches;
using Traceability.Licensing;
using Traceability.Provenance;
using Traceability.ReferenceData;
using Wolverine;

namespace Traceability.Compliance;

/// <summary>A dispatch's deadline: durable, scheduled when the dispatch is committed, run even if the service restarted in between.</summary>
public sealed record CheckTransit(Guid BatchId, Guid ManifestId);

/// <summary>A holder's storage deadline for a batch of a category group with a storage limit. The start is in Unix milliseconds: messages travel in plain JSON.</summary>
public sealed record CheckStorage(Guid BatchId, string Holder, long SinceUnixMs)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Instant Since => Instant.FromUnixTimeMilliseconds(SinceUnixMs);
}

/// <summary>Refused registrations of one identifier, for the repeated-identifier rule.</summary>
public sealed class IdentifierAttempts
{
    public string Id { get; set; } = "";
    public List<string> Enterprises { get; set; } = [];
    public List<Instant> At { get; set; } = [];
}

/// <summary>
/// The compliance rules, applied to the events a write commits (in the same transaction, so an alert
/// exists exactly when its evidence does) and to the deadlines those events set, which are durable
/// scheduled Wolverine messages rather than a poll by any client.
/// </summary>
public static class ComplianceWatch
{
    public static async Task AfterAsync(
        IDocumentSession session, IMessageBus bus, Batch? before, Decision decision, BatchActor? actor, Categories categories, Instant now,
        TraceabilityOptions options, CancellationToken ct)
    {
        var rules = options.Compliance;
        foreach (var e in decision.Events)
        {
            var category = categories.Find(before?.Category ?? (e as BatchGenerated)?.Category)!;
            switch (e)
            {
                case BatchGenerated g:
                    await ScheduleStorageAsync(bus, g.BatchId, g.Generator, g.OccurredAt, category, rules);
                    break;
                case BatchDispatched d when rules.Enabled(AlertRule.InTransitTooLong):
                    await bus.ScheduleAsync(new CheckTransit(d.BatchId, d.ManifestId), (d.OccurredAt + Duration.FromHours(rules.InTransitLimitHours)).ToDateTimeOffset());
                    break;
                case BatchReceived r:
                    await ScheduleStorageAsync(bus, r.BatchId, r.By, r.OccurredAt, category, rules);
                    await LapsedLicenceAsync(session, actor, LicenceBook.Receiving, "receive", category, r, before!, now, options, ct);
                    break;
                case ReceiptDiscrepancyRecorded x when rules.Enabled(AlertRule.ReceiptDiscrepancy):
                    await RaiseAsync(session, $"receipt-discrepancy:{x.ManifestId}:{x.WeighedKg.Kilograms}", AlertRule.ReceiptDiscrepancy, x.BatchId,
                        [x.By, before!.OpenManifest?.From ?? before.Holder], actor?.City ?? before.City, [.. before.Cities, actor?.City ?? before.City],
                        $"Dispatched {x.SentKg}, weighed {x.WeighedKg} at receipt: {x.DifferenceKg} ({x.WeighedKg.PercentOff(x.SentKg):0.##}%), beyond the {x.TolerancePercent}% tolerance.",
                        x.OccurredAt, now, ct);
                    break;
                case BatchSorted s:
                    await LapsedLicenceAsync(session, actor, [Activity.Sort], "sort", category, s, before!, now, options, ct);
                    break;
                case BatchDismantled s:
                    await LapsedLicenceAsync(session, actor, [Activity.Dismantle], "dismantle", category, s, before!, now, options, ct);
                    break;
                case FateRecorded f:
                    await LapsedLicenceAsync(session, actor, [LicenceBook.For(f.Fate)], EnumNames.Of(LicenceBook.For(f.Fate)), category, f, before!, now, options, ct);
                    if (f.Fate is Fate.Disposal or Fate.EnergyRecovery && category.AlwaysLicensed && rules.Enabled(AlertRule.LeftChainUnrecycled))
                        await UnrecycledAsync(session, before!, f, category, now, ct);
                    break;
            }
        }
        foreach (var child in decision.Children)
            await ScheduleStorageAsync(bus, child.BatchId, child.Producer, child.OccurredAt, categories.Find(child.Category)!, rules);
    }

    static async Task ScheduleStorageAsync(IMessageBus bus, Guid batchId, string holder, Instant since, Category category, ComplianceOptions rules)
    {
        if (!rules.Enabled(AlertRule.StorageTooLong) || !rules.StorageLimitDays.TryGetValue(category.Group, out var days)) return;
        await bus.ScheduleAsync(new CheckStorage(batchId, holder, since.ToUnixTimeMilliseconds()), (since + Duration.FromDays(days)).ToDateTimeOffset());
    }

    /// <summary>The operation's date was licensed (the decision checked it), but no licence covers today: a late report or correction let it in.</summary>
    static async Task LapsedLicenceAsync(
        IDocumentSession session, BatchActor? actor, IReadOnlyList<Activity> anyOf, string doing, Category category, IBatchFact fact, Batch batch,
        Instant now, TraceabilityOptions options, CancellationToken ct)
    {
        if (actor is null || !options.Compliance.Enabled(AlertRule.RecordedAfterLicenceExpiry) || !options.Licensing.Governs(category)) return;
        var today = ChinaTime.DateOf(now);
        if (actor.Licences.Covers(anyOf, category, today)) return;
        await RaiseAsync(session, $"recorded-after-licence-expiry:{fact.BatchId}:{fact.GetType().Name}:{fact.OccurredAt}", AlertRule.RecordedAfterLicenceExpiry,
            fact.BatchId, [actor.Id], actor.City, [.. batch.Cities, actor.City],
            $"{actor.Id} reported on {today:yyyy-MM-dd} an operation ({doing}, {category.Code}) dated {ChinaTime.DateOf(fact.OccurredAt):yyyy-MM-dd}; its licence to {doing} {category.Group} no longer covers the day it was recorded.",
            fact.OccurredAt, now, ct);
    }

    /// <summary>Disposal or burning of a power battery or hazardous batch none of whose holders, nor its ancestors' holders, was licensed to recycle it.</summary>
    static async Task UnrecycledAsync(IDocumentSession session, Batch batch, FateRecorded fate, Category category, Instant now, CancellationToken ct)
    {
        var lineage = await Lineage.WalkAsync(session, batch, upstream: true, downstream: false, int.MaxValue, ProvenanceEndpoints.AttributionNodeLimit, ct);
        var holders = lineage.Nodes.Values.SelectMany(b => b.Custodians).Distinct().ToArray();
        var recyclers = await session.Query<Licence>()
            .Where(l => l.EnterpriseId.IsOneOf(holders) && l.Activity == Activity.Recycle && l.CategoryGroup == category.Group).ToListAsync(ct);
        if (recyclers.Any(l => l.Covers(ChinaTime.DateOf(fate.OccurredAt)))) return;
        await RaiseAsync(session, $"left-chain-unrecycled:{fate.FateId}", AlertRule.LeftChainUnrecycled, batch.Id, [.. holders], fate.City, [.. batch.Cities, fate.City],
            $"{fate.MassKg} of {category.Code} went to {EnumNames.Of(fate.Fate)} by {fate.By}; none of its holders ({string.Join(", ", holders)}) held a licence to recycle {category.Group}.",
            fate.OccurredAt, now, ct);
    }

    /// <summary>Records a refused registration of an identifier a live batch holds; the Nth refusal raises the alert.</summary>
    public static async Task IdentifierRefusedAsync(
        IDocumentSession session, UnitIdentifier identifier, Guid heldBy, string enterprise, string city, Instant now, TraceabilityOptions options, CancellationToken ct)
    {
        var key = IdentifierClaim.KeyOf(identifier);
        var attempts = await session.LoadAsync<IdentifierAttempts>(key, ct) ?? new IdentifierAttempts { Id = key };
        attempts.Enterprises.Add(enterprise);
        attempts.At.Add(now);
        session.Store(attempts);
        if (attempts.At.Count < options.Compliance.RepeatedIdentifierAttempts || !options.Compliance.Enabled(AlertRule.RepeatedIdentifier)) return;
        var holder = await session.LoadAsync<Batch>(heldBy, ct);
        await RaiseAsync(session, $"repeated-identifier:{key}", AlertRule.RepeatedIdentifier, heldBy, [.. attempts.Enterprises.Distinct()], city,
            [.. holder?.Cities ?? [], city],
            $"{attempts.At.Count} refused registrations of {key}, held by live batch {heldBy}, by {string.Join(", ", attempts.Enterprises.Distinct())}.", now, now, ct);
    }

    public static async Task RaiseAsync(
        IDocumentSession session, string key, AlertRule rule, Guid? batchId, IEnumerable<string> enterprises, string city, IEnumerable<string> cities,
        string evidence, Instant occurredAt, Instant now, CancellationToken ct)
    {
        var id = Alert.IdOf(key);
        if (await session.LoadAsync<Alert>(id, ct) is not null) return;
        session.Insert(new Alert
        {
            Id = id, Key = key, Rule = rule, BatchId = batchId, Enterprises = [.. enterprises.Distinct()], City = city, Cities = [.. cities.Distinct()],
            Evidence = evidence, OccurredAt = occurredAt, RaisedAt = now, Status = AlertStatus.Open,
        });
    }
}

/// <summary>The deadlines, when they come: raise the alert if the batch is still where it was.</summary>
public static class ScheduledCheckHandler
{
    public static async Task Handle(CheckTransit check, IDocumentSession session, IClock clock, Microsoft.Extensions.Options.IOptions<TraceabilityOptions> options, CancellationToken ct)
    {
        var batch = await session.LoadAsync<Batch>(check.BatchId, ct);
        if (batch?.OpenManifest is not { } open || open.ManifestId != check.ManifestId) return;
        await ComplianceWatch.RaiseAsync(session, $"in-transit-too-long:{open.ManifestId}", AlertRule.InTransitTooLong, batch.Id, [open.From, open.To], batch.City,
            [.. batch.Cities, open.ToCity],
            $"Manifest {open.ManifestNumber} from {open.From} to {open.To} ({open.MassKg}{(open.VehiclePlate is null ? "" : $", vehicle {open.VehiclePlate}")}) dispatched at {open.DispatchedAt} is neither received nor rejected after {options.Value.Compliance.InTransitLimitHours} hours.",
            open.DispatchedAt + Duration.FromHours(options.Value.Compliance.InTransitLimitHours), clock.GetCurrentInstant(), ct);
    }

    public static async Task Handle(CheckStorage check, IDocumentSession session, IClock clock, Categories categories, Microsoft.Extensions.Options.IOptions<TraceabilityOptions> options, CancellationToken ct)
    {
        var batch = await session.LoadAsync<Batch>(check.BatchId, ct);
        if (batch is null || !batch.IsLive || batch.OpenManifest is not null || batch.Holder != check.Holder || batch.StoredSince != check.Since) return;
        var group = categories.Find(batch.Category)!.Group;
        var days = options.Value.Compliance.StorageLimitDays.GetValueOrDefault(group);
        await ComplianceWatch.RaiseAsync(session, $"storage-too-long:{batch.Id}:{check.Holder}:{check.Since}", AlertRule.StorageTooLong, batch.Id, [check.Holder], batch.City,
            batch.Cities, $"{check.Holder} has stored {batch.RemainingKg} of {batch.Category} since {check.Since}, beyond the {days}-day limit for {group}.",
            check.Since + Duration.FromDays(days), clock.GetCurrentInstant(), ct);
    }
}
