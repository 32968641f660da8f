using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodaTime;
using Traceability.Statistics;

namespace Traceability;

/// <summary>
/// /health/live: the process answers (no dependency checked, so an orchestrator restarts only a hung process).
/// /health/ready: PostgreSQL answers, and the projection daemon (on whichever node runs it) keeps the
/// statistics within <see cref="MaxLagSeconds"/> of the log. Both anonymous: they say nothing of the data.
/// </summary>
public static class Health
{
    public const double MaxLagSeconds = 300;

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ProjectionsKeepUp>("postgresql-and-daemon", tags: ["ready"]);
        return services;
    }

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>One query answers both: it reads the event log's head and the daemon's progress from PostgreSQL.</summary>
    sealed class ProjectionsKeepUp(Figures figures, IClock clock) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                var freshness = await figures.FreshnessAsync(clock.GetCurrentInstant(), ct);
                return freshness.LagSeconds <= MaxLagSeconds
                    ? HealthCheckResult.Healthy($"statistics {freshness.LagEvents} events, {freshness.LagSeconds} s behind the log")
                    : HealthCheckResult.Unhealthy($"the projection daemon is {freshness.LagSeconds} s behind the log");
            }
            catch (Npgsql.NpgsqlException e)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL does not answer", e);
            }
        }
    }
}
