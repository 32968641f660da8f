using Traceability.Hosting;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using NodaTime;

namespace Traceability.Compliance;

[JsonConverter(typeof(JsonStringEnumConverter<AlertRule>))]
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
    /// <summary>An operation recorded after the licence that covered its date had expired or been revoked.</summary>
    [JsonStringEnumMemberName("recorded-after-licence-expiry")] RecordedAfterLicenceExpiry,
}

[JsonConverter(typeof(JsonStringEnumConverter<AlertStatus>))]
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
public sealed class Alert
{
    public Guid Id { get; set; }
    public string Key { get; set; } = "";
    public AlertRule Rule { get; set; }
    public Guid? BatchId { get; set; }
    public List<string> Enterprises { get; set; } = [];
    /// <summary>The city the breach happened in; <see cref="Cities"/> are all it touches (for regulators' scope).</summary>
    public string City { get; set; } = "";
    public List<string> Cities { get; set; } = [];
    public string Evidence { get; set; } = "";
    public Instant OccurredAt { get; set; }
    public Instant RaisedAt { get; set; }
    public AlertStatus Status { get; set; }
    public AlertResolution? Resolution { get; set; }

    /// <summary>A name-based id: the first 16 bytes of the key's SHA-256 (not a secret; only stable and unique).</summary>
    public static Guid IdOf(string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
}

/// <summary>The limits of the compliance rules (configuration section "Traceability:Compliance").</summary>
public sealed class ComplianceOptions
{
    public double InTransitLimitHours { get; set; } = 72;

    /// <summary>Storage limit in days per category group; groups not listed have none.</summary>
    public Dictionary<string, int> StorageLimitDays { get; set; } = new() { ["hazardous-waste"] = 365 };

    /// <summary>Refused registrations of one identifier that make an alert.</summary>
    public int RepeatedIdentifierAttempts { get; set; } = 2;

    /// <summary>Rules switched off, by name (e.g. "storage-too-long").</summary>
    public List<string> DisabledRules { get; set; } = [];

    public bool Enabled(AlertRule rule) => !DisabledRules.Contains(EnumNames.Of(rule));
}
