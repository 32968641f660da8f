using Traceability.Hosting;

namespace Traceability.Compliance;

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
