using System.Net.Sockets;
using Marten;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Traceability.Changes.Webhooks;

public static class WebhookModule
{
    public const string ClientName = "webhooks";

    public static StoreOptions AddWebhooks(this StoreOptions options)
    {
        options.Schema.For<WebhookSubscription>().UseOptimisticConcurrency(true).Index(s => s.EnterpriseId).Index(s => s.KeyId);
        return options;
    }

    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Traceability:Webhooks");
        services.Configure<WebhookOptions>(section);
        var options = section.Get<WebhookOptions>() ?? new WebhookOptions();
        services.AddHttpClient(ClientName, c => c.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A receiver answers; it does not send the service elsewhere.
                AllowAutoRedirect = false,
                // Checked again at connect time, on the address actually dialled: a name that resolved to a public address
                // at registration and to a private one now (DNS rebinding) is refused here.
                ConnectCallback = async (context, ct) =>
                {
                    var addresses = await System.Net.Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
                    var allowed = options.AllowPrivateNetworks ? addresses : addresses.Where(a => !WebhookEndpoints.IsPrivate(a)).ToArray();
                    if (allowed.Length == 0) throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no address a webhook may reach");
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            });
        services.AddHostedService<WebhookPump>();
        return services;
    }

    /// <summary>A failed delivery is tried again soon, then less and less often; the page keeps its place, so nothing after it overtakes it.</summary>
    public static void RetryDeliveries(WolverineOptions o) =>
        o.Policies.OnException<WebhookDeliveryFailedException>()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3))
            .Then.ScheduleRetry(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5));
}
