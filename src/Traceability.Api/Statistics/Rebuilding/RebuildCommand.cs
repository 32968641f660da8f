using Marten;
using Npgsql;
using Traceability.Hosting;

namespace Traceability.Statistics.Rebuilding;

/// <summary>
/// <c>dotnet run --project src/Traceability.Api -- statistics rebuild</c>: the bulk rebuild from the command line, against the
/// database the service would use (its embedded one when no connection string is given). It is an offline operation: a
/// node running the projection would find its progression moved under it and stop its agent, so the command refuses
/// while another session of the service is connected to the database.
/// </summary>
public static class RebuildCommand
{
    public static bool Matches(string[] args) => args is ["statistics", "rebuild"];

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var others = await OtherSessionsAsync(dataSource, ct);
        if (others > 0)
        {
            await output.WriteLineAsync($"statistics rebuild refused: {others} other session(s) of the service ('{Connections.ApplicationName}') are connected to the database. Stop every node first.");
            return 2;
        }
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var outcome = await StatisticsRebuild.RunAsync(store, dataSource, null, ct);
        await output.WriteLineAsync(
            $"statistics rebuilt up to event {outcome.UpTo}: {outcome.Events} batch events of {outcome.Batches} batches, {outcome.Facts} facts, " +
            $"{outcome.Sums} sums in {outcome.Elapsed.TotalSeconds:0.0} s ({outcome.EventsPerSecond:0} events/s).");
        return 0;
    }

    static async Task<long> OtherSessionsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select count(*) from pg_stat_activity where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()");
        command.Parameters.AddWithValue(Connections.ApplicationName);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
