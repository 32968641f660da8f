using System.Diagnostics;
using Npgsql;
using Traceability.Hosting;

namespace Traceability.Tests.Hosting;

/// <summary>The launcher the service uses on its embedded default, run for real in a scratch folder.</summary>
public sealed class EmbeddedPostgresTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"traceability-embedded-{Guid.NewGuid():N}");

    [Fact]
    public async Task data_survives_a_restart_and_a_server_left_by_a_killed_owner_is_recovered()
    {
        var port = EmbeddedPostgres.FreePort();
        using (var first = EmbeddedPostgres.Start(_root, port, throwaway: true))
        {
            await ExecuteAsync(first.ConnectionString, "create table kept (v int); insert into kept values (42);");
        }

        var second = EmbeddedPostgres.Start(_root, port, throwaway: true);
        Assert.Equal(42, await ScalarAsync(second.ConnectionString, "select v from kept"));
        // Simulate an owner killed without stopping its server: the server runs on and owner.pid names a dead process.
        File.WriteAllText(Path.Combine(_root, "owner.pid"), DeadPid().ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var third = EmbeddedPostgres.Start(_root, port, throwaway: true);
        Assert.Equal(42, await ScalarAsync(third.ConnectionString, "select v from kept"));
    }

    [Fact]
    public void a_cluster_owned_by_a_live_process_is_refused_not_stopped()
    {
        using var server = EmbeddedPostgres.Start(_root, EmbeddedPostgres.FreePort(), throwaway: true);
        using var other = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        File.WriteAllText(Path.Combine(_root, "owner.pid"), EmbeddedPostgres.Owner.Of(other).ToString());
        try
        {
            var refused = Assert.Throws<EmbeddedPostgresUnavailableException>(() => EmbeddedPostgres.Start(_root, server.Port, throwaway: true));
            Assert.Contains($"pid {other.Id}", refused.Message);
            using var connection = new NpgsqlConnection(server.ConnectionString);
            connection.Open(); // the live owner's server was left running
        }
        finally
        {
            other.Kill();
            File.WriteAllText(Path.Combine(_root, "owner.pid"), EmbeddedPostgres.Owner.Of(Process.GetCurrentProcess()).ToString());
        }
    }

    [Fact]
    public async Task an_owner_pid_reused_by_an_unrelated_live_process_is_recognised_as_stale()
    {
        var port = EmbeddedPostgres.FreePort();
        var first = EmbeddedPostgres.Start(_root, port, throwaway: true);
        await ExecuteAsync(first.ConnectionString, "create table kept (v int); insert into kept values (7);");
        using var unrelated = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        try
        {
            // owner.pid names a live process, but one that started after the owner did: the id was reused.
            var reused = new EmbeddedPostgres.Owner(unrelated.Id, unrelated.StartTime.ToUniversalTime().AddMinutes(-5).Ticks);
            File.WriteAllText(Path.Combine(_root, "owner.pid"), reused.ToString());

            using var second = EmbeddedPostgres.Start(_root, port, throwaway: true);
            Assert.Equal(7, await ScalarAsync(second.ConnectionString, "select v from kept"));

            // And a file that names only a pid (as before start times were written) proves no owner alive.
            File.WriteAllText(Path.Combine(_root, "owner.pid"), unrelated.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var third = EmbeddedPostgres.Start(_root, port, throwaway: true);
            Assert.Equal(7, await ScalarAsync(third.ConnectionString, "select v from kept"));
        }
        finally
        {
            unrelated.Kill();
        }
    }

    [Fact]
    public async Task a_server_killed_under_the_service_is_started_again_with_its_data()
    {
        // Durable settings, as the service runs it: what was committed survives the crash.
        using var server = EmbeddedPostgres.Start(_root, EmbeddedPostgres.FreePort());
        await ExecuteAsync(server.ConnectionString, "create table kept (v int); insert into kept values (9);");
        Assert.False(server.EnsureRunning());
        var postmaster = int.Parse(File.ReadLines(Directory.GetFiles(_root, "postmaster.pid", SearchOption.AllDirectories).Single()).First(), System.Globalization.CultureInfo.InvariantCulture);
        using (var process = Process.GetProcessById(postmaster))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        // Its backends notice the postmaster is gone and exit; until they have, the new one may not start.
        var restarted = false;
        for (var attempt = 0; attempt < 20 && !restarted; attempt++)
        {
            try
            {
                restarted = server.EnsureRunning();
            }
            catch (EmbeddedPostgresUnavailableException) when (attempt < 19)
            {
                await Task.Delay(EmbeddedSupervisor.Interval / 4);
            }
        }

        Assert.True(restarted);
        Assert.Equal(9, await ScalarAsync(server.ConnectionString, "select v from kept"));
    }

    [Fact]
    public void without_postgresql_binaries_start_up_stops_with_one_sentence_on_how_to_install_them()
    {
        var empty = Directory.CreateTempSubdirectory().FullName;

        var e = Assert.Throws<EmbeddedPostgresUnavailableException>(() => EmbeddedPostgres.Start(_root, 1, binSearchPath: [empty]));

        Assert.Contains("apt-get install postgresql", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Directory.Delete(empty);
    }

    static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        process.WaitForExit();
        return process.Id;
    }

    static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    static async Task<int> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    public void Dispose()
    {
        // Stop any server still running in the scratch folder before removing it.
        if (File.Exists(Path.Combine(_root, "pgdata", "PG_VERSION")))
            EmbeddedPostgres.Start(_root, EmbeddedPostgres.FreePort(), throwaway: true).Stop();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
