using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Enterprises;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Licensing.Granting;

/// <summary>Body of POST /api/enterprises/{id}/licences.</summary>
/// <param name="Kind">general (the default), hazardous-waste, vehicle-dismantling, weee-treatment, construction-waste or battery-white-list.</param>
/// <param name="Number">The licence's own number as the authority issued it (at most 64 characters).</param>
/// <param name="Activity">General licences only: collect, transport, store, sort, dismantle, reuse, remanufacture, cascade-use, recycle, recover-energy or dispose.</param>
/// <param name="CategoryGroup">General licences only: a group of seeds/categories.json, e.g. renewable-resource.</param>
/// <param name="WasteCodes">Hazardous waste licences: the approved 8-digit codes (e.g. 900-249-08) or whole classes (e.g. HW08), 1 to 500.</param>
/// <param name="Operations">Hazardous waste licences: the approved operations, collect, store, utilize, dispose.</param>
/// <param name="Products">WEEE treatment qualifications: the weee categories treated (e.g. weee-television), 1 to 20.</param>
/// <param name="WhiteList">Power battery white-list entries: cascade-use or recycling.</param>
/// <param name="ValidFrom">First day of validity (China date, yyyy-MM-dd).</param>
/// <param name="ValidTo">Last day of validity (China date, inclusive).</param>
/// <param name="CapacityTonnesPerYear">The approved yearly scale in tonnes, enforced per China calendar year.</param>
public sealed record GrantLicenceRequest(
    Activity? Activity, string? CategoryGroup, LocalDate? ValidFrom, LocalDate? ValidTo, decimal? CapacityTonnesPerYear,
    LicenceKind? Kind = null, string? Number = null, IReadOnlyList<string>? WasteCodes = null, IReadOnlyList<HazardousOperation>? Operations = null,
    IReadOnlyList<string>? Products = null, WhiteListKind? WhiteList = null)
{
    const int MaxCodes = 500;

    public (GrantLicence? Command, Refusal? Refusal) Validate(string enterpriseId, Caller caller, Categories categories)
    {
        var kind = Kind ?? LicenceKind.General;
        var errors = new FieldErrors().Require(ValidFrom, "validFrom").Require(ValidTo, "validTo").Require(CapacityTonnesPerYear, "capacityTonnesPerYear");
        if (ValidFrom is { } from && ValidTo is { } to && to < from) errors.Add("validTo", $"must not precede validFrom {from:yyyy-MM-dd}");
        if (CapacityTonnesPerYear is <= 0) errors.Add("capacityTonnesPerYear", "must be greater than 0");
        if (CapacityTonnesPerYear is > 100_000_000) errors.Add("capacityTonnesPerYear", "must be at most 100000000 tonnes");
        if (CapacityTonnesPerYear is { } t && decimal.Round(t, 3) != t) errors.Add("capacityTonnesPerYear", "must have at most 3 decimal places (kilograms)");
        if (Number is { } number && (number.Length is 0 or > 64 || number.Any(char.IsControl))) errors.Add("number", "must be 1 to 64 printable characters");

        // Each kind takes the scope fields it has in law and refuses the others, so a licence never claims more than it says.
        Only(kind == LicenceKind.General, Activity, "activity", kind, errors);
        Only(kind == LicenceKind.General, CategoryGroup, "categoryGroup", kind, errors);
        Only(kind == LicenceKind.HazardousWaste, WasteCodes, "wasteCodes", kind, errors);
        Only(kind == LicenceKind.HazardousWaste, Operations, "operations", kind, errors);
        Only(kind == LicenceKind.WeeeTreatment, Products, "products", kind, errors);
        Only(kind == LicenceKind.BatteryWhiteList, WhiteList, "whiteList", kind, errors);
        switch (kind)
        {
            case LicenceKind.General:
                errors.Require(Activity, "activity").Require(CategoryGroup, "categoryGroup");
                if (CategoryGroup is { Length: > 0 } group && !categories.Groups.Contains(group))
                    errors.Add("categoryGroup", $"'{group}' is not one of {string.Join(", ", categories.Groups)}");
                break;
            case LicenceKind.HazardousWaste:
                CheckList(WasteCodes, "wasteCodes", MaxCodes, code => categories.HazardousWaste.IsClass(code) || categories.HazardousWaste.Find(code) is not null
                    ? null : "is neither a class (HW01-HW50) nor an 8-digit code of the National Hazardous Waste List in seeds/hazardous-waste.json", errors);
                CheckList(Operations?.Select(o => EnumNames.Of(o)).ToList(), "operations", 4, _ => null, errors);
                break;
            case LicenceKind.WeeeTreatment:
                CheckList(Products, "products", 20, p => categories.Find(p) is { Group: "weee" } ? null : "is not a weee category of seeds/categories.json", errors);
                break;
            case LicenceKind.BatteryWhiteList:
                errors.Require(WhiteList, "whiteList");
                break;
        }
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new GrantLicence(Guid.CreateVersion7(), enterpriseId, kind, Number, Activity, CategoryGroup, [.. WasteCodes ?? []], [.. (Operations ?? []).Distinct()],
                [.. Products ?? []], WhiteList, ValidFrom!.Value, ValidTo!.Value, CapacityTonnesPerYear!.Value, caller.KeyId, caller.City), null);
    }

    static void Only(bool allowed, object? value, string field, LicenceKind kind, FieldErrors errors)
    {
        if (!allowed && value is not null) errors.Add(field, $"is not part of a {EnumNames.Of(kind)} licence");
    }

    static void CheckList(IReadOnlyList<string>? items, string field, int max, Func<string, string?> rule, FieldErrors errors)
    {
        if (items is null || items.Count == 0)
        {
            errors.Add(field, "must list at least one");
            return;
        }
        if (items.Count > max) errors.Add(field, $"must list at most {max}");
        if (items.Distinct().Count() != items.Count) errors.Add(field, "must not list one twice");
        for (var i = 0; i < Math.Min(items.Count, max); i++)
            if (items[i] is null || items[i].Length > 32) errors.Add($"{field}[{i}]", "must be a code of at most 32 characters");
            else if (rule(items[i]) is { } broken) errors.Add($"{field}[{i}]", $"'{items[i]}' {broken}");
    }
}

