using JasperFx.Events.Projections;
using Marten;

namespace Traceability.Statistics;

public static class StatisticsModule
{
    public static StoreOptions AddStatistics(this StoreOptions options)
    {
        // Async: kept by Marten's daemon, off the write path; rebuilt from the event log on demand.
        options.Projections.Add(new BatchFiguresProjection(), ProjectionLifecycle.Async);
        return options;
    }

    public static void MapStatistics(this IEndpointRouteBuilder app) => app.MapStatisticsEndpoints();
}
