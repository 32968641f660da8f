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
/// An enterprise tried to give a unit an identifier that already belongs to a batch, and was refused. Kept on
/// the identifier's own stream (<see cref="IdentifierClaim.StreamOf"/>), since cloned VINs and re-used battery
/// codes are what regulators look for. <see cref="HolderStatus"/> says whether the batch it belongs to is still live.
/// </summary>
public sealed record IdentifierClaimRefused(string Identifier, Guid HeldBy, string By, string City, Instant At, BatchStatus? HolderStatus = null);

/// <summary>
/// The claims on the identifiers a command brings, loaded before the pure decision so it can refuse one that
/// is taken (409, naming the batch and its status). A VIN or battery code belongs to its batch's history for
/// life (2018 battery traceability provisions): dismantling, recycling or merging never frees it, so a code
/// that comes back is a clone or a re-used label, and a cascade-use product gets a new code of its own.
/// </summary>
public sealed class HeldIdentifiers
{
    readonly Dictionary<string, IdentifierClaim> _claims;
    readonly Dictionary<Guid, BatchStatus> _status;

    public HeldIdentifiers(IEnumerable<IdentifierClaim> claims, IReadOnlyDictionary<Guid, BatchStatus> status)
    {
        _claims = claims.ToDictionary(c => c.Id);
        _status = status.ToDictionary();
    }

    public static readonly HeldIdentifiers None = new([], new Dictionary<Guid, BatchStatus>());

    public static async Task<HeldIdentifiers> LoadAsync(IQuerySession session, IEnumerable<UnitIdentifier> identifiers, CancellationToken ct)
    {
        var keys = identifiers.Select(IdentifierClaim.KeyOf).Distinct().ToArray();
        if (keys.Length == 0) return None;
        var claims = await session.LoadManyAsync<IdentifierClaim>(ct, keys);
        var holders = await session.LoadManyAsync<Batch>(ct, claims.Select(c => c.BatchId).ToArray());
        return new(claims, holders.ToDictionary(b => b.Id, b => b.Status));
    }

    /// <summary>The status of the batch <paramref name="identifier"/> belongs to, or null when it belongs to none.</summary>
    public BatchStatus? HolderStatus(UnitIdentifier identifier) =>
        _claims.TryGetValue(IdentifierClaim.KeyOf(identifier), out var claim) && _status.TryGetValue(claim.BatchId, out var status) ? status : null;

    /// <summary>Null when <paramref name="identifier"/> belongs to no batch yet, else the 409 naming the batch and its status.</summary>
    public Refusal? RefuseIfHeld(UnitIdentifier identifier, string field)
    {
        var key = IdentifierClaim.KeyOf(identifier);
        if (!_claims.TryGetValue(key, out var claim)) return null;
        var status = HolderStatus(identifier);
        var named = status is { } s ? EnumNames.Of(s) : "unknown";
        var detail = status is null || s_live.Contains(status.Value)
            ? $"{EnumNames.Of(identifier.Kind)} {identifier.Value} is held by live batch {claim.BatchId} ({named})."
            : $"{EnumNames.Of(identifier.Kind)} {identifier.Value} belongs for life to batch {claim.BatchId}, which is {named}: a code is never registered twice; a cascade-use product takes a new code (POST /api/batches/cascade-use).";
        return Refusal.Conflict(detail, field) with
        {
            Extensions = new Dictionary<string, object> { ["heldBy"] = claim.BatchId, ["holderStatus"] = named },
        };
    }

    static readonly HashSet<BatchStatus> s_live = [BatchStatus.Generated, BatchStatus.Derived, BatchStatus.InTransit, BatchStatus.Received];

    /// <summary>
    /// Gives <paramref name="identifier"/> to <paramref name="batchId"/> for good. An insert, so two concurrent
    /// registrations of the same identifier cannot both commit: the second is a 409.
    /// </summary>
    public static void Claim(IDocumentSession session, UnitIdentifier identifier, Guid batchId) =>
        session.Insert(new IdentifierClaim { Id = IdentifierClaim.KeyOf(identifier), BatchId = batchId });
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
