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

    /// <summary>A licence book valid through 2026 and 2027 for each activity on the group.</summary>
    public static LicenceBook Licences(string enterpriseId, string group, params Activity[] activities) =>
        new(enterpriseId, [.. activities.Select(a => new Licence
        {
            Id = Guid.CreateVersion7(), EnterpriseId = enterpriseId, Activity = a, CategoryGroup = group,
            ValidFrom = new LocalDate(2026, 1, 1), ValidTo = new LocalDate(2027, 12, 31), CapacityTonnesPerYear = 10_000m,
        })]);

    public static BatchActor Actor(string id, string city, LicenceBook licences) =>
        new(new Enterprise { Id = id, City = city, Roles = [EnterpriseRoles.Recycler] }, licences);

    public static Batch Held(string category, decimal kg, string holder, string city = "320200", int? units = null, UnitIdentifier? identifier = null) =>
        Batch.Create(new BatchGenerated(Guid.CreateVersion7(), category, new Mass(kg), units, identifier, holder, city, null, Day1)) with { Version = 1 };
}
