using System.Net;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Changes.Feed;
using Traceability.ReferenceData.Caching;
using Wolverine;
using Wolverine.Attributes;

namespace Traceability.Changes.Webhooks;

/// <summary>Hand the next page of a subscription's visible events to delivery, if the last page was delivered.</summary>
public sealed record PumpWebhook(Guid SubscriptionId);

/// <summary>Deliver a page of events, in order, to one subscription: a durable message from the pump's transaction.</summary>
public sealed record DeliverWebhook(Guid SubscriptionId, IReadOnlyList<DeliveryEvent> Events, long Until);

/// <summary>A feed event as a durable message carries it: the event's JSON as text, so any message serializer keeps it byte for byte.</summary>
public sealed record DeliveryEvent(string Cursor, Guid BatchId, long Version, string Type, DateTimeOffset RecordedAt, string Data);

/// <summary>A receiver refused or could not be reached: the delivery is retried with back-off.</summary>
public sealed class WebhookDeliveryFailedException(string message) : Exception(message);

/// <summary>
/// Delivery: the pump hands a subscription one page at a time, in the same transaction that moves its cursor (Wolverine's
/// outbox, so a page is neither lost nor handed twice); the page's events go out one by one in feed order, each signed,
/// each retried with back-off until the receiver takes it. One page in flight per subscription keeps the order, per
/// batch and overall, whichever node delivers.
/// </summary>
[WolverineHandler]
public static class WebhookDelivery
{
    public const int PageSize = 100;

    /// <summary>A page in flight longer than this without success is handed out again, after Wolverine's retries gave up on it.</summary>
    public static readonly Duration Stuck = Duration.FromMinutes(10);

    public static async Task Handle(PumpWebhook pump, IDocumentSession session, IMessageContext bus, ChangeFeed feed, ReferenceCache references, IClock clock, CancellationToken ct)
    {
        var subscription = await session.LoadAsync<WebhookSubscription>(pump.SubscriptionId, ct);
        if (subscription is null) return;
        var now = clock.GetCurrentInstant();
        var inFlight = subscription.Enqueued > subscription.Delivered;
        if (inFlight && (subscription.LastAttemptAt is not { } last || now - last < Stuck)) return;
        // A regulator's or statistician's webhook stops with its key.
        if (subscription.EnterpriseId is null && await references.GetAsync(ReferenceChanges.Kinds.ApiKey, subscription.KeyId,
                t => session.LoadAsync<ApiKey>(Guid.Parse(subscription.KeyId), t), ct) is not { RevokedAt: null })
            return;
        var page = await feed.ReadAsync(Visibility.ScopeOf(subscription.Owner), subscription.Delivered, PageSize, ct);
        var until = long.Parse(page.Cursor, System.Globalization.CultureInfo.InvariantCulture);
        if (until == subscription.Delivered) return;
        if (page.Events.Count == 0) subscription.Delivered = until;
        else await bus.PublishAsync(new DeliverWebhook(subscription.Id,
            [.. page.Events.Select(e => new DeliveryEvent(e.Cursor, e.BatchId, e.Version, e.Type, e.RecordedAt, e.Data.GetRawText()))], until));
        subscription.Enqueued = until;
        if (inFlight) subscription.LastAttemptAt = now;
        session.Update(subscription);
    }

    public static async Task Handle(DeliverWebhook delivery, IDocumentStore store, IHttpClientFactory clients, IClock clock, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var subscription = await session.LoadAsync<WebhookSubscription>(delivery.SubscriptionId, ct);
        if (subscription is null) return;
        var client = clients.CreateClient(WebhookModule.ClientName);
        foreach (var e in delivery.Events)
        {
            var seq = long.Parse(e.Cursor, System.Globalization.CultureInfo.InvariantCulture);
            // Delivered before a retry of this page: not sent twice.
            if (seq <= subscription.Delivered) continue;
            var (status, error) = await SendAsync(client, subscription, e, clock.GetCurrentInstant(), ct);
            subscription.LastAttemptAt = clock.GetCurrentInstant();
            subscription.LastStatus = status;
            if (error is not null)
            {
                subscription.LastError = error;
                subscription.Failures++;
                // What was delivered so far stays delivered; the failure is recorded, then Wolverine retries the page.
                session.Update(subscription);
                await session.SaveChangesAsync(ct);
                throw new WebhookDeliveryFailedException($"webhook {subscription.Id}: {error}");
            }
            subscription.Delivered = seq;
            subscription.DeliveredCount++;
            subscription.LastDeliveredAt = subscription.LastAttemptAt;
            subscription.LastError = null;
            subscription.Failures = 0;
        }
        subscription.Delivered = Math.Max(subscription.Delivered, delivery.Until);
        session.Update(subscription);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>The body a receiver gets: <c>{"subscriptionId", "event": {"cursor", "batchId", "version", "type", "recordedAt", "data"}}</c>, as the feed shows the event.</summary>
    public static byte[] Body(Guid subscriptionId, DeliveryEvent e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("subscriptionId", subscriptionId);
            w.WriteStartObject("event");
            w.WriteString("cursor", e.Cursor);
            w.WriteString("batchId", e.BatchId);
            w.WriteNumber("version", e.Version);
            w.WriteString("type", e.Type);
            w.WriteString("recordedAt", e.RecordedAt);
            w.WritePropertyName("data");
            w.WriteRawValue(e.Data, skipInputValidation: true);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static async Task<(int? Status, string? Error)> SendAsync(HttpClient client, WebhookSubscription subscription, DeliveryEvent e, Instant now, CancellationToken ct)
    {
        var body = Body(subscription.Id, e);
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Traceability-Signature", WebhookSubscription.Sign(subscription.Secret, now.ToUnixTimeSeconds(), body));
        request.Headers.Add("X-Traceability-Delivery", $"{subscription.Id}:{e.Cursor}");
        request.Headers.Add("X-Traceability-Event", e.Type);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            return response.IsSuccessStatusCode ? ((int)response.StatusCode, null) : ((int)response.StatusCode, $"the receiver answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (null, $"the receiver could not be reached: {ex.Message}");
        }
    }
}

/// <summary>On every node: asks for each subscription's next page every <see cref="Interval"/>; a subscription another node is pumping conflicts and waits.</summary>
public sealed class WebhookPump(IDocumentStore store, IServiceScopeFactory scopes, ILogger<WebhookPump> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var query = store.QuerySession();
                await using var scope = scopes.CreateAsyncScope();
                var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
                foreach (var id in await query.Query<WebhookSubscription>().Select(s => s.Id).ToListAsync(stoppingToken))
                {
                    try
                    {
                        await bus.InvokeAsync(new PumpWebhook(id), stoppingToken);
                    }
                    catch (Exception e) when (Requests.LostRace.Of(e).Lost)
                    {
                        // Another node moved this subscription's cursor first.
                    }
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                log.LogWarning("Webhook pump: {Reason}", e.Message);
            }
        }
    }
}
