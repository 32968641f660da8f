using System.Diagnostics.Metrics;

namespace Traceability.Hosting;

/// <summary>The service's own instruments (meter "Traceability"), beside ASP.NET Core's request metrics; /metrics exports them.</summary>
public static class Metrics
{
    public const string MeterName = "Traceability";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Events the batch pipeline appended, by event type.</summary>
    public static readonly Counter<long> EventsAppended = Meter.CreateCounter<long>("traceability.events.appended", "{event}", "Events batch commands handed to the store (one that then loses a race at commit is counted too)");
}
