using Traceability.Hosting;
using System.Text.Json.Serialization;
using NodaTime;

namespace Traceability.Licensing;

/// <summary>What a general licence permits an enterprise to do with a category group (the deployment's own filing, 备案).</summary>
[JsonConverter(typeof(NamedEnumConverter<Activity>))]
public enum Activity
{
    [JsonStringEnumMemberName("collect")] Collect,
    [JsonStringEnumMemberName("transport")] Transport,
    [JsonStringEnumMemberName("store")] Store,
    [JsonStringEnumMemberName("sort")] Sort,
    [JsonStringEnumMemberName("dismantle")] Dismantle,
    [JsonStringEnumMemberName("reuse")] Reuse,
    [JsonStringEnumMemberName("remanufacture")] Remanufacture,
    [JsonStringEnumMemberName("cascade-use")] CascadeUse,
    [JsonStringEnumMemberName("recycle")] Recycle,
    [JsonStringEnumMemberName("recover-energy")] RecoverEnergy,
    [JsonStringEnumMemberName("dispose")] Dispose,
}

/// <summary>The licences and registrations the law requires (policy digest, "Licences and registrations the law requires"), and the deployment's general one.</summary>
[JsonConverter(typeof(NamedEnumConverter<LicenceKind>))]
public enum LicenceKind
{
    /// <summary>One activity on one category group: what a deployment that licenses all waste (RequireLicencesForAllWaste) asks where the law names no licence.</summary>
    [JsonStringEnumMemberName("general")] General,
    /// <summary>危险废物经营许可证: approved 8-digit codes or classes, operations (collect, store, utilize, dispose), yearly scale.</summary>
    [JsonStringEnumMemberName("hazardous-waste")] HazardousWaste,
    /// <summary>报废机动车回收拆解企业资质认定: recovery and dismantling of scrapped motor vehicles.</summary>
    [JsonStringEnumMemberName("vehicle-dismantling")] VehicleDismantling,
    /// <summary>废弃电器电子产品处理资格: treatment of the products it lists.</summary>
    [JsonStringEnumMemberName("weee-treatment")] WeeeTreatment,
    /// <summary>城市建筑垃圾处置核准: transport and disposal of construction waste.</summary>
    [JsonStringEnumMemberName("construction-waste")] ConstructionWaste,
    /// <summary>Power battery white list under the industry standard conditions (规范条件), of kind cascade use or recycling: an announcement, not a licence.</summary>
    [JsonStringEnumMemberName("battery-white-list")] BatteryWhiteList,
}

/// <summary>The operations a hazardous waste licence approves (经营方式).</summary>
[JsonConverter(typeof(NamedEnumConverter<HazardousOperation>))]
public enum HazardousOperation
{
    [JsonStringEnumMemberName("collect")] Collect,
    [JsonStringEnumMemberName("store")] Store,
    [JsonStringEnumMemberName("utilize")] Utilize,
    [JsonStringEnumMemberName("dispose")] Dispose,
}

/// <summary>The two kinds of power battery white-list entry.</summary>
[JsonConverter(typeof(NamedEnumConverter<WhiteListKind>))]
public enum WhiteListKind
{
    [JsonStringEnumMemberName("cascade-use")] CascadeUse,
    [JsonStringEnumMemberName("recycling")] Recycling,
}

/// <summary>
/// The administrator or a regulator granted an enterprise a licence (its stream's first event). Which scope
/// fields it carries depends on <see cref="Kind"/>; a stream from before kinds existed reads as general.
/// </summary>
/// <param name="GrantedBy">The granting key's id.</param>
/// <param name="CapacityTonnesPerYear">The approved yearly scale: what the holder may treat (or, for a collect/store-only licence, take in) in a China calendar year.</param>
public sealed record LicenceGranted(
    Guid LicenceId, string EnterpriseId, Activity? Activity, string? CategoryGroup, LocalDate ValidFrom, LocalDate ValidTo,
    decimal CapacityTonnesPerYear, string GrantedBy, Instant GrantedAt,
    LicenceKind Kind = LicenceKind.General, string? Number = null, IReadOnlyList<string>? WasteCodes = null,
    IReadOnlyList<HazardousOperation>? Operations = null, IReadOnlyList<string>? Products = null, WhiteListKind? WhiteList = null);

