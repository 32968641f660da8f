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
        // Traces only where they go somewhere: a listener makes ASP.NET Core, Marten and Wolverine build and tag an activity
        // for every request, query and message, which is paid on the write path whether or not anything exports it.
        if (!string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.WithTracing(t => t.AddAspNetCoreInstrumentation().AddSource("Marten").AddSource("Wolverine").AddOtlpExporter());
        return services;
    }

    /// <summary>
    /// One structured line per request (method, route, status, milliseconds, key) when <c>Traceability:RequestLog</c> is
    /// true; off by default, since a line per request is a cost on every write and the metrics already count them.
    /// </summary>
    public static void UseRequestLog(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Traceability:RequestLog")) return;
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Traceability.Requests");
        app.Use(async (http, next) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                log.LogInformation("{Method} {Route} {Status} {ElapsedMs:0.0} ms key {Key}", http.Request.Method,
                    (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value, http.Response.StatusCode,
                    System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, http.User.FindFirst(Requests.Caller.KeyClaim)?.Value ?? "-");
            }
        });
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
