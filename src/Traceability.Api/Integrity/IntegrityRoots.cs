using NodaTime;
using Weasel.Postgresql.Tables;

namespace Traceability.Integrity;

/// <summary>
/// A root was sealed: the Merkle root over every stream's head (its latest chain hash) as the sealing read them. Roots
/// are events of one stream, so they are chained themselves, and each is published at GET /api/integrity/roots.
/// </summary>
/// <param name="Number">1, 2, 3...: the version of the roots stream it is.</param>
/// <param name="UpToSeq">The highest event sequence number among the heads sealed.</param>
/// <param name="MerkleRoot">Hex SHA-256.</param>
public sealed record IntegrityRootSealed(long Number, Instant SealedAt, long UpToSeq, int LeafCount, string MerkleRoot);

public static class IntegrityRoots
{
    /// <summary>The one stream the roots are appended to.</summary>
    public static readonly Guid Stream = new("5ea1ed00-0000-7000-8000-000000000001");

    public const string LeavesTable = "integrity_leaves";

    /// <summary>
    /// Each root's leaves in order (stream, version, head), so a proof is the path through exactly the tree that was
    /// sealed, whatever was appended since. One row per stream per root: see docs/epcis.md for what this costs at scale.
    /// </summary>
    public static Table Leaves(string schema)
    {
        var leaves = new Table($"{schema}.{LeavesTable}");
        leaves.AddColumn<long>("root").AsPrimaryKey();
        leaves.AddColumn<int>("idx").AsPrimaryKey();
        leaves.AddColumn<Guid>("stream_id").NotNull();
        leaves.AddColumn<long>("version").NotNull();
        leaves.AddColumn("head", "bytea").NotNull();
        // A proof looks up the latest root that holds a stream.
        leaves.Indexes.Add(new IndexDefinition("ix_integrity_leaves_stream") { Columns = ["stream_id", "root"] });
        return leaves;
    }
}
