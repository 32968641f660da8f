using JasperFx.Events.Projections;
using Marten;

namespace Traceability.Statistics;

public static class StatisticsModule
{
    public static StoreOptions AddStatistics(this StoreOptions options)
    {
        // Async: kept by Marten's daemon, off the write path; rebuilt from the event log on demand.
        options.Projections.Add(new BatchFiguresProjection(), ProjectionLifecycle.Async);
        // Its facts as indexed rows, kept by triggers on its documents (StatFactsTable).
        options.Storage.Add(new StatFactsFeature(options));
        return options;
    }

    public static void MapStatistics(this IEndpointRouteBuilder app) => app.MapStatisticsEndpoints();
}
