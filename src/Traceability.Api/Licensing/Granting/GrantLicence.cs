using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Enterprises;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Licensing.Granting;

/// <summary>Body of POST /api/enterprises/{id}/licences.</summary>
/// <param name="Activity">collect, transport, store, sort, dismantle, reuse, remanufacture, cascade-use, recycle, recover-energy or dispose.</param>
/// <param name="CategoryGroup">A group of seeds/categories.json, e.g. power-battery.</param>
/// <param name="ValidFrom">First day of validity (China date, yyyy-MM-dd).</param>
/// <param name="ValidTo">Last day of validity (China date, inclusive).</param>
/// <param name="CapacityTonnesPerYear">Licensed yearly capacity in tonnes.</param>
public sealed record GrantLicenceRequest(Activity? Activity, string? CategoryGroup, LocalDate? ValidFrom, LocalDate? ValidTo, decimal? CapacityTonnesPerYear)
{
    public (GrantLicence? Command, Refusal? Refusal) Validate(string enterpriseId, Caller caller, Categories categories)
    {
        var errors = new FieldErrors().Require(Activity, "activity").Require(CategoryGroup, "categoryGroup")
            .Require(ValidFrom, "validFrom").Require(ValidTo, "validTo").Require(CapacityTonnesPerYear, "capacityTonnesPerYear");
        if (CategoryGroup is { Length: > 0 } group && !categories.Groups.Contains(group))
            errors.Add("categoryGroup", $"'{group}' is not one of {string.Join(", ", categories.Groups)}");
        if (ValidFrom is { } from && ValidTo is { } to && to < from) errors.Add("validTo", $"must not precede validFrom {from:yyyy-MM-dd}");
        if (CapacityTonnesPerYear is <= 0) errors.Add("capacityTonnesPerYear", "must be greater than 0");
        if (CapacityTonnesPerYear is > 100_000_000) errors.Add("capacityTonnesPerYear", "must be at most 100000000 tonnes");
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new GrantLicence(Guid.CreateVersion7(), enterpriseId, Activity!.Value, CategoryGroup!, ValidFrom!.Value, ValidTo!.Value,
                CapacityTonnesPerYear!.Value, caller.KeyId, caller.City), null);
    }
}

public sealed record GrantLicence(
    Guid LicenceId, string EnterpriseId, Activity Activity, string CategoryGroup, LocalDate ValidFrom, LocalDate ValidTo,
    decimal CapacityTonnesPerYear, string GrantedBy, string? RegulatorCity) : IWriteCommand
{
    /// <summary>The licence's stream starts with its grant.</summary>
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        var enterprise = await session.LoadAsync<Enterprise>(EnterpriseId, ct);
        if (LicenceKeeping.Check(enterprise, EnterpriseId, RegulatorCity) is { } refusal) return refusal;
        var granted = new LicenceGranted(LicenceId, EnterpriseId, Activity, CategoryGroup, ValidFrom, ValidTo, CapacityTonnesPerYear, GrantedBy, now);
        session.Events.StartStream<Licence>(LicenceId, granted);
        return WriteOutcome.Created(LicenceView.Of(Licence.Create(granted)), $"/api/enterprises/{EnterpriseId}/licences");
    }
}

public static class GrantLicenceEndpoint
{
    public static void MapGrantLicence(this RouteGroupBuilder enterprises) =>
        enterprises.MapPost("/{id}/licences", Handle)
            .WithName("GrantLicence")
            .WithSummary("Grant an enterprise a licence")
            .WithDescription("A licence permits one activity for one category group between two China dates, with a yearly capacity. A city regulator grants licences only to enterprises of its city. Accepts an Idempotency-Key header.")
            .RequireAuthorization(Roles.LicenceKeepers)
            .Produces<LicenceView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    static Task<IResult> Handle(string id, GrantLicenceRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        CommandDispatch.SendAsync(bus, http, $"grant-licence:{id}", request, request.Validate(id, Caller.From(http.User), categories));
}
