using Traceability.Hosting;

namespace Traceability.Compliance;

/// <summary>The limits of the compliance rules (configuration section "Traceability:Compliance").</summary>
public sealed class ComplianceOptions
{
    public double InTransitLimitHours { get; set; } = 72;

    /// <summary>
    /// A dispatch reported after its deadline had already passed gets this long from its recording for the
    /// receipt or rejection to be reported too, before the in-transit check runs: enterprises upload a late
    /// dispatch and its receipt one after the other, not at once.
    /// </summary>
    public double LateReportGraceMinutes { get; set; } = 60;

    /// <summary>When the in-transit check of a dispatch runs: its deadline, or for a late report the grace after it was recorded.</summary>
    public NodaTime.Instant TransitCheckAt(NodaTime.Instant dispatchedAt, NodaTime.Instant recordedAt)
    {
        var deadline = dispatchedAt + NodaTime.Duration.FromHours(InTransitLimitHours);
        var grace = recordedAt + NodaTime.Duration.FromMinutes(LateReportGraceMinutes);
        return deadline < recordedAt && grace > deadline ? grace : deadline;
    }

    /// <summary>
    /// Storage limits in days for category groups whose categories carry none of their own (seeds/categories.json
    /// sets medical waste at 2 days and other hazardous waste at a year); a deployment adds local limits here.
    /// </summary>
    public Dictionary<string, int> StorageLimitDays { get; set; } = [];

    /// <summary>
    /// Power battery reports are due within this many Chinese working days of the operation (2018 traceability
    /// provisions: vehicle dismantlers and cascade users 15)...
    /// </summary>
    public int BatteryReportWorkingDays { get; set; } = 15;

    /// <summary>...and recyclers (on the white list for recycling) 30, after receipt and after final treatment.</summary>
    public int BatteryRecyclerReportWorkingDays { get; set; } = 30;

    /// <summary>Refused registrations of one identifier that make an alert.</summary>
    public int RepeatedIdentifierAttempts { get; set; } = 2;

    /// <summary>Rules switched off, by name (e.g. "storage-too-long").</summary>
    public List<string> DisabledRules { get; set; } = [];

    public bool Enabled(AlertRule rule) => !DisabledRules.Contains(EnumNames.Of(rule));
}
