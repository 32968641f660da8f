using Marten;
using NodaTime;
using Traceability.Hosting;
using Wolverine.Attributes;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>Which batch an identifier (a VIN, a battery code) was last given to. The key is the identifier itself.</summary>
public sealed class IdentifierClaim
{
    public string Id { get; set; } = "";
    public Guid BatchId { get; set; }

    public static string KeyOf(UnitIdentifier identifier) => $"{EnumNames.Of(identifier.Kind)}:{identifier.Value}";

    /// <summary>The event stream of an identifier's refused claims, named by the identifier.</summary>
    public static Guid StreamOf(string key) => NameBasedId.Of($"identifier:{key}");
}

/// <summary>
/// An enterprise tried to register a unit whose identifier a live batch holds, and was refused. Kept on the
/// identifier's own stream (<see cref="IdentifierClaim.StreamOf"/>), since cloned VINs and re-used battery
/// codes are what regulators look for.
/// </summary>
public sealed record IdentifierClaimRefused(string Identifier, Guid HeldBy, string By, string City, Instant At);

/// <summary>
/// The claims on the identifiers a command brings, loaded before the pure decision so it can refuse one a
/// live batch holds (409, naming that batch). A terminal batch (dismantled, ended) releases its identifier.
/// </summary>
public sealed class HeldIdentifiers
{
    readonly Dictionary<string, IdentifierClaim> _claims;
    readonly HashSet<string> _live;

    public HeldIdentifiers(IEnumerable<IdentifierClaim> claims, IEnumerable<string> live)
    {
        _claims = claims.ToDictionary(c => c.Id);
        _live = live.ToHashSet();
    }

    public static readonly HeldIdentifiers None = new([], []);

    public static async Task<HeldIdentifiers> LoadAsync(IQuerySession session, IEnumerable<UnitIdentifier> identifiers, CancellationToken ct)
    {
        var keys = identifiers.Select(IdentifierClaim.KeyOf).Distinct().ToArray();
        if (keys.Length == 0) return None;
        var claims = await session.LoadManyAsync<IdentifierClaim>(ct, keys);
        var holders = await session.LoadManyAsync<Batch>(ct, claims.Select(c => c.BatchId).ToArray());
        var live = holders.Where(b => b.IsLive).Select(b => b.Id).ToHashSet();
        return new(claims, claims.Where(c => live.Contains(c.BatchId)).Select(c => c.Id));
    }

    /// <summary>Null when no live batch holds <paramref name="identifier"/>, else the 409 naming the batch that does.</summary>
    public Refusal? RefuseIfHeld(UnitIdentifier identifier, string field)
    {
        var key = IdentifierClaim.KeyOf(identifier);
        if (!_live.Contains(key)) return null;
        var holder = _claims[key].BatchId;
        return Refusal.Conflict($"{EnumNames.Of(identifier.Kind)} {identifier.Value} is held by live batch {holder}.", field) with
        {
            Extensions = new Dictionary<string, object> { ["heldBy"] = holder },
        };
    }

    /// <summary>
    /// Gives <paramref name="identifier"/> to <paramref name="batchId"/>. A first claim is an insert, so two
    /// concurrent registrations of the same identifier cannot both commit: the second is a 409.
    /// </summary>
    public void Claim(IDocumentSession session, UnitIdentifier identifier, Guid batchId)
    {
        var key = IdentifierClaim.KeyOf(identifier);
        if (_claims.TryGetValue(key, out var released))
        {
            released.BatchId = batchId;
            session.Update(released);
        }
        else session.Insert(new IdentifierClaim { Id = key, BatchId = batchId });
    }
}

/// <summary>
/// A refused claim on its way to the identifier's stream. It is recorded after the refusal is answered, in a
/// transaction of its own, so a burst of refused registrations of one identifier neither turns their answers
/// into 409s nor loses any of them: a refusal that lands second is retried on the stream as it now is.
/// </summary>
public sealed record KeepClaimRefusal(IdentifierClaimRefused Refusal);

[WolverineHandler]
public static class ClaimRefusals
{
    [RetryNow(typeof(Exception), 10, 25, 50, 100, 250, 500)]
    public static void Handle(KeepClaimRefusal message, IDocumentSession session) =>
        session.Events.Append(IdentifierClaim.StreamOf(message.Refusal.Identifier), message.Refusal);
}
