using Marten;
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
        return errors.Any ? (null, errors.ToRefusal()) : (new ResolveAlert(alertId, Note!.Trim(), caller), null);
    }
}

public sealed record ResolveAlert(Guid AlertId, string Note, Caller By) : IWriteCommand
{
    /// <summary>Fetched for writing, so a resolution racing this one ends in 409 at commit rather than a lost note.</summary>
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Alert>(AlertId, ct);
        if (stream.Aggregate is not { } alert || !Visibility.MayRead(By, alert))
            return Refusal.NotFound($"No alert {AlertId} is visible to this regulator.");
        if (alert.Resolution is { } earlier) return Refusal.Conflict($"Alert {alert.Id} was resolved at {earlier.At}: {earlier.Note}");
        var resolved = new AlertResolved(alert.Id, Note, By.KeyId, now);
        stream.AppendOne(resolved);
        return WriteOutcome.Ok(alert.Apply(resolved));
    }
}

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

    static Task<IResult> Handle(Guid id, ResolveAlertRequest request, HttpContext http, IMessageBus bus) =>
        CommandDispatch.SendAsync(bus, http, $"resolve-alert:{id}", request, request.Validate(id, Caller.From(http.User)));
}
