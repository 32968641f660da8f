using System.Security.Cryptography;

namespace Traceability.Hosting;

/// <summary>Where the service keeps its data, and the administrator key that goes with it.</summary>
public sealed record Database(string ConnectionString, EmbeddedPostgres? Embedded, string? AdminKey)
{
    public const int DefaultEmbeddedPort = 54329;

    /// <summary>
    /// A configured connection string (ConnectionStrings:Traceability or TRACEABILITY_DB) is used as is.
    /// Without one, the service runs its own PostgreSQL under .data/ in the repository (or TRACEABILITY_DATA_DIR),
    /// and, when no TRACEABILITY_ADMIN_KEY is set, keeps a generated admin key beside it.
    /// </summary>
    public static Database Resolve(IConfiguration config, TextWriter log)
    {
        var adminKey = config["TRACEABILITY_ADMIN_KEY"];
        var configured = config.GetConnectionString("Traceability") ?? config["TRACEABILITY_DB"];
        if (!string.IsNullOrWhiteSpace(configured)) return new Database(configured, null, adminKey);

        var dataRoot = config["TRACEABILITY_DATA_DIR"] ?? Path.Combine(RepositoryRoot(), ".data");
        var port = config.GetValue("Traceability:EmbeddedPort", DefaultEmbeddedPort);
        log.WriteLine($"No connection string configured: starting the embedded PostgreSQL in {Path.Combine(dataRoot, "postgres")} on 127.0.0.1:{port}.");
        var embedded = EmbeddedPostgres.Start(Path.Combine(dataRoot, "postgres"), port);

        if (string.IsNullOrWhiteSpace(adminKey))
        {
            var file = Path.Combine(dataRoot, "admin-key");
            if (!File.Exists(file))
            {
                File.WriteAllText(file, "trc_admin_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant());
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            adminKey = File.ReadAllText(file).Trim();
            log.WriteLine($"Administrator key (no TRACEABILITY_ADMIN_KEY set): in {file}");
        }
        return new Database(embedded.ConnectionString, embedded, adminKey);
    }

    /// <summary>The folder holding Traceability.sln, looked for from the working directory up; else the working directory.</summary>
    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Traceability.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
