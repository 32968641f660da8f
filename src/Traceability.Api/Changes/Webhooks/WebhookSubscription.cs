using System.Security.Cryptography;
using System.Text;
using NodaTime;
using Traceability.Access;
using Traceability.Requests;

namespace Traceability.Changes.Webhooks;

/// <summary>
/// A party's webhook: where its visible events are sent, the secret they are signed with, and how far delivery got.
/// The secret is kept as issued because signing needs it (unlike an API key, which is only ever compared); it is
/// shown once, at registration. Optimistic concurrency: two nodes pumping the same subscription cannot both enqueue.
/// </summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; }
    public string Url { get; set; } = "";
    public string Secret { get; set; } = "";
    public Instant CreatedAt { get; set; }

    /// <summary>The caller the events are chosen for, as its key said at registration.</summary>
    public string Role { get; set; } = "";
    public string KeyId { get; set; } = "";
    public string? EnterpriseId { get; set; }
    public string? City { get; set; }

    /// <summary>The feed cursor up to which events were handed to delivery.</summary>
    public long Enqueued { get; set; }

    /// <summary>The feed cursor up to which every visible event was delivered (a 2xx from the receiver).</summary>
    public long Delivered { get; set; }

    public long DeliveredCount { get; set; }
    public Instant? LastAttemptAt { get; set; }
    public Instant? LastDeliveredAt { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }

    /// <summary>Failed attempts in a row; 0 after a success.</summary>
    public int Failures { get; set; }

    public Caller Owner => new(Role, KeyId, EnterpriseId, City);

    /// <summary>Who may read and delete it: the same enterprise, or the same key for a regulator or statistician.</summary>
    public bool OwnedBy(Caller caller) => caller.Role == Role && (EnterpriseId is not null ? caller.EnterpriseId == EnterpriseId : caller.KeyId == KeyId);

    public string State => Failures > 0 ? "retrying" : Enqueued > Delivered ? "delivering" : "up-to-date";

    public WebhookView View() => new(Id, Url, State, Delivered.ToString(System.Globalization.CultureInfo.InvariantCulture), DeliveredCount, LastAttemptAt,
        LastDeliveredAt, LastStatus, LastError, Failures, CreatedAt);

    public static string NewSecret() => "whsec_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    /// <summary>The signature header's value: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body" under the secret&gt;</c>.</summary>
    public static string Sign(string secret, long unixSeconds, byte[] body)
    {
        var signed = Encoding.UTF8.GetBytes($"{unixSeconds}.").Concat(body).ToArray();
        return $"t={unixSeconds},v1={Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)).ToLowerInvariant()}";
    }
}

/// <summary>A webhook as its owner reads it: where it sends, and the state of delivery (never the secret).</summary>
public sealed record WebhookView(
    Guid Id, string Url, string State, string DeliveredCursor, long DeliveredCount, Instant? LastAttemptAt, Instant? LastDeliveredAt, int? LastStatus,
    string? LastError, int Failures, Instant CreatedAt);

/// <summary>The answer to a registration: the view, and the secret, shown this once.</summary>
public sealed record WebhookRegistered(WebhookView Webhook, string Secret);

/// <summary>Section "Traceability:Webhooks".</summary>
public sealed class WebhookOptions
{
    /// <summary>Plain http receivers; off, a webhook URL must be https.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Receivers on loopback, private or link-local addresses; off, a caller cannot aim the service at its own network.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How many webhooks one party may register.</summary>
    public int MaxPerParty { get; set; } = 10;

    /// <summary>Seconds a receiver has to answer one delivery.</summary>
    public int TimeoutSeconds { get; set; } = 10;
}
