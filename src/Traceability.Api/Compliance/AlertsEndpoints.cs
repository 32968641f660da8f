using Traceability.Hosting;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Compliance;

/// <summary>Body of POST /api/alerts/{id}/resolution.</summary>
/// <param name="Note">What was found and done.</param>
public sealed record ResolveAlertRequest(string? Note);

public sealed record ResolveAlert(Guid AlertId, string Note, string By, string? City, IdempotencyKey? Idempotency);

public static class AlertsEndpoints
{
    public static StoreOptions AddCompliance(this StoreOptions options)
    {
        options.Schema.For<Alert>().Index(a => a.RaisedAt);
        options.Schema.For<IdentifierAttempts>();
        return options;
    }

    public static void MapAlerts(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/alerts").WithTags("Compliance");
        alerts.MapGet("/", List)
            .WithName("ListAlerts")
            .WithSummary("Compliance alerts")
            .WithDescription("Alerts raised by the compliance rules (in-transit-too-long, receipt-discrepancy, storage-too-long, left-chain-unrecycled, repeated-identifier, recorded-after-licence-expiry), newest first, at most `limit` (default 100, at most 1000). Filters: city (a city the alert touches), rule, status (open, resolved). A city regulator sees its own city's alerts only.")
            .RequireAuthorization(Roles.Regulator)
            .Produces<IReadOnlyList<Alert>>()
            .ProducesValidationProblem();

        alerts.MapPost("/{id:guid}/resolution", Resolve)
            .WithName("ResolveAlert")
            .WithSummary("Close an alert with a resolution note")
            .WithDescription("Closes an open alert; a resolved alert is a 409. Accepts an Idempotency-Key header.")
            .RequireAuthorization(Roles.Regulator)
            .Produces<Alert>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    static async Task<IResult> List(string? city, string? rule, string? status, int? limit, HttpContext http, IQuerySession session)
    {
        var caller = Caller.From(http.User);
        var errors = new FieldErrors();
        var rules = Enum.GetValues<AlertRule>().ToDictionary(r => EnumNames.Of(r));
        if (rule is not null && !rules.ContainsKey(rule)) errors.Add("rule", $"must be one of {string.Join(", ", rules.Keys)}");
        if (status is not null and not ("open" or "resolved")) errors.Add("status", "must be open or resolved");
        if (limit is < 1 or > 1000) errors.Add("limit", "must be between 1 and 1000");
        if (caller.City is { } own && city is not null && city != own) errors.Add("city", $"a regulator of city {own} sees only its own city's alerts");
        if (errors.Any) return errors.ToRefusal().ToResult();

        var query = session.Query<Alert>().AsQueryable();
        if ((caller.City ?? city) is { } scope) query = query.Where(a => a.Cities.Contains(scope));
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

    static async Task<IResult> Resolve(Guid id, ResolveAlertRequest request, HttpContext http, IMessageBus bus)
    {
        var errors = new FieldErrors().Require(request.Note, "note");
        if (request.Note is { Length: > 2000 }) errors.Add("note", "must be at most 2000 characters");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var caller = Caller.From(http.User);
        return await CommandDispatch.SendAsync(bus, http, $"resolve-alert:{id}", request, key => new ResolveAlert(id, request.Note!.Trim(), caller.KeyId, caller.City, key));
    }
}

public static class ResolveAlertHandler
{
    public static async Task<WriteOutcome> Handle(ResolveAlert command, IDocumentSession session, IClock clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await Idempotency.ReplayAsync(session, command.Idempotency, ct) is { } replay) return replay;
        var alert = await session.LoadAsync<Alert>(command.AlertId, ct);
        if (alert is null || command.City is { } city && !alert.Cities.Contains(city)) return Refusal.NotFound($"No alert {command.AlertId} is visible to this regulator.");
        if (alert.Resolution is { } earlier) return Refusal.Conflict($"Alert {alert.Id} was resolved at {earlier.At}: {earlier.Note}");
        var now = clock.GetCurrentInstant();
        alert.Status = AlertStatus.Resolved;
        alert.Resolution = new AlertResolution(command.Note, command.By, now);
        session.Update(alert);
        var outcome = WriteOutcome.Ok(alert);
        Idempotency.Remember(session, command.Idempotency, outcome, now, json.Value.SerializerOptions);
        return outcome;
    }
}
