using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using NodaTime;

namespace Traceability.Requests;

/// <summary>
/// An <c>Idempotency-Key</c> sent with a write, scoped to the caller and the operation, with a hash of
/// the request so that a key reused for a different request is told apart from a retry.
/// </summary>
public sealed record IdempotencyKey(string Id, string RequestHash)
{
    public const string Header = "Idempotency-Key";
    const int MaxLength = 255;

    /// <summary>Reads the header; a missing header means the write is not idempotent.</summary>
    public static (IdempotencyKey? Key, Refusal? Refusal) From(HttpContext http, string scope, object request) =>
        http.Request.Headers.TryGetValue(Header, out var values) ? FromValue(values.ToString(), scope, request) : (null, null);

    /// <summary>A key sent otherwise than as a header (a bulk ingest line's <c>idempotencyKey</c>); null means none.</summary>
    public static (IdempotencyKey? Key, Refusal? Refusal) FromValue(string? key, string scope, object request)
    {
        if (key is null) return (null, null);
        if (string.IsNullOrWhiteSpace(key) || key.Length > MaxLength || key.Any(char.IsControl))
            return (null, Refusal.Invalid(Header, $"must be 1 to {MaxLength} printable characters"));
        var body = JsonSerializer.SerializeToUtf8Bytes(request, request.GetType());
        var hash = Convert.ToHexString(SHA256.HashData([.. Encoding.UTF8.GetBytes(scope), 0, .. body]));
        return (new IdempotencyKey($"{scope}|{key}", hash), null);
    }
}

/// <summary>The first response to an idempotent write, kept so a retry gets it back.</summary>
public sealed class IdempotentResponse
{
    public string Id { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int Status { get; set; }
    public string? BodyJson { get; set; }
    public string? Location { get; set; }
    public Instant RecordedAt { get; set; }
}

public static class Idempotency
{
    /// <summary>The stored outcome of an earlier request with the same key, or null to go ahead.</summary>
    public static async Task<WriteOutcome?> ReplayAsync(IDocumentSession session, IdempotencyKey? key, CancellationToken ct)
    {
        if (key is null) return null;
        var stored = await session.LoadAsync<IdempotentResponse>(key.Id, ct);
        if (stored is null) return null;
        if (stored.RequestHash != key.RequestHash) return Reused;
        var body = stored.BodyJson is null ? (object?)null : JsonDocument.Parse(stored.BodyJson).RootElement.Clone();
        return new WriteOutcome(stored.Status, body, stored.Location, Replayed: true);
    }

    /// <summary>The answer to a key sent again with a different request.</summary>
    public static readonly Refusal Reused = new(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused.",
        $"{IdempotencyKey.Header}: this key was already used for a different request; use a new key for a new request.",
        new Dictionary<string, string[]> { [IdempotencyKey.Header] = ["was already used for a different request"] });

    /// <summary>
    /// Keeps a successful outcome in the same unit of work as the events it describes. Refusals are
    /// not kept, so a client may correct its request and retry with the same key.
    /// </summary>
    public static void Remember(IDocumentSession session, IdempotencyKey? key, WriteOutcome outcome, Instant now, JsonSerializerOptions json)
    {
        if (key is null || !outcome.Succeeded) return;
        // Insert, not Store: two racing first attempts collide here, and the loser gets a 409.
        session.Insert(new IdempotentResponse
        {
            Id = key.Id,
            RequestHash = key.RequestHash,
            Status = outcome.Status,
            BodyJson = outcome.Body is null ? null : JsonSerializer.Serialize(outcome.Body, outcome.Body.GetType(), json),
            Location = outcome.Location,
            RecordedAt = now,
        });
    }
}
