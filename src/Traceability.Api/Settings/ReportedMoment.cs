using NodaTime;

namespace Traceability.Settings;

/// <summary>The rule every reported moment keeps, bounded by <see cref="TraceabilityOptions.MaxFutureSkew"/>: not in the future, not before what it follows.</summary>
public static class ReportedMoment
{
    public static string? Check(Instant occurredAt, Instant now, Duration maxFutureSkew, Instant? notBefore = null, string? notBeforeWhat = null)
    {
        if (occurredAt > now + maxFutureSkew)
            return $"must not be more than {maxFutureSkew.TotalMinutes:0} minutes ahead of the server clock ({now})";
        if (notBefore is { } earliest && occurredAt < earliest)
            return $"must not precede {notBeforeWhat} at {earliest}";
        return null;
    }
}
