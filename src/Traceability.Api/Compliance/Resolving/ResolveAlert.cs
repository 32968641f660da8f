using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Compliance.Resolving;

/// <summary>Body of POST /api/alerts/{id}/resolution.</summary>
/// <param name="Note">What was found and done.</param>
public sealed record ResolveAlertRequest(string? Note)
{
    public const int MaxNoteLength = 2000;

    public (ResolveAlert? Command, Refusal? Refusal) Validate(Guid alertId, Caller caller)
    {
        var errors = new FieldErrors().Require(Note, "note");
        if (Note is { Length: > MaxNoteLength }) errors.Add("note", $"must be at most {MaxNoteLength} characters");
        return errors.Any ? (null, errors.ToRefusal()) : (new ResolveAlert(alertId, Note!.Trim(), caller, null), null);
    }
}

public sealed record ResolveAlert(Guid AlertId, string Note, Caller By, IdempotencyKey? Idempotency);

public static class ResolveAlertEndpoint
{
    public static void MapResolveAlert(this RouteGroupBuilder alerts) =>
        alerts.MapPost("/{id:guid}/resolution", Handle)
            .WithName("ResolveAlert")
            .WithSummary("Close an alert with a resolution note")
            .WithDescription("Closes an open alert, appending its resolution (note, regulator key, time) to the alert's history; a resolved alert is a 409, and of two racing resolutions one wins and the other gets 409. Accepts an Idempotency-Key header.")
            .RequireAuthorization(Roles.Regulator)
            .Produces<Alert>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    static async Task<IResult> Handle(Guid id, ResolveAlertRequest request, HttpContext http, IMessageBus bus)
    {
        var (command, refusal) = request.Validate(id, Caller.From(http.User));
        return refusal is not null ? refusal.ToResult() : await CommandDispatch.SendAsync(bus, http, $"resolve-alert:{id}", request, key => command! with { Idempotency = key });
    }
}

public static class ResolveAlertHandler
{
    /// <summary>Fetched for writing, so a resolution racing this one ends in 409 at commit rather than a lost note.</summary>
    public static async Task<WriteOutcome> Handle(
        ResolveAlert command, IDocumentSession session, IClock clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var key = command.Idempotency;
        if (await Idempotency.ReplayAsync(session, key, ct) is { } replay) return replay;
        var stream = await session.Events.FetchForWriting<Alert>(command.AlertId, ct);
        if (stream.Aggregate is not { } alert || !Visibility.MayRead(command.By, alert))
            return Refusal.NotFound($"No alert {command.AlertId} is visible to this regulator.");
        if (alert.Resolution is { } earlier) return Refusal.Conflict($"Alert {alert.Id} was resolved at {earlier.At}: {earlier.Note}");
        var now = clock.GetCurrentInstant();
        var resolved = new AlertResolved(alert.Id, command.Note, command.By.KeyId, now);
        stream.AppendOne(resolved);
        var outcome = WriteOutcome.Ok(alert.Apply(resolved));
        Idempotency.Remember(session, key, outcome, now, json.Value.SerializerOptions);
        return outcome;
    }
}
