using JasperFx.Events;
using Marten;
using NodaTime;
using Traceability.Batches;
using Traceability.Enterprises;
using Traceability.Hosting;
using Traceability.Licensing;
using Traceability.ReferenceData;
using Wolverine.Attributes;

namespace Traceability.Compliance.Rules;

/// <summary>
/// The power battery upload deadlines (2018 traceability provisions): a report is due within 15 Chinese working
/// days of the operation for dismantlers and cascade users, 30 for recyclers (after receipt and after final
/// treatment). The operation's China date is its <c>occurredAt</c>; the report's is when Marten recorded it. A late
/// report is accepted (the record matters more than the delay) and raises a late-report alert for the reporting
/// enterprise's regulator.
/// </summary>
[WolverineHandler]
public static class UploadDeadlines
{
    // Receipts, dismantlings and fates are checked from EventRules' handlers of the same events: one forwarded
    // message per event rather than one per rule (each is an inbox row written, handled and marked).

    public static Task Handle(IEvent<BatchDispatched> e, IDocumentSession session, Rulebook rules, CancellationToken ct) => CheckAsync(session, e, "dispatch", rules, ct);

    public static Task Handle(IEvent<BatchCascadeUsed> e, IDocumentSession session, Rulebook rules, CancellationToken ct) => CheckAsync(session, e, "cascade use", rules, ct);

    internal static async Task CheckAsync<T>(IDocumentSession session, IEvent<T> e, string operation, Rulebook rules, CancellationToken ct) where T : IBatchFact
    {
        var fact = e.Data;
        if (!rules.Compliance.Enabled(AlertRule.LateReport) || await session.LoadAsync<Batch>(fact.BatchId, ct) is not { } batch) return;
        var category = rules.Categories.Find(batch.Category)!;
        if (category.Group != CategoryGroups.PowerBattery || await session.LoadAsync<Enterprise>(fact.ActedBy, ct) is not { } actor) return;

        var occurred = ChinaTime.DateOf(fact.OccurredAt);
        var recorded = ChinaTime.DateOf(rules.RecordedAt(e));
        var licences = await LicenceBook.LoadAsync(session, actor.Id, null, ct);
        var recycler = licences.Licences.Any(l => l is { Kind: LicenceKind.BatteryWhiteList, WhiteList: WhiteListKind.Recycling } && l.Covers(occurred));
        var days = recycler ? rules.Compliance.BatteryRecyclerReportWorkingDays : rules.Compliance.BatteryReportWorkingDays;
        var due = rules.WorkingDays.AddWorkingDays(occurred, days);
        if (recorded <= due) return;
        await Alerts.RaiseAsync(session, $"late-report:{fact.BatchId}:{typeof(T).Name}:{fact.OccurredAt}", AlertRule.LateReport, fact.BatchId, [actor.Id], actor.City,
            [.. batch.Cities, actor.City],
            $"{actor.Id} reported the {operation} of {category.Code} {batch.Identifier?.Value ?? batch.Id.ToString()} done on {occurred:yyyy-MM-dd} on {recorded:yyyy-MM-dd}; " +
            $"{(recycler ? "a recycler" : "a dismantler, cascade user or other holder")} reports within {days} working days, by {due:yyyy-MM-dd}.",
            fact.OccurredAt, rules.Now, ct);
    }
}
