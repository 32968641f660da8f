using NodaTime;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Traceability.Hosting;
using Traceability.Statistics;

namespace Traceability;

/// <summary>
/// OpenTelemetry: request rate and latency (ASP.NET Core), events appended, and the statistics projection's
/// lag, in Prometheus text at /metrics; traces of requests, Marten and Wolverine, sent over OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<ProjectionLag>();
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionLag>());
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("traceability"));
        telemetry.WithMetrics(m => m.AddAspNetCoreInstrumentation().AddMeter(Metrics.MeterName).AddPrometheusExporter());
        telemetry.WithTracing(t =>
        {
            t.AddAspNetCoreInstrumentation().AddSource("Marten").AddSource("Wolverine");
            if (!string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"])) t.AddOtlpExporter();
        });
        return services;
    }

    /// <summary>Anyone may read it, as scrapers do: counts and latencies per route, nothing of any party's data.</summary>
    public static void MapTelemetry(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().ExcludeFromDescription();

    /// <summary>How far the statistics projection lags the log, read every few seconds so a scrape costs no query.</summary>
    sealed class ProjectionLag : BackgroundService
    {
        readonly IServiceProvider _services;
        readonly ILogger<ProjectionLag> _logger;
        FreshnessView? _last;

        public ProjectionLag(IServiceProvider services, ILogger<ProjectionLag> logger)
        {
            _services = services;
            _logger = logger;
            Metrics.Meter.CreateObservableGauge("traceability.projection.lag", () => _last?.LagSeconds ?? 0, "s", "Age of the oldest event the statistics projection has not processed");
            Metrics.Meter.CreateObservableGauge("traceability.projection.lag_events", () => _last?.LagEvents ?? 0, "{event}", "Events the statistics projection has not processed");
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
            do
            {
                try
                {
                    _last = await _services.GetRequiredService<Figures>().FreshnessAsync(_services.GetRequiredService<IClock>().GetCurrentInstant(), stoppingToken);
                }
                catch (Npgsql.NpgsqlException e)
                {
                    _logger.LogWarning("The projection lag could not be read: {Reason}", e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
    }
}
