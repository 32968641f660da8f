using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Enterprises;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Licensing.Revoking;

/// <summary>Body of POST /api/enterprises/{id}/licences/{licenceId}/revocation.</summary>
/// <param name="Reason">Why the licence is withdrawn.</param>
/// <param name="EffectiveFrom">First China date the licence no longer covers; today (China time) when absent.</param>
public sealed record RevokeLicenceRequest(string? Reason, LocalDate? EffectiveFrom)
{
    public (RevokeLicence? Command, Refusal? Refusal) Validate(string enterpriseId, Guid licenceId, Caller caller)
    {
        var errors = new FieldErrors().Require(Reason, "reason");
        if (Reason is { Length: > 500 }) errors.Add("reason", "must be at most 500 characters");
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new RevokeLicence(enterpriseId, licenceId, Reason!.Trim(), EffectiveFrom, caller.KeyId, caller.City, null), null);
    }
}

public sealed record RevokeLicence(
    string EnterpriseId, Guid LicenceId, string Reason, LocalDate? EffectiveFrom, string By, string? RegulatorCity, IdempotencyKey? Idempotency);

public static class RevokeLicenceEndpoint
{
    public static void MapRevokeLicence(this RouteGroupBuilder enterprises) =>
        enterprises.MapPost("/{id}/licences/{licenceId:guid}/revocation", Handle)
            .WithName("RevokeLicence")
            .WithSummary("Revoke a licence")
            .WithDescription("The licence stops covering operations from effectiveFrom (default: today, China time) on. It is kept, with the revocation, so past operations stay judged by what was licensed then. A licence is revoked once: a second revocation is a 409.")
            .RequireAuthorization(Roles.LicenceKeepers)
            .Produces<LicenceView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    static async Task<IResult> Handle(string id, Guid licenceId, RevokeLicenceRequest request, HttpContext http, IMessageBus bus)
    {
        var (command, refusal) = request.Validate(id, licenceId, Caller.From(http.User));
        return refusal is not null
            ? refusal.ToResult()
            : await CommandDispatch.SendAsync(bus, http, $"revoke-licence:{licenceId}", request, key => command! with { Idempotency = key });
    }
}

public static class RevokeLicenceHandler
{
    public static async Task<WriteOutcome> Handle(RevokeLicence command, IDocumentSession session, IClock clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await Idempotency.ReplayAsync(session, command.Idempotency, ct) is { } replay) return replay;
        var enterprise = await session.LoadAsync<Enterprise>(command.EnterpriseId, ct);
        if (LicenceKeeping.Check(enterprise, command.EnterpriseId, command.RegulatorCity) is { } refusal) return refusal;
        // Fetched for writing: of two racing revocations one wins, the other gets 409 at commit.
        var stream = await session.Events.FetchForWriting<Licence>(command.LicenceId, ct);
        if (stream.Aggregate is not { } licence || licence.EnterpriseId != command.EnterpriseId)
            return Refusal.NotFound($"Enterprise {command.EnterpriseId} holds no licence {command.LicenceId}.");
        if (licence.Revocation is { } earlier)
            return Refusal.Conflict($"Licence {licence.Id} was already revoked from {earlier.EffectiveFrom:yyyy-MM-dd}: {earlier.Reason}");

        var now = clock.GetCurrentInstant();
        var revoked = new LicenceRevoked(licence.Id, command.EffectiveFrom ?? ChinaTime.DateOf(now), command.Reason, command.By, now);
        stream.AppendOne(revoked);
        licence.Apply(revoked);
        var outcome = WriteOutcome.Ok(LicenceView.Of(licence));
        Idempotency.Remember(session, command.Idempotency, outcome, now, json.Value.SerializerOptions);
        return outcome;
    }
}
