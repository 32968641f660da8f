using Traceability.Hosting;
using Marten;
using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Licensing;

/// <summary>
/// The licences one enterprise holds, as a decision sees them: pure, so the refusal that names a missing
/// licence is unit-testable.
/// </summary>
public sealed record LicenceBook(string EnterpriseId, IReadOnlyList<Licence> Licences)
{
    /// <summary>Holding a batch means one of these: a transporter only moves what another holds.</summary>
    public static readonly IReadOnlyList<Activity> Receiving =
    [
        Activity.Collect, Activity.Store, Activity.Sort, Activity.Dismantle, Activity.Reuse, Activity.Remanufacture,
        Activity.CascadeUse, Activity.Recycle, Activity.RecoverEnergy, Activity.Dispose,
    ];

    public static async Task<LicenceBook> LoadAsync(IQuerySession session, string enterpriseId, CancellationToken ct) =>
        new(enterpriseId, await session.Query<Licence>().Where(l => l.EnterpriseId == enterpriseId).ToListAsync(ct));

    /// <summary>Null when the enterprise may do <paramref name="activity"/> to <paramref name="category"/> on the day of <paramref name="at"/>; else a 403 naming the licence it lacks.</summary>
    public Refusal? Require(Activity activity, Category category, Instant at, LicensingRules rules) =>
        Require([activity], category, at, rules, EnumNames.Of(activity));

    /// <summary>Null when the enterprise may take custody of <paramref name="category"/> on that day.</summary>
    public Refusal? RequireReceiving(Category category, Instant at, LicensingRules rules) =>
        Require(Receiving, category, at, rules, "receive (collect, store, sort, dismantle, reuse, remanufacture, cascade-use, recycle, recover-energy or dispose)");

    Refusal? Require(IReadOnlyList<Activity> anyOf, Category category, Instant at, LicensingRules rules, string doing)
    {
        if (!rules.Governs(category)) return null;
        var date = ChinaTime.DateOf(at);
        if (Covers(anyOf, category, date)) return null;
        var missing = $"{doing} × {category.Group} valid on {date:yyyy-MM-dd}";
        return Refusal.Forbidden(
            $"Enterprise {EnterpriseId} holds no licence to {doing} {category.Code} (category group {category.Group}) valid on {date:yyyy-MM-dd} (China time).",
            "licence", missing);
    }

    /// <summary>Whether a licence for any of <paramref name="anyOf"/> on the category's group covers <paramref name="date"/>.</summary>
    public bool Covers(IReadOnlyList<Activity> anyOf, Category category, LocalDate date) =>
        Licences.Any(l => anyOf.Contains(l.Activity) && l.CategoryGroup == category.Group && l.Covers(date));

    public static Activity For(Fate fate) => fate switch
    {
        Fate.Reuse => Activity.Reuse,
        Fate.Remanufacture => Activity.Remanufacture,
        Fate.CascadeUse => Activity.CascadeUse,
        Fate.Recycling => Activity.Recycle,
        Fate.EnergyRecovery => Activity.RecoverEnergy,
        _ => Activity.Dispose,
    };
}

/// <summary>Which categories need a licence (configuration section "Traceability").</summary>
public sealed record LicensingRules(bool AllWaste)
{
    /// <summary>
    /// Secondary materials are goods and need none. Hazardous waste and power batteries always need one;
    /// other waste too unless the deployment turned <c>RequireLicencesForAllWaste</c> off.
    /// </summary>
    public bool Governs(Category category) => !category.IsProduct && (AllWaste || category.AlwaysLicensed);
}
