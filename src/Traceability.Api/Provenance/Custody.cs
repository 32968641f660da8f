using Traceability.Requests;
using Traceability.Hosting;
using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Batches;
using Traceability.Batches.Reading;

namespace Traceability.Provenance;

/// <param name="StoredHours">Time it spent with this holder, less its time on the road under this holder's dispatches; up to now while it still holds it.</param>
public sealed record CustodyPeriod(string Holder, string City, string Began, Instant From, Instant? To, double StoredHours);

/// <param name="Outcome">received, rejected or in-transit.</param>
public sealed record CustodyTransfer(
    Guid ManifestId, string ManifestNumber, string From, string To, string? VehiclePlate, Mass SentKg, Instant DispatchedAt, string Outcome,
    Instant? EndedAt, Mass? WeighedKg, Mass? DiscrepancyKg, double TransitHours);

public sealed record CustodyView(Guid BatchId, IReadOnlyList<CustodyPeriod> Holders, IReadOnlyList<CustodyTransfer> Transfers, double StoredHours, double TransitHours);

/// <summary>The custody chain, read from the batch's own events: who held it when, and how it travelled between them.</summary>
public static class Custody
{
    public static CustodyView Of(Guid batchId, IEnumerable<object> events, Instant now)
    {
        var periods = new List<CustodyPeriod>();
        var transfers = new List<CustodyTransfer>();
        var transitUnderHolder = 0d;
        (string Holder, string City, string Began, Instant From)? current = null;

        void Close(Instant to)
        {
            if (current is not { } c) return;
            periods.Add(new CustodyPeriod(c.Holder, c.City, c.Began, c.From, to, Hours(c.From, to) - transitUnderHolder));
            current = null;
            transitUnderHolder = 0;
        }

        foreach (var e in events)
        {
            switch (e)
            {
                case BatchGenerated g: current = (g.Generator, g.City, "generated", g.OccurredAt); break;
                case BatchDerived d: current = (d.Producer, d.City, EnumNames.Of(d.Process), d.OccurredAt); break;
                case BatchDispatched d:
                    transfers.Add(new CustodyTransfer(d.ManifestId, d.ManifestNumber, d.From, d.To, d.VehiclePlate, d.MassKg, d.OccurredAt, "in-transit", null, null, null,
                        Hours(d.OccurredAt, now)));
                    break;
                case BatchReceived r:
                    var sent = transfers[^1];
                    transfers[^1] = sent with { Outcome = "received", EndedAt = r.OccurredAt, WeighedKg = r.MassKg, TransitHours = Hours(sent.DispatchedAt, r.OccurredAt) };
                    transitUnderHolder += transfers[^1].TransitHours;
                    Close(r.OccurredAt);
                    transitUnderHolder = 0;
                    current = (r.By, r.City, "received", r.OccurredAt);
                    break;
                case ReceiptDiscrepancyRecorded x:
                    transfers[^1] = transfers[^1] with { DiscrepancyKg = x.DifferenceKg, WeighedKg = x.WeighedKg };
                    break;
                case DispatchRejected j:
                    var refused = transfers[^1];
                    transfers[^1] = refused with { Outcome = "rejected", EndedAt = j.OccurredAt, TransitHours = Hours(refused.DispatchedAt, j.OccurredAt) };
                    transitUnderHolder += transfers[^1].TransitHours;
                    break;
                case BatchSorted or BatchDismantled or BatchSplit or BatchMerged:
                    Close(((IBatchFact)e).OccurredAt);
                    break;
                case FateRecorded f when f.RemainingKg.Kilograms == 0:
                    Close(f.OccurredAt);
                    break;
            }
        }
        if (current is { } open)
        {
            var inTransit = transfers.Count > 0 && transfers[^1].Outcome == "in-transit" ? transfers[^1].TransitHours : 0;
            periods.Add(new CustodyPeriod(open.Holder, open.City, open.Began, open.From, null, Hours(open.From, now) - transitUnderHolder - inTransit));
        }
        return new CustodyView(batchId, periods, transfers, periods.Sum(p => p.StoredHours), transfers.Sum(t => t.TransitHours));
    }

    static double Hours(Instant from, Instant to) => Math.Round((to - from).TotalHours, 2);

    public static void MapCustody(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/batches").WithTags("Provenance").MapGet("/{id:guid}/custody", async (Guid id, HttpContext http, IQuerySession session, IClock clock) =>
            {
                if (await ReadBatchEndpoints.ReadableAsync(session, id, http) is null) return ReadBatchEndpoints.NotFound(id);
                var events = await session.Events.FetchStreamAsync(id, token: http.RequestAborted);
                return Results.Ok(Of(id, events.Select(e => e.Data), clock.GetCurrentInstant()));
            })
            .WithName("GetCustody")
            .WithSummary("Custody chain of a batch")
            .WithDescription("Holders in order with from/to instants and hours in storage (time held, less time on the road), and every transfer: manifest, vehicle plate, sent and weighed masses, discrepancy, outcome and hours in transit. Open periods run to now.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<CustodyView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
}
