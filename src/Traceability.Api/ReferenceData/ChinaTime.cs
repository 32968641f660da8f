using NodaTime;

namespace Traceability.ReferenceData;

/// <summary>China Standard Time (Asia/Shanghai): where the policy means a day, a month or a year.</summary>
public static class ChinaTime
{
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    public static LocalDate DateOf(Instant instant) => instant.InZone(Zone).Date;
}
