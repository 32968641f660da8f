using Traceability.Hosting;
using System.Text.Json.Serialization;
using NodaTime;

namespace Traceability.Licensing;

/// <summary>What a licence permits an enterprise to do with a category group (经营许可 / 资质).</summary>
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

/// <summary>The administrator or a regulator granted an enterprise a licence (its stream's first event).</summary>
/// <param name="GrantedBy">The granting key's id.</param>
public sealed record LicenceGranted(
    Guid LicenceId, string EnterpriseId, Activity Activity, string CategoryGroup, LocalDate ValidFrom, LocalDate ValidTo,
    decimal CapacityTonnesPerYear, string GrantedBy, Instant GrantedAt);

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
    public Activity Activity { get; set; }
    public string CategoryGroup { get; set; } = "";
    public LocalDate ValidFrom { get; set; }
    public LocalDate ValidTo { get; set; }
    public decimal CapacityTonnesPerYear { get; set; }
    public Instant GrantedAt { get; set; }
    public string GrantedBy { get; set; } = "";
    public Revocation? Revocation { get; set; }

    public static Licence Create(LicenceGranted e) => new()
    {
        Id = e.LicenceId, EnterpriseId = e.EnterpriseId, Activity = e.Activity, CategoryGroup = e.CategoryGroup, ValidFrom = e.ValidFrom,
        ValidTo = e.ValidTo, CapacityTonnesPerYear = e.CapacityTonnesPerYear, GrantedAt = e.GrantedAt, GrantedBy = e.GrantedBy,
    };

    public void Apply(LicenceRevoked e) => Revocation = new Revocation(e.EffectiveFrom, e.Reason, e.RecordedAt, e.By);

    /// <summary>Valid on <paramref name="date"/> (China time), both ends inclusive, and not revoked from that date on.</summary>
    public bool Covers(LocalDate date) => ValidFrom <= date && date <= ValidTo && (Revocation is null || date < Revocation.EffectiveFrom);
}

/// <summary>A licence withdrawn from <see cref="EffectiveFrom"/> on (China date), with the reason.</summary>
public sealed record Revocation(LocalDate EffectiveFrom, string Reason, Instant RecordedAt, string By);

/// <summary>The response shape of a licence.</summary>
public sealed record LicenceView(
    Guid Id, string EnterpriseId, Activity Activity, string CategoryGroup, LocalDate ValidFrom, LocalDate ValidTo,
    decimal CapacityTonnesPerYear, Instant GrantedAt, string GrantedBy, Revocation? Revocation)
{
    public static LicenceView Of(Licence l) => new(l.Id, l.EnterpriseId, l.Activity, l.CategoryGroup, l.ValidFrom, l.ValidTo,
        l.CapacityTonnesPerYear, l.GrantedAt, l.GrantedBy, l.Revocation);
}