/// <summary>A regulator or the administrator withdrew the licence from a China date on, with the reason.</summary>
/// <param name="By">The revoking key's id.</param>
public sealed record LicenceRevoked(Guid LicenceId, LocalDate EffectiveFrom, string Reason, string By, Instant RecordedAt);

/// <summary>
/// A licence an enterprise holds: the inline snapshot of its stream (granted, then perhaps revoked), so
/// everything a regulator relies on is in the event log. A revocation never removes it, so what was
/// licensed on any past date stays answerable.
/// </summary>
public sealed class Licence
{
    public Guid Id { get; set; }
    public string EnterpriseId { get; set; } = "";
    public LicenceKind Kind { get; set; }
    public string? Number { get; set; }
    public Activity? Activity { get; set; }
    public string? CategoryGroup { get; set; }
    public List<string> WasteCodes { get; set; } = [];
    public List<HazardousOperation> Operations { get; set; } = [];
    public List<string> Products { get; set; } = [];
    public WhiteListKind? WhiteList { get; set; }
    public LocalDate ValidFrom { get; set; }
    public LocalDate ValidTo { get; set; }
    public decimal CapacityTonnesPerYear { get; set; }
    public Instant GrantedAt { get; set; }
    public string GrantedBy { get; set; } = "";
    public Revocation? Revocation { get; set; }

    public static Licence Create(LicenceGranted e) => new()
    {
        Id = e.LicenceId, EnterpriseId = e.EnterpriseId, Kind = e.Kind, Number = e.Number, Activity = e.Activity, CategoryGroup = e.CategoryGroup,
        WasteCodes = [.. e.WasteCodes ?? []], Operations = [.. e.Operations ?? []], Products = [.. e.Products ?? []], WhiteList = e.WhiteList,
        ValidFrom = e.ValidFrom, ValidTo = e.ValidTo, CapacityTonnesPerYear = e.CapacityTonnesPerYear, GrantedAt = e.GrantedAt, GrantedBy = e.GrantedBy,
    };

    public void Apply(LicenceRevoked e) => Revocation = new Revocation(e.EffectiveFrom, e.Reason, e.RecordedAt, e.By);

    /// <summary>Valid on <paramref name="date"/> (China time), both ends inclusive, and not revoked from that date on.</summary>
    public bool Covers(LocalDate date) => ValidFrom <= date && date <= ValidTo && (Revocation is null || date < Revocation.EffectiveFrom);

    /// <summary>How the licence is named in a refusal or an alert: its kind, number and scope.</summary>
    public string Describe() => Kind switch
    {
        LicenceKind.General => $"general licence {Id} ({EnumNames.Of(Activity!.Value)} × {CategoryGroup})",
        LicenceKind.HazardousWaste => $"hazardous waste licence {Number ?? Id.ToString()} ({string.Join(", ", Operations.Select(EnumNames.Of))} of {string.Join(", ", WasteCodes)})",
        LicenceKind.WeeeTreatment => $"WEEE treatment qualification {Number ?? Id.ToString()} ({string.Join(", ", Products)})",
        LicenceKind.BatteryWhiteList => $"power battery white-list entry {Number ?? Id.ToString()} ({EnumNames.Of(WhiteList!.Value)})",
        _ => $"{EnumNames.Of(Kind)} licence {Number ?? Id.ToString()}",
    };
}

/// <summary>A licence withdrawn from <see cref="EffectiveFrom"/> on (China date), with the reason.</summary>
public sealed record Revocation(LocalDate EffectiveFrom, string Reason, Instant RecordedAt, string By);

/// <summary>The response shape of a licence.</summary>
public sealed record LicenceView(
    Guid Id, string EnterpriseId, LicenceKind Kind, string? Number, Activity? Activity, string? CategoryGroup, IReadOnlyList<string> WasteCodes,
    IReadOnlyList<HazardousOperation> Operations, IReadOnlyList<string> Products, WhiteListKind? WhiteList, LocalDate ValidFrom, LocalDate ValidTo,
    decimal CapacityTonnesPerYear, Instant GrantedAt, string GrantedBy, Revocation? Revocation)
{
    public static LicenceView Of(Licence l) => new(l.Id, l.EnterpriseId, l.Kind, l.Number, l.Activity, l.CategoryGroup, l.WasteCodes, l.Operations, l.Products,
        l.WhiteList, l.ValidFrom, l.ValidTo, l.CapacityTonnesPerYear, l.GrantedAt, l.GrantedBy, l.Revocation);
}
