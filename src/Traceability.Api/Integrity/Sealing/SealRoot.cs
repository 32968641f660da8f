using Marten;
using Npgsql;
using NodaTime;
using Traceability.Integrity.Proving;
using Traceability.Requests;

namespace Traceability.Integrity.Sealing;

/// <summary>Seals a root: reads every stream's head, computes the Merkle root, appends it as an event with its leaves, in one transaction.</summary>
public sealed class RootSealer(IDocumentStore store, NpgsqlDataSource dataSource, IClock clock)
{
    public async Task<IntegrityRootSealed> SealAsync(CancellationToken token)
    {
        var schema = store.Options.DatabaseSchemaName;
        var heads = new List<(Guid Stream, long Version, byte[] Head, long Seq)>();
        await using (var read = dataSource.CreateCommand(
            $"select distinct on (stream_id) stream_id, version, chain_hash, seq_id from {schema}.{EventChain.TableName} order by stream_id, version desc"))
        await using (var reader = await read.ExecuteReaderAsync(token))
            while (await reader.ReadAsync(token))
                heads.Add((reader.GetGuid(0), reader.GetInt64(1), (byte[])reader[2], reader.GetInt64(3)));

        var leaves = heads.Select(h => ChainProof.Leaf(h.Stream, h.Version, h.Head)).ToList();
        await using var session = store.LightweightSession();
        var state = await session.Events.FetchStreamStateAsync(IntegrityRoots.Stream, token);
        var number = (state?.Version ?? 0) + 1;
        var sealedRoot = new IntegrityRootSealed(number, clock.GetCurrentInstant(), heads.Count == 0 ? 0 : heads.Max(h => h.Seq), heads.Count,
            ChainProof.Hex(ChainProof.Root(leaves)));
        // The expected version makes two nodes sealing at once conflict instead of both numbering a root the same.
        if (state is null) session.Events.StartStream(IntegrityRoots.Stream, sealedRoot);
        else session.Events.Append(IntegrityRoots.Stream, number, sealedRoot);
        for (var i = 0; i < heads.Count; i += 1000)
        {
            var chunk = heads.Skip(i).Take(1000).ToList();
            session.QueueSqlCommand(
                $"insert into {schema}.{IntegrityRoots.LeavesTable} (root, idx, stream_id, version, head) " +
                "select ?, i.idx, i.stream_id, i.version, decode(i.head, 'hex') from jsonb_to_recordset(?::jsonb) as i(idx int, stream_id uuid, version bigint, head text)",
                number, System.Text.Json.JsonSerializer.Serialize(chunk.Select((h, j) => new { idx = i + j, stream_id = h.Stream, version = h.Version, head = ChainProof.Hex(h.Head) })));
        }
        await session.SaveChangesAsync(token);
        return sealedRoot;
    }
}

/// <summary>Seals a root every <see cref="IntegrityOptions.RootMinutes"/> minutes; on several nodes, one seals and the others' attempts conflict and wait.</summary>
public sealed class RootSchedule(RootSealer sealer, Microsoft.Extensions.Options.IOptions<IntegrityOptions> options, ILogger<RootSchedule> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RootMinutes <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.RootMinutes));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var root = await sealer.SealAsync(stoppingToken);
                log.LogInformation("Sealed integrity root {Number} over {Leaves} streams: {Root}", root.Number, root.LeafCount, root.MerkleRoot);
            }
            catch (Exception e) when (LostRace.Of(e).Item1 || e is NpgsqlException)
            {
                // Another node sealed this round, or the database was away: the next round seals what this one missed.
                log.LogWarning(e, "No integrity root sealed this round");
            }
        }
    }
}

/// <summary>Section "Integrity".</summary>
public sealed class IntegrityOptions
{
    /// <summary>Minutes between sealed roots; 0 seals only on request (POST /api/integrity/roots).</summary>
    public int RootMinutes { get; set; } = 60;
}

public static class SealRootEndpoint
{
    public static void MapSealRoot(this RouteGroupBuilder integrity) =>
        integrity.MapPost("/roots", Seal)
            .WithName("SealIntegrityRoot")
            .WithSummary("Seal an integrity root now")
            .WithDescription("Computes the Merkle root over every stream's head as it stands and records it as an event (the service also does this every `Integrity:RootMinutes`, 60 by default). A root sealed at the same moment by another node is a 409.")
            .RequireAuthorization(Roles.Regulator)
            .Produces<IntegrityRootSealed>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

    static async Task<IResult> Seal(RootSealer sealer, HttpContext http)
    {
        var root = await sealer.SealAsync(http.RequestAborted);
        return Results.Created($"/api/integrity/roots/{root.Number}", root);
    }
}
