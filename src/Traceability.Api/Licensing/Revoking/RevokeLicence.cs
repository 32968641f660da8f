using Marten;
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
            : (new RevokeLicence(enterpriseId, licenceId, Reason!.Trim(), EffectiveFrom, caller.KeyId, caller.City), null);
    }
}

public sealed record RevokeLicence(
    string EnterpriseId, Guid LicenceId, string Reason, LocalDate? EffectiveFrom, string By, string? RegulatorCity) : IWriteCommand
{
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        var enterprise = await session.LoadAsync<Enterprise>(EnterpriseId, ct);
        if (LicenceKeeping.Check(enterprise, EnterpriseId, RegulatorCity) is { } refusal) return refusal;
        // Fetched for writing: of two racing revocations one wins, the other gets 409 at commit.
        var stream = await session.Events.FetchForWriting<Licence>(LicenceId, ct);
        if (stream.Aggregate is not { } licence || licence.EnterpriseId != EnterpriseId)
            return Refusal.NotFound($"Enterprise {EnterpriseId} holds no licence {LicenceId}.");
        if (licence.Revocation is { } earlier)
            return Refusal.Conflict($"Licence {licence.Id} was already revoked from {earlier.EffectiveFrom:yyyy-MM-dd}: {earlier.Reason}");

        var revoked = new LicenceRevoked(licence.Id, EffectiveFrom ?? ChinaTime.DateOf(now), Reason, By, now);
        stream.AppendOne(revoked);
        licence.Apply(revoked);
        return WriteOutcome.Ok(LicenceView.Of(licence));
    }
}

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

    static Task<IResult> Handle(string id, Guid licenceId, RevokeLicenceRequest request, HttpContext http, IMessageBus bus) =>
        CommandDispatch.SendAsync(bus, http, $"revoke-licence:{licenceId}", request, request.Validate(id, licenceId, Caller.From(http.User)));
}
