using JasperFx.Events;
using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Hosting;
using Traceability.Requests;

namespace Traceability.Compliance.Listing;

/// <summary>One fact of an alert's history: raised (with its evidence) or resolved (with the note), when and by whom.</summary>
/// <param name="By">The rule that raised it, or the key id of the regulator that resolved it.</param>
public sealed record AlertEventView(long Version, string Type, Instant At, string By, string Text);

public static class ListAlertsEndpoint
{
    public static void MapListAlerts(this RouteGroupBuilder alerts)
    {
        alerts.MapGet("/", List)
            .WithName("ListAlerts")
            .WithSummary("Compliance alerts")
            .WithDescription("Alerts raised by the compliance rules (in-transit-too-long, receipt-discrepancy, storage-too-long, left-chain-unrecycled, repeated-identifier, reused-identifier, recorded-after-licence-expiry, licence-scale-exceeded, late-report), newest first, at most `limit` (default 100, at most 1000). Filters: city (a city the alert touches), rule, status (open, resolved). A city regulator sees its own city's alerts only.")
            .RequireAuthorization(Roles.Regulator)
            .Produces<IReadOnlyList<Alert>>()
            .ProducesValidationProblem();

        alerts.MapGet("/{id:guid}/events", History)
            .WithName("GetAlertEvents")
            .WithSummary("History of an alert")
            .WithDescription("The alert's events in order: raised (by which rule, with the evidence) and resolved (by which regulator key, with the note). An alert the caller may not see is a 404.")
            .RequireAuthorization(Roles.Regulator)
            .Produces<IReadOnlyList<AlertEventView>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    static async Task<IResult> List(string? city, string? rule, string? status, int? limit, HttpContext http, IQuerySession session)
    {
        var caller = Caller.From(http.User);
        var errors = new FieldErrors();
        var rules = Enum.GetValues<AlertRule>().ToDictionary(r => EnumNames.Of(r));
        if (rule is not null && !rules.ContainsKey(rule)) errors.Add("rule", $"must be one of {string.Join(", ", rules.Keys)}");
        if (status is not null and not ("open" or "resolved")) errors.Add("status", "must be open or resolved");
        if (limit is < 1 or > 1000) errors.Add("limit", "must be between 1 and 1000");
        var scope = Visibility.ScopeOf(caller);
        if (scope.City is { } own && city is not null && city != own) errors.Add("city", $"a regulator of city {own} sees only its own city's alerts");
        if (errors.Any) return errors.ToRefusal().ToResult();

        var query = session.Query<Alert>().AsQueryable();
        if ((scope.City ?? city) is { } touched) query = query.Where(a => a.Cities.Contains(touched));
        if (rule is not null)
        {
            var wanted = rules[rule];
            query = query.Where(a => a.Rule == wanted);
        }
        if (status is not null)
        {
            var wanted = status == "open" ? AlertStatus.Open : AlertStatus.Resolved;
            query = query.Where(a => a.Status == wanted);
        }
        return Results.Ok(await query.OrderByDescending(a => a.RaisedAt).Take(limit ?? 100).ToListAsync(http.RequestAborted));
    }

    static async Task<IResult> History(Guid id, HttpContext http, IQuerySession session)
    {
        var alert = await session.LoadAsync<Alert>(id, http.RequestAborted);
        if (alert is null || !Visibility.MayRead(Caller.From(http.User), alert)) return Refusal.NotFound($"No alert {id} is visible to this regulator.").ToResult();
        var events = await session.Events.FetchStreamAsync(id, token: http.RequestAborted);
        return Results.Ok(events.Select(View).ToList());
    }

    static AlertEventView View(IEvent e) => e.Data switch
    {
        AlertRaised r => new AlertEventView(e.Version, e.EventTypeName, r.RaisedAt, EnumNames.Of(r.Rule), r.Evidence),
        AlertResolved r => new AlertEventView(e.Version, e.EventTypeName, r.At, r.By, r.Note),
        _ => new AlertEventView(e.Version, e.EventTypeName, Instant.FromDateTimeOffset(e.Timestamp), "", ""),
    };
}