public sealed record GrantLicence(
    Guid LicenceId, string EnterpriseId, LicenceKind Kind, string? Number, Activity? Activity, string? CategoryGroup, IReadOnlyList<string> WasteCodes,
    IReadOnlyList<HazardousOperation> Operations, IReadOnlyList<string> Products, WhiteListKind? WhiteList, LocalDate ValidFrom, LocalDate ValidTo,
    decimal CapacityTonnesPerYear, string GrantedBy, string? RegulatorCity) : IWriteCommand
{
    /// <summary>The licence's stream starts with its grant.</summary>
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        var enterprise = await session.LoadAsync<Enterprise>(EnterpriseId, ct);
        if (LicenceKeeping.Check(enterprise, EnterpriseId, RegulatorCity) is { } refusal) return refusal;
        var granted = new LicenceGranted(LicenceId, EnterpriseId, Activity, CategoryGroup, ValidFrom, ValidTo, CapacityTonnesPerYear, GrantedBy, now,
            Kind, Number, WasteCodes.Count == 0 ? null : WasteCodes, Operations.Count == 0 ? null : Operations, Products.Count == 0 ? null : Products, WhiteList);
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
            .WithDescription("A licence of one of the kinds the law issues, with the scope it really has: hazardous-waste (approved 8-digit codes or classes, operations collect/store/utilize/dispose), vehicle-dismantling, weee-treatment (products), construction-waste, battery-white-list (cascade-use or recycling); or a general licence (one activity on one category group) where the deployment licenses all waste. Each has validity dates and an approved yearly scale in tonnes, enforced per China calendar year. A city regulator grants licences only to enterprises of its city. Accepts an Idempotency-Key header.")
            .RequireAuthorization(Roles.LicenceKeepers)
            .Produces<LicenceView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    static Task<IResult> Handle(string id, GrantLicenceRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        CommandDispatch.SendAsync(bus, http, $"grant-licence:{id}", request, request.Validate(id, Caller.From(http.User), categories));
}
