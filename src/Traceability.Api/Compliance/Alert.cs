using Traceability.Hosting;
using System.Text.Json.Serialization;
using NodaTime;
using Traceability.Access;

namespace Traceability.Compliance;

// An alert is a stream of its own: raised once, resolved once, each with who and why. The Alert document is
// its inline snapshot, what regulators list.

/// <summary>A compliance rule saw a breach in the events (or a deadline they set passed).</summary>
public sealed record AlertRaised(
    Guid AlertId, string Key, AlertRule Rule, Guid? BatchId, IReadOnlyList<string> Enterprises, string City, IReadOnlyList<string> Cities,
    string Evidence, Instant OccurredAt, Instant RaisedAt);

/// <summary>A regulator closed the alert with what was found and done.</summary>
/// <param name="By">The regulator's key id.</param>
public sealed record AlertResolved(Guid AlertId, string Note, string By, Instant At);

[JsonConverter(typeof(NamedEnumConverter<AlertRule>))]
public enum AlertRule
{
    /// <summary>A dispatch neither received nor rejected within the limit (default 72 hours): in transit too long, possibly diverted.</summary>
    [JsonStringEnumMemberName("in-transit-too-long")] InTransitTooLong,
    /// <summary>A receipt whose weighed mass differs from the dispatched mass beyond the tolerance.</summary>
    [JsonStringEnumMemberName("receipt-discrepancy")] ReceiptDiscrepancy,
    /// <summary>Stored by one holder beyond the limit for its category group (hazardous waste: one year).</summary>
    [JsonStringEnumMemberName("storage-too-long")] StorageTooLong,
    /// <summary>A power battery or hazardous batch disposed of or burnt without passing an enterprise licensed to recycle it.</summary>
    [JsonStringEnumMemberName("left-chain-unrecycled")] LeftChainUnrecycled,
    /// <summary>Repeated attempts to register an identifier a live batch holds.</summary>
    [JsonStringEnumMemberName("repeated-identifier")] RepeatedIdentifier,
    /// <summary>An identifier registered again after its batch was dismantled, recycled, merged or ended: a cloned VIN or a re-used battery code.</summary>
    [JsonStringEnumMemberName("reused-identifier")] ReusedIdentifier,
    /// <summary>An operation recorded after the licence that covered its date had expired or been revoked.</summary>
    [JsonStringEnumMemberName("recorded-after-licence-expiry")] RecordedAfterLicenceExpiry,
    /// <summary>A licence's year-to-date mass passed its approved yearly scale (accepted where the deployment alerts instead of refusing, or by a race).</summary>
    [JsonStringEnumMemberName("licence-scale-exceeded")] LicenceScaleExceeded,
    /// <summary>A power battery operation reported after its upload deadline in Chinese working days (15, or 30 for recyclers).</summary>
    [JsonStringEnumMemberName("late-report")] LateReport,
}

[JsonConverter(typeof(NamedEnumConverter<AlertStatus>))]
public enum AlertStatus
{
    [JsonStringEnumMemberName("open")] Open,
    [JsonStringEnumMemberName("resolved")] Resolved,
}

public sealed record AlertResolution(string Note, string By, Instant At);

/// <summary>
/// A rule broken: which batch, which enterprises, which cities, what evidence, when. Its id comes from the
/// rule and the occurrence (e.g. the manifest), so the same breach raised twice is one alert.
/// </summary>
/// <param name="City">The city the breach happened in; <paramref name="Cities"/> are all it touches (for regulators' scope).</param>
public sealed record Alert(
    Guid Id, string Key, AlertRule Rule, Guid? BatchId, IReadOnlyList<string> Enterprises, string City, IReadOnlyList<string> Cities,
    string Evidence, Instant OccurredAt, Instant RaisedAt, AlertStatus Status, AlertResolution? Resolution) : IScoped
{
    public static Alert Create(AlertRaised e) =>
        new(e.AlertId, e.Key, e.Rule, e.BatchId, e.Enterprises, e.City, e.Cities, e.Evidence, e.OccurredAt, e.RaisedAt, AlertStatus.Open, null);

    public Alert Apply(AlertResolved e) => this with { Status = AlertStatus.Resolved, Resolution = new AlertResolution(e.Note, e.By, e.At) };

    public bool Involves(string enterpriseId) => Enterprises.Contains(enterpriseId);

    public bool TouchesCity(string city) => Cities.Contains(city);

    /// <summary>The alert's id, named by its occurrence.</summary>
    public static Guid IdOf(string key) => NameBasedId.Of(key);
}
