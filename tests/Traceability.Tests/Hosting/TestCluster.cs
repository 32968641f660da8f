using Traceability.Hosting;

namespace Traceability.Tests.Hosting;

/// <summary>
/// The PostgreSQL the test run uses: TRACEABILITY_TEST_DB when given, else a throwaway cluster started once
/// for the whole run in a temporary folder (the same launcher the service uses) and removed at the end.
/// </summary>
public static class TestCluster
{
    static readonly Lazy<(string ConnectionString, EmbeddedPostgres? Server, string? Root)> Instance = new(Start);

    public static string ConnectionString => Instance.Value.ConnectionString;

    static (string, EmbeddedPostgres?, string?) Start()
    {
        var given = Environment.GetEnvironmentVariable("TRACEABILITY_TEST_DB");
        if (!string.IsNullOrWhiteSpace(given)) return (given, null, null);

        var root = Path.Combine(Path.GetTempPath(), $"traceability-tests-{Guid.NewGuid():N}");
        var server = EmbeddedPostgres.Start(root, EmbeddedPostgres.FreePort(), throwaway: true);
        // A safety net only: the api collection's fixture removes the cluster when the last test is done.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove();
        return (server.ConnectionString, server, root);
    }

    /// <summary>Stops the throwaway cluster and deletes its folder; a cluster given by TRACEABILITY_TEST_DB is left alone.</summary>
    public static void Remove()
    {
        if (!Instance.IsValueCreated || Instance.Value.Server is not { } server) return;
        server.Stop();
        if (Directory.Exists(Instance.Value.Root)) Directory.Delete(Instance.Value.Root, recursive: true);
    }
}
