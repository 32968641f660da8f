using JasperFx.Events;
using Marten;
using NodaTime;
using Traceability.Batches;
using Wolverine;
using Wolverine.Attributes;

namespace Traceability.Compliance.Rules;

/// <summary>A dispatch's deadline: durable, scheduled when the dispatch's event is forwarded, run even if the service restarted in between.</summary>
public sealed record CheckTransit(Guid BatchId, Guid ManifestId);

/// <summary>A holder's storage deadline for a batch of a category group with a storage limit. The start is in Unix milliseconds: messages travel in plain JSON.</summary>
public sealed record CheckStorage(Guid BatchId, string Holder, long SinceUnixMs)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Instant Since => Instant.FromUnixTimeMilliseconds(SinceUnixMs);
}

/// <summary>
/// The deadlines the events set (72 hours in transit, storage limits), as durable scheduled Wolverine
/// messages rather than a poll by any client; and the checks that run when they come, raising the alert
/// only if the batch is still where it was.
/// </summary>
[WolverineHandler]
public static class Deadlines
{
    /// <summary>
    /// Called by the pipeline as it appends a decision's events, so the deadlines go into the outbox of the transaction that
    /// stores them. Scheduled there rather than from each forwarded event: a registration of a category with no storage
    /// limit then costs no message at all (a forwarded event is an inbox row written, handled and marked, whatever it does).
    /// </summary>
    public static async Task ScheduleAsync(IMessageContext bus, IReadOnlyList<object> events, BatchContext context, Rulebook rules)
    {
        foreach (var e in events)
            switch (e)
            {
                case BatchGenerated g:
                    await ScheduleStorageAsync(bus, g.BatchId, g.Generator, g.OccurredAt, g.Category, rules);
                    break;
                case BatchDerived d:
                    await ScheduleStorageAsync(bus, d.BatchId, d.Producer, d.OccurredAt, d.Category, rules);
                    break;
                case BatchReceived r when context.Batches.FirstOrDefault(b => b.Id == r.BatchId) is { } batch:
                    await ScheduleStorageAsync(bus, r.BatchId, r.By, r.OccurredAt, batch.Category, rules);
                    break;
                case BatchDispatched sent when rules.Compliance.Enabled(AlertRule.InTransitTooLong):
                    await bus.ScheduleAsync(new CheckTransit(sent.BatchId, sent.ManifestId), rules.Compliance.TransitCheckAt(sent.OccurredAt, context.Now).ToDateTimeOffset());
                    break;
            }
    }

    static async Task ScheduleStorageAsync(IMessageContext bus, Guid batchId, string holder, Instant since, string category, Rulebook rules)
    {
        if (!rules.Compliance.Enabled(AlertRule.StorageTooLong) || rules.StorageLimitDays(rules.Categories.Find(category)!) is not { } days) return;
        await bus.ScheduleAsync(new CheckStorage(batchId, holder, since.ToUnixTimeMilliseconds()), (since + Duration.FromDays(days)).ToDateTimeOffset());
    }

    public static async Task Handle(CheckTransit check, IDocumentSession session, Rulebook rules, CancellationToken ct)
    {
        var batch = await session.LoadAsync<Batch>(check.BatchId, ct);
        if (batch?.OpenManifest is not { } open || open.ManifestId != check.ManifestId) return;
        var hours = rules.Compliance.InTransitLimitHours;
        await Alerts.RaiseAsync(session, $"in-transit-too-long:{open.ManifestId}", AlertRule.InTransitTooLong, batch.Id, [open.From, open.To], batch.City,
            [.. batch.Cities, open.ToCity],
            $"Manifest {open.ManifestNumber} from {open.From} to {open.To} ({open.MassKg}{(open.VehiclePlate is null ? "" : $", vehicle {open.VehiclePlate}")}) dispatched at {open.DispatchedAt} is neither received nor rejected after {hours} hours.",
            open.DispatchedAt + Duration.FromHours(hours), rules.Now, ct);
    }

    public static async Task Handle(CheckStorage check, IDocumentSession session, IMessageContext bus, Rulebook rules, CancellationToken ct)
    {
        var batch = await session.LoadAsync<Batch>(check.BatchId, ct);
        if (batch is null || !batch.IsLive || batch.OpenManifest is not null || batch.Holder != check.Holder || batch.StoredSince != check.Since) return;
        // An approved extension moves the check to the end of its last day (China time).
        if (batch.StorageExtendedUntil is { } until && until.PlusDays(1).AtStartOfDayInZone(ReferenceData.ChinaTime.Zone).ToInstant() is var end && end > rules.Now)
        {
            await bus.ScheduleAsync(check, end.ToDateTimeOffset());
            return;
        }
        var category = rules.Categories.Find(batch.Category)!;
        var days = rules.StorageLimitDays(category) ?? 0;
        await Alerts.RaiseAsync(session, $"storage-too-long:{batch.Id}:{check.Holder}:{check.Since}", AlertRule.StorageTooLong, batch.Id, [check.Holder], batch.City,
            batch.Cities, $"{check.Holder} has stored {batch.RemainingKg} of {batch.Category} since {check.Since}, beyond the {days}-day limit for {category.Code} ({category.NameEn}){(batch.StorageExtendedUntil is { } extended ? $" and its approved extension to {extended:yyyy-MM-dd}" : "")}.",
            check.Since + Duration.FromDays(days), rules.Now, ct);
    }
}
