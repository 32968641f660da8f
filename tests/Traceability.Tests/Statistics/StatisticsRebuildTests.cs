using Marten;
using Npgsql;
using Traceability.Statistics.Rebuilding;
using Traceability.Tests.Contracts;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Statistics;

/// <summary>
/// The bulk rebuild against the daemon, row for row: the documents, the facts and the sums the daemon wrote event by
/// event are what the rebuild writes from the log, and the daemon goes on from where the rebuild stopped.
/// </summary>
public sealed class StatisticsRebuildTests(ApiFixture api) : ApiTest(api)
{
    IDocumentStore Store => Api.Services.GetRequiredService<IDocumentStore>();
    NpgsqlDataSource DataSource => Api.Services.GetRequiredService<NpgsqlDataSource>();

    Task CaughtUpAsync() => Api.ProjectionsCaughtUpAsync();

    Task<RebuildOutcome> RebuildAsync() =>
        StatisticsRebuild.RunAsync(Store, DataSource, Api.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>().DaemonForMainDatabase(), CancellationToken.None);

    /// <summary>Everything the projection keeps, as text in a fixed order: documents (with the version Marten records), facts, non-zero and zero sums alike.</summary>
    async Task<string[]> TablesAsync()
    {
        var lines = new List<string>();
        foreach (var sql in new[]
        {
            "select id::text || ' v' || mt_version || ' ' || mt_dotnet_type || ' ' || data::text from traceability.mt_doc_batchfigures order by id",
            "select concat_ws('|', batch_id, n, view, month, city, category, measure, to_city, origin_month, kg, units, recorded_ms) from traceability.stat_facts order by batch_id, n",
            "select concat_ws('|', view, city, month, category, measure, origin_month, to_city, kg, units, max_recorded_ms) from traceability.stat_monthly order by view, city, month, category, measure, origin_month, to_city",
        })
        {
            await using var command = DataSource.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        }
        return [.. lines];
    }

    [Fact]
    public async Task the_bulk_rebuild_writes_what_the_daemon_wrote_row_for_row_and_the_daemon_goes_on_from_it()
    {
        await SchemaTests.WriteEveryEventAsync(Api);
        var chain = new Chain(Api);
        var estate = await chain.PartyAsync("320700", "generator");
        var sorter = await chain.PartyAsync("320200", "sorter", "construction-waste", "collect", "sort", "dispose", "recover-energy", "reuse");
        var batch = await chain.RegisterAsync(estate, "decoration-waste", 1_000.125m);
        await chain.TransferAsync(estate, sorter, batch, 1_000.125m, weighedKg: 990m);
        await chain.FateAsync(sorter, batch, "disposal", 400m, method: "landfill");
        await chain.FateAsync(sorter, batch, "disposal", 290m, method: "incineration");
        await CaughtUpAsync();

        // Every event type the projection reads is in the store, so the comparison covers each fold.
        var folds = Fold.ForProjection(Store);
        await using (var types = DataSource.CreateCommand("select distinct type from traceability.mt_events"))
        await using (var reader = await types.ExecuteReaderAsync())
        {
            var stored = new HashSet<string>();
            while (await reader.ReadAsync()) stored.Add(reader.GetString(0));
            Assert.Empty(folds.TypeNames.Except(stored));
        }

        var byDaemon = await TablesAsync();
        Assert.Contains(byDaemon, l => l.Contains("|origin|", StringComparison.Ordinal) || l.StartsWith("origin|", StringComparison.Ordinal));
        var outcome = await RebuildAsync();
        Assert.True(outcome.Events > 20 && outcome.Facts > 20 && outcome.Sums > 20, outcome.ToString());
        Assert.Equal(byDaemon, await TablesAsync());

        // The daemon resumes after the rebuild's mark: a later event is projected once, as if nothing had been rebuilt.
        await chain.FateAsync(sorter, batch, "reuse", 300m);
        await CaughtUpAsync();
        var afterMore = await TablesAsync();
        Assert.NotEqual(byDaemon, afterMore);
        await RebuildAsync();
        Assert.Equal(afterMore, await TablesAsync());
    }

    [Fact]
    public async Task the_rebuild_command_refuses_while_a_node_of_the_service_is_connected_and_changes_nothing()
    {
        var chain = new Chain(Api);
        var estate = await chain.PartyAsync("320700", "generator");
        await chain.RegisterAsync(estate, "decoration-waste", 12.5m);
        await CaughtUpAsync();
        var before = await TablesAsync();

        // The test host is a running node: its daemon and listeners hold connections named as the service's.
        var output = new StringWriter();
        var exit = await RebuildCommand.RunAsync(Api.Services, output, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("Stop every node first", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await TablesAsync());
        Assert.True(RebuildCommand.Matches(["statistics", "rebuild"]));
        Assert.False(RebuildCommand.Matches(["statistics"]));
    }

    [Fact]
    public async Task offline_the_rebuild_reads_to_the_last_event_whatever_mark_a_stopped_daemon_left_behind()
    {
        var chain = new Chain(Api);
        var estate = await chain.PartyAsync("320700", "generator");
        var sorter = await chain.PartyAsync("320200", "sorter", "construction-waste", "collect", "sort");
        var batch = await chain.RegisterAsync(estate, "decoration-waste", 500m);
        await chain.TransferAsync(estate, sorter, batch, 500m);
        await CaughtUpAsync();
        var byDaemon = await TablesAsync();

        var daemon = Api.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.StopAgentAsync(StatisticsRebuild.ShardName);
        try
        {
            // A mark as a daemon stopped long ago would have left it: far below the log.
            await using (var stale = DataSource.CreateCommand("update traceability.mt_event_progression set last_seq_id = 1 where name = 'HighWaterMark'"))
                await stale.ExecuteNonQueryAsync();
            var outcome = await StatisticsRebuild.RunAsync(Store, DataSource, null, CancellationToken.None);

            await using var last = DataSource.CreateCommand("select max(seq_id) from traceability.mt_events");
            var lastSequence = (long)(await last.ExecuteScalarAsync())!;
            Assert.Equal(lastSequence, outcome.UpTo);
            Assert.Equal(byDaemon, await TablesAsync());
            await using var mark = DataSource.CreateCommand("select last_seq_id from traceability.mt_event_progression where name = 'HighWaterMark'");
            Assert.True((long)(await mark.ExecuteScalarAsync())! >= lastSequence);
        }
        finally
        {
            await daemon.StartAgentAsync(StatisticsRebuild.ShardName, CancellationToken.None);
        }
    }
}
