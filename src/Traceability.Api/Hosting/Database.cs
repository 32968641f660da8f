using System.Security.Cryptography;

namespace Traceability.Hosting;

/// <summary>Where the service keeps its data, and the administrator key that goes with it.</summary>
/// <param name="Where">Where the database is, for the start-up line (never the password).</param>
/// <param name="AdminKeyWhere">Where the administrator key comes from, for the start-up line (never the key).</param>
public sealed record Database(string ConnectionString, EmbeddedPostgres? Embedded, string? AdminKey, string Where, string AdminKeyWhere)
{
    public const int DefaultEmbeddedPort = 54329;

    /// <summary>
    /// A configured connection string (ConnectionStrings:Traceability or TRACEABILITY_DB) is used as is.
    /// Without one, the service runs its own PostgreSQL under .data/ in the repository (or TRACEABILITY_DATA_DIR),
    /// and, when no TRACEABILITY_ADMIN_KEY is set, keeps a generated admin key beside it.
    /// </summary>
    public static Database Resolve(IConfiguration config)
    {
        var adminKey = config["TRACEABILITY_ADMIN_KEY"];
        var fromEnvironment = string.IsNullOrWhiteSpace(adminKey) ? "none set (TRACEABILITY_ADMIN_KEY)" : "from TRACEABILITY_ADMIN_KEY";
        var configured = config.GetConnectionString("Traceability") ?? config["TRACEABILITY_DB"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var given = new Npgsql.NpgsqlConnectionStringBuilder(configured);
            return new Database(configured, null, adminKey, $"PostgreSQL at {given.Host}:{given.Port}/{given.Database} (configured)", fromEnvironment);
        }

        var dataRoot = config["TRACEABILITY_DATA_DIR"] ?? Path.Combine(RepositoryRoot(), ".data");
        var port = config.GetValue("Traceability:EmbeddedPort", DefaultEmbeddedPort);
        var embedded = EmbeddedPostgres.Start(Path.Combine(dataRoot, "postgres"), port);

        var keyWhere = fromEnvironment;
        if (string.IsNullOrWhiteSpace(adminKey))
        {
            var file = Path.Combine(dataRoot, "admin-key");
            if (!File.Exists(file))
            {
                File.WriteAllText(file, "trc_admin_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant());
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            adminKey = File.ReadAllText(file).Trim();
            keyWhere = $"in {file}";
        }
        return new Database(embedded.ConnectionString, embedded, adminKey,
            $"embedded PostgreSQL in {Path.Combine(dataRoot, "postgres")} on 127.0.0.1:{port} (no connection string configured)", keyWhere);
    }

    /// <summary>The folder holding Traceability.sln, looked for from the working directory up; else the working directory.</summary>
    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Traceability.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
