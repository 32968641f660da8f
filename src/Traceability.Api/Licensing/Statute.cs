using Traceability.Hosting;
using Traceability.ReferenceData;

namespace Traceability.Licensing;

/// <summary>What an enterprise does to a batch that a licence may have to permit.</summary>
public enum Operation
{
    Receive, Sort, Dismantle, Reuse, Remanufacture, CascadeUse, Recycle, RecoverEnergy, Dispose,
}

/// <summary>
/// Which licence the law requires for an operation on a category (policy digest, "Licences and registrations
/// the law requires"), and whether a licence meets it. Pure, so each rule is unit-tested on its own.
/// </summary>
public static class Statute
{
    /// <summary>The statutory licence kind the operation needs, or null where the law names none.</summary>
    public static LicenceKind? Requires(Operation op, Category category)
    {
        if (category.IsProduct) return null;
        if (category.NationalListCode is not null) return LicenceKind.HazardousWaste;
        return category.Group switch
        {
            // The whole vehicle: only a qualified enterprise recovers and dismantles it; its parts are goods or other waste.
            "scrapped-vehicle" when category.Code == "scrapped-vehicle" && op is Operation.Receive or Operation.Dismantle => LicenceKind.VehicleDismantling,
            // Treatment of the products in the catalogue; collecting them needs no qualification.
            "weee" when op is Operation.Dismantle or Operation.Recycle or Operation.Dispose or Operation.Sort => LicenceKind.WeeeTreatment,
            "construction-waste" when op is not (Operation.Dismantle or Operation.Remanufacture or Operation.CascadeUse) => LicenceKind.ConstructionWaste,
            // The white list: cascade users for cascade use, recyclers for dismantling packs and recycling; collection outlets need none.
            CategoryGroups.PowerBattery when op is Operation.CascadeUse or Operation.Dismantle or Operation.Recycle => LicenceKind.BatteryWhiteList,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="licence"/> permits <paramref name="op"/> on a batch of <paramref name="category"/> carrying <paramref name="wasteCode"/> (dates aside).</summary>
    public static bool Permits(Licence licence, Operation op, Category category, string? wasteCode) => licence.Kind switch
    {
        LicenceKind.General => licence.CategoryGroup == category.Group && licence.Activity is { } a && ActivitiesFor(op).Contains(a),
        LicenceKind.HazardousWaste => category.NationalListCode is { } wasteClass
            && (licence.WasteCodes.Contains(wasteClass) || (wasteCode is not null && licence.WasteCodes.Contains(wasteCode)))
            && licence.Operations.Any(HazardousOperationsFor(op).Contains),
        LicenceKind.VehicleDismantling => category.Group == "scrapped-vehicle",
        LicenceKind.WeeeTreatment => category.Group == "weee" && licence.Products.Contains(category.Code),
        LicenceKind.ConstructionWaste => category.Group == "construction-waste",
        LicenceKind.BatteryWhiteList => category.Group == CategoryGroups.PowerBattery
            && (op == Operation.Receive || licence.WhiteList == (op == Operation.CascadeUse ? WhiteListKind.CascadeUse : WhiteListKind.Recycling)),
        _ => false,
    };

    /// <summary>
    /// Whether an operation under <paramref name="licence"/> counts against its yearly scale: treatment always;
    /// taking waste in only for a licence that permits no treatment (collect or store), so no kilogram is counted twice.
    /// </summary>
    public static bool CountsAgainstScale(Licence licence, Operation op) =>
        op != Operation.Receive || licence.Kind switch
        {
            LicenceKind.General => licence.Activity is Activity.Collect or Activity.Store or Activity.Transport,
            LicenceKind.HazardousWaste => licence.Operations.All(o => o is HazardousOperation.Collect or HazardousOperation.Store),
            _ => false,
        };

    /// <summary>Describes what the refused operation needed, for the problem's detail.</summary>
    public static string Describe(LicenceKind kind, Operation op, Category category, string? wasteCode) => kind switch
    {
        LicenceKind.General => $"a general licence to {string.Join(" or ", ActivitiesFor(op).Select(EnumNames.Of))} {category.Group}",
        LicenceKind.HazardousWaste => $"a hazardous waste licence (危险废物经营许可证) approving {string.Join(" or ", HazardousOperationsFor(op).Select(EnumNames.Of))} of {wasteCode ?? category.NationalListCode} (or class {category.NationalListCode})",
        LicenceKind.VehicleDismantling => "a scrapped motor vehicle recovery and dismantling qualification (报废机动车回收拆解企业资质认定)",
        LicenceKind.WeeeTreatment => $"a WEEE treatment qualification (废弃电器电子产品处理资格) listing {category.Code}",
        LicenceKind.ConstructionWaste => "a construction waste disposal approval (城市建筑垃圾处置核准)",
        LicenceKind.BatteryWhiteList => $"a power battery white-list entry of kind {(op == Operation.CascadeUse ? "cascade-use" : "recycling")}",
        _ => EnumNames.Of(kind),
    };

    public static Operation For(Fate fate) => fate switch
    {
        Fate.Reuse => Operation.Reuse,
        Fate.Remanufacture => Operation.Remanufacture,
        Fate.CascadeUse => Operation.CascadeUse,
        Fate.Recycling => Operation.Recycle,
        Fate.EnergyRecovery => Operation.RecoverEnergy,
        _ => Operation.Dispose,
    };

    /// <summary>A general licence for any of these permits the operation: holding a batch is any activity but transport.</summary>
    public static IReadOnlyList<Activity> ActivitiesFor(Operation op) => op switch
    {
        Operation.Receive =>
        [
            Activity.Collect, Activity.Store, Activity.Sort, Activity.Dismantle, Activity.Reuse, Activity.Remanufacture,
            Activity.CascadeUse, Activity.Recycle, Activity.RecoverEnergy, Activity.Dispose,
        ],
        Operation.Sort => [Activity.Sort],
        Operation.Dismantle => [Activity.Dismantle],
        Operation.Reuse => [Activity.Reuse],
        Operation.Remanufacture => [Activity.Remanufacture],
        Operation.CascadeUse => [Activity.CascadeUse],
        Operation.Recycle => [Activity.Recycle],
        Operation.RecoverEnergy => [Activity.RecoverEnergy],
        _ => [Activity.Dispose],
    };

    /// <summary>The hazardous waste operations that permit it: any approved operation takes waste in; treatment is utilization, except disposal.</summary>
    static IReadOnlyList<HazardousOperation> HazardousOperationsFor(Operation op) => op switch
    {
        Operation.Receive => [HazardousOperation.Collect, HazardousOperation.Store, HazardousOperation.Utilize, HazardousOperation.Dispose],
        Operation.Dispose => [HazardousOperation.Dispose],
        Operation.RecoverEnergy or Operation.Sort or Operation.Dismantle => [HazardousOperation.Utilize, HazardousOperation.Dispose],
        _ => [HazardousOperation.Utilize],
    };
}
