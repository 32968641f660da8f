using NodaTime;
using NodaTime.Text;
using Traceability.Settings;
using Traceability.Batches;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.ReferenceData;

namespace Traceability.Tests.Batches;

/// <summary>Reference data and actors for the pure decision tests: the real catalog, licences made to measure.</summary>
public static class Given
{
    public static readonly Categories Categories = Categories.Load(Path.Combine(AppContext.BaseDirectory, "seeds"));
    public static readonly TraceabilityOptions Options = new();
    public static readonly Instant Now = At("2026-11-23T00:00:00Z");
    public static readonly Instant Day1 = At("2026-11-20T08:00:00Z");
    public static readonly Instant Day2 = At("2026-11-21T08:00:00Z");
    public static readonly Instant Day3 = At("2026-11-22T08:00:00Z");

    public static Instant At(string instant) => InstantPattern.General.Parse(instant).Value;

    public static Category Category(string code) => Categories.Find(code) ?? throw new ArgumentException($"no category {code} in the seeds");

    /// <summary>
    /// A licence book valid through 2026 and 2027 with, for each activity on the group, the licence the HTTP tests
    /// would be granted (<see cref="Hosting.ApiFixture.LicenceBody"/>), made by the service's own grant rules.
    /// </summary>
    public static LicenceBook Licences(string enterpriseId, string group, params Activity[] activities) =>
        new(enterpriseId, [.. activities.Select(a => Grant(enterpriseId, Hosting.ApiFixture.LicenceBody(global::Traceability.Hosting.EnumNames.Of(a), group, "2026-01-01", "2027-12-31", 10_000m)))]);

    /// <summary>The licence a grant request body (as the API takes it) makes, with no database.</summary>
    public static Licence Grant(string enterpriseId, object body)
    {
        var request = System.Text.Json.JsonSerializer.Deserialize<global::Traceability.Licensing.Granting.GrantLicenceRequest>(
            System.Text.Json.JsonSerializer.Serialize(body, Hosting.ApiFixture.Json), Hosting.ApiFixture.Json)!;
        var (grant, refusal) = request.Validate(enterpriseId, new Traceability.Requests.Caller("admin", "admin", null, null), Categories);
        Assert.Null(refusal);
        return Licence.Create(new LicenceGranted(grant!.LicenceId, enterpriseId, grant.Activity, grant.CategoryGroup, grant.ValidFrom, grant.ValidTo,
            grant.CapacityTonnesPerYear, "admin", Day1, grant.Kind, grant.Number, grant.WasteCodes, grant.Operations, grant.Products, grant.WhiteList));
    }

    public static BatchActor Actor(string id, string city, LicenceBook licences) =>
        new(new Enterprise { Id = id, City = city, Roles = [EnterpriseRoles.Recycler] }, licences);

    public static Batch Held(string category, decimal kg, string holder, string city = "320200", int? units = null, UnitIdentifier? identifier = null) =>
        Batch.Create(new BatchGenerated(Guid.CreateVersion7(), category, new Mass(kg), units, identifier, holder, city, null, Day1)) with { Version = 1 };
}
