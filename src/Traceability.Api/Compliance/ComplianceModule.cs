using JasperFx.Events.Projections;
using Marten;
using Traceability.Compliance.Extending;
using Traceability.Compliance.Listing;
using Traceability.Compliance.Resolving;

namespace Traceability.Compliance;

public static class ComplianceModule
{
    public static StoreOptions AddCompliance(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(AlertRaised), typeof(AlertResolved)]);
        // Inline: an alert is listed as soon as the rule's transaction commits, and a resolution reads the state it changes.
        options.Projections.Snapshot<Alert>(SnapshotLifecycle.Inline);
        options.Schema.For<Alert>().Index(a => a.RaisedAt);
        return options;
    }

    public static void MapCompliance(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/alerts").WithTags("Compliance");
        alerts.MapListAlerts();
        alerts.MapResolveAlert();
        app.MapExtendStorage();
    }
}
