namespace Traceability.Hosting;

/// <summary>
/// Keeps the embedded PostgreSQL running while the service runs: if the server dies, it is started again
/// within <see cref="Interval"/>, with one line in the log each way. Requests in between answer 503.
/// </summary>
public sealed class EmbeddedSupervisor(EmbeddedPostgres server, ILogger<EmbeddedSupervisor> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (server.EnsureRunning())
                    logger.LogWarning("The embedded PostgreSQL on 127.0.0.1:{Port} had stopped; it was started again from {Root}.", server.Port, server.Root);
            }
            catch (EmbeddedPostgresUnavailableException e)
            {
                logger.LogError("The embedded PostgreSQL on 127.0.0.1:{Port} is down and did not start again; retrying in {Seconds} s. {Reason}", server.Port, Interval.TotalSeconds, e.Message);
            }
        }
    }
}
