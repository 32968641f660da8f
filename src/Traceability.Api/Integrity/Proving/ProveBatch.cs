using Marten;
using Npgsql;
using Traceability.Batches.Reading;
using Traceability.Requests;

namespace Traceability.Integrity.Proving;

/// <summary>A stream's proof, and what the service itself finds when it checks it.</summary>
public sealed record IntegrityView(StreamProof Proof, Verdict Verdict);

public static class ProveBatchEndpoint
{
    public static void MapProveBatch(this RouteGroupBuilder integrity) =>
        integrity.MapGet("/batches/{id:guid}", Prove)
            .WithName("ProveBatch")
            .WithSummary("A batch's hash chain and its proof up to a sealed root")
            .WithDescription("Every event of the batch with the fields its hash is taken of (stream, version, type, event id, recorded instant, the stored JSON as text), the event hash and chain hash recorded when it was stored, and, once a root covers the batch, the Merkle path from its head to that root. `verdict` is the service's own check of the same proof; tools/Traceability.Verifier repeats it without the database. A batch the caller may not see is a 404.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<IntegrityView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

    static async Task<IResult> Prove(Guid id, HttpContext http, IQuerySession session, NpgsqlDataSource dataSource)
    {
        if (await ReadBatchEndpoints.ReadableAsync(session, id, http) is null) return ReadBatchEndpoints.NotFound(id);
        var proof = await ReadAsync(dataSource, session.DocumentStore.Options.DatabaseSchemaName, id, http.RequestAborted);
        return Results.Ok(new IntegrityView(proof, ChainProof.Verify(proof)));
    }

    /// <summary>The stream's events as stored now, beside the links recorded when they were stored, and the latest root's path.</summary>
    public static async Task<StreamProof> ReadAsync(NpgsqlDataSource dataSource, string schema, Guid stream, CancellationToken token)
    {
        var events = new List<ProofEvent>();
        await using (var read = dataSource.CreateCommand(
            $"""
            select e.version, e.type, e.id, to_char(e.timestamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), e.data::text,
                   encode(c.event_hash, 'hex'), encode(c.chain_hash, 'hex')
            from {schema}.mt_events e left join {schema}.{EventChain.TableName} c on c.stream_id = e.stream_id and c.version = e.version
            where e.stream_id = $1 order by e.version
            """))
        {
            read.Parameters.AddWithValue(stream);
            await using var reader = await read.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
                events.Add(new ProofEvent(reader.GetInt64(0), reader.GetString(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4),
                    reader.IsDBNull(5) ? "" : reader.GetString(5), reader.IsDBNull(6) ? "" : reader.GetString(6)));
        }
        return new StreamProof(stream, events, await RootAsync(dataSource, schema, stream, token));
    }

    static async Task<RootProof?> RootAsync(NpgsqlDataSource dataSource, string schema, Guid stream, CancellationToken token)
    {
        await using var latest = dataSource.CreateCommand(
            $"""
            select l.root, l.idx, l.version, encode(l.head, 'hex'), r.data ->> 'sealedAt', r.data ->> 'merkleRoot', (r.data ->> 'leafCount')::int
            from {schema}.{IntegrityRoots.LeavesTable} l
            join {schema}.mt_events r on r.stream_id = $2 and r.version = l.root
            where l.stream_id = $1 order by l.root desc limit 1
            """);
        latest.Parameters.AddWithValue(stream);
        latest.Parameters.AddWithValue(IntegrityRoots.Stream);
        await using var reader = await latest.ExecuteReaderAsync(token);
        if (!await reader.ReadAsync(token)) return null;
        var (root, index, version, head, sealedAt, merkleRoot, count) =
            (reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetInt32(6));
        await reader.CloseAsync();

        // The path is rebuilt from the root's stored leaves: the tree that was sealed, not the streams as they are now.
        var leaves = new List<byte[]>(count);
        await using var all = dataSource.CreateCommand($"select stream_id, version, head from {schema}.{IntegrityRoots.LeavesTable} where root = $1 order by idx");
        all.Parameters.AddWithValue(root);
        await using var rows = await all.ExecuteReaderAsync(token);
        while (await rows.ReadAsync(token)) leaves.Add(ChainProof.Leaf(rows.GetGuid(0), rows.GetInt64(1), (byte[])rows[2]));
        return new RootProof(root, sealedAt, merkleRoot, count, index, version, head, ChainProof.Path(leaves, index));
    }
}
