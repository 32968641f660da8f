using System.Security.Cryptography;
using System.Text;

// This file is compiled into the service and, as it is, into tools/Traceability.Verifier, which checks a proof
// without a database: it depends on nothing but the base library.
namespace Traceability.Integrity.Proving;

/// <summary>One stored event as its chain link saw it: the fields of its canonical text, and the two hashes recorded when it was stored.</summary>
/// <param name="RecordedAt">The recorded instant in UTC with microseconds, as the canonical text writes it (2026-11-23T08:00:00.123456Z).</param>
/// <param name="Data">The event's stored JSON exactly as PostgreSQL writes it (jsonb text): its canonical form.</param>
/// <param name="EventHash">SHA-256 of the canonical text when it was stored, hex.</param>
/// <param name="ChainHash">SHA-256 of the previous link's chain hash and this event hash, hex.</param>
public sealed record ProofEvent(long Version, string Type, Guid EventId, string RecordedAt, string Data, string EventHash, string ChainHash);

/// <summary>A sibling on the way from a leaf to the root: <c>left</c> when it is hashed before the running hash.</summary>
public sealed record ProofStep(string Side, string Hash);

/// <summary>Where the stream's head stood in a sealed root, and the Merkle path from that leaf to the root.</summary>
public sealed record RootProof(long Number, string SealedAt, string MerkleRoot, int LeafCount, int LeafIndex, long LeafVersion, string LeafHead, IReadOnlyList<ProofStep> Path);

/// <summary>A stream's chain with, once a root covers it, the proof up to that root.</summary>
public sealed record StreamProof(Guid StreamId, IReadOnlyList<ProofEvent> Events, RootProof? Root);

/// <summary>Whether the chain holds; if not, the first link that breaks and why.</summary>
public sealed record Verdict(bool Intact, long? BrokenAtVersion, string Detail);

/// <summary>
/// The checks a regulator runs on a proof: every event hashes to its link, every link follows from the one before
/// (versions 1, 2, 3... with none missing), and the head a root sealed leads by its Merkle path to that root.
/// </summary>
public static class ChainProof
{
    public static Verdict Verify(StreamProof proof)
    {
        var previous = new byte[32];
        long expected = 1;
        foreach (var e in proof.Events)
        {
            if (e.Version != expected) return Broken(expected, $"version {expected} is missing from the chain (next is {e.Version})");
            var eventHash = SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(proof.StreamId, e)));
            if (!Hex(eventHash).Equals(e.EventHash, StringComparison.OrdinalIgnoreCase))
                return Broken(e.Version, $"event {e.EventId} ({e.Type}) no longer hashes to the hash recorded when it was stored: it was altered afterwards");
            var chain = SHA256.HashData([.. previous, .. eventHash]);
            if (!Hex(chain).Equals(e.ChainHash, StringComparison.OrdinalIgnoreCase))
                return Broken(e.Version, $"the chain hash of version {e.Version} does not follow from version {e.Version - 1}'s and the event's hash");
            previous = chain;
            expected++;
        }
        if (proof.Root is not { } root) return new Verdict(true, null, $"{proof.Events.Count} event(s) chained; no root covers the stream yet");
        var sealedLink = proof.Events.FirstOrDefault(e => e.Version == root.LeafVersion);
        if (sealedLink is null || !sealedLink.ChainHash.Equals(root.LeafHead, StringComparison.OrdinalIgnoreCase))
            return Broken(root.LeafVersion, $"root {root.Number} sealed version {root.LeafVersion} with head {root.LeafHead}, which the chain does not hold");
        var running = Leaf(proof.StreamId, root.LeafVersion, Convert.FromHexString(root.LeafHead));
        foreach (var step in root.Path)
            running = step.Side == "left" ? Node(Convert.FromHexString(step.Hash), running) : Node(running, Convert.FromHexString(step.Hash));
        if (!Hex(running).Equals(root.MerkleRoot, StringComparison.OrdinalIgnoreCase))
            return Broken(root.LeafVersion, $"the Merkle path does not lead to root {root.Number} ({root.MerkleRoot})");
        return new Verdict(true, null, $"{proof.Events.Count} event(s) chained; versions 1-{root.LeafVersion} sealed in root {root.Number} ({root.MerkleRoot}) of {root.SealedAt}");
    }

    /// <summary>The text an event's hash is taken of (the database's trigger builds the same from the stored row).</summary>
    public static string Canonical(Guid stream, ProofEvent e) => $"{stream}\n{e.Version}\n{e.Type}\n{e.EventId}\n{e.RecordedAt}\n{e.Data}";

    /// <summary>A stream's head as a leaf: SHA-256 of 0x00, "{stream}\n{version}\n" and the head (the prefix keeps leaves and nodes apart).</summary>
    public static byte[] Leaf(Guid stream, long version, byte[] head) => SHA256.HashData([0, .. Encoding.UTF8.GetBytes($"{stream}\n{version}\n"), .. head]);

    public static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([1, .. left, .. right]);

    /// <summary>The Merkle root of the leaves in order: pairs hashed level by level, an odd last node carried up as it is.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leaves) => Levels(leaves)[^1][0];

    /// <summary>The siblings from leaf <paramref name="index"/> to the root.</summary>
    public static List<ProofStep> Path(IReadOnlyList<byte[]> leaves, int index)
    {
        var path = new List<ProofStep>();
        foreach (var level in Levels(leaves).SkipLast(1))
        {
            var sibling = index % 2 == 0 ? index + 1 : index - 1;
            if (sibling < level.Count) path.Add(new ProofStep(index % 2 == 0 ? "right" : "left", Hex(level[sibling])));
            index /= 2;
        }
        return path;
    }

    static List<List<byte[]>> Levels(IReadOnlyList<byte[]> leaves)
    {
        if (leaves.Count == 0) return [[SHA256.HashData([])]];
        var levels = new List<List<byte[]>> { leaves.ToList() };
        while (levels[^1].Count > 1)
        {
            var below = levels[^1];
            var level = new List<byte[]>((below.Count + 1) / 2);
            for (var i = 0; i < below.Count; i += 2) level.Add(i + 1 < below.Count ? Node(below[i], below[i + 1]) : below[i]);
            levels.Add(level);
        }
        return levels;
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    static Verdict Broken(long version, string detail) => new(false, version, detail);
}
