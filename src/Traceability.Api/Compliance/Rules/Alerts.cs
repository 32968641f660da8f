using Marten;
using NodaTime;

namespace Traceability.Compliance.Rules;

/// <summary>How a rule raises an alert: once per occurrence, as the first event of the alert's own stream.</summary>
public static class Alerts
{
    /// <summary>
    /// Starts the alert's stream unless it exists. Two handlers racing on the same occurrence collide on the
    /// stream id at commit; Wolverine retries the loser, which then finds the alert raised.
    /// </summary>
    public static async Task RaiseAsync(
        IDocumentSession session, string key, AlertRule rule, Guid? batchId, IEnumerable<string> enterprises, string city, IEnumerable<string> cities,
        string evidence, Instant occurredAt, Instant now, CancellationToken ct)
    {
        var id = Alert.IdOf(key);
        if (await session.Events.FetchStreamStateAsync(id, ct) is not null) return;
        session.Events.StartStream<Alert>(id,
            new AlertRaised(id, key, rule, batchId, [.. enterprises.Distinct()], city, [.. cities.Distinct()], evidence, occurredAt, now));
    }
}
