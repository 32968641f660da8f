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
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            server.Stop();
            Directory.Delete(root, recursive: true);
        };
        return (server.ConnectionString, server, root);
    }
}
