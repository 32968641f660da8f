using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace Traceability.Hosting;

/// <summary>
/// A PostgreSQL cluster the project runs itself, from the server binaries on the machine, when no
/// connection string is configured. PostgreSQL refuses to run as root, so under root every server
/// command runs as the <c>postgres</c> OS user and the cluster folder is handed to that user.
/// </summary>
public sealed class EmbeddedPostgres : IDisposable
{
    public const string Database = "traceability";
    const string User = "traceability";

    readonly string _root;
    readonly string _dataDir;
    readonly string _binDir;
    readonly bool _asPostgresUser;
    bool _stopped;

    public string ConnectionString { get; }
    public int Port { get; }
    public string Root => _root;

    EmbeddedPostgres(string root, string binDir, int port, bool asPostgresUser, string password)
    {
        _root = root;
        _dataDir = Path.Combine(root, "pgdata");
        _binDir = binDir;
        _asPostgresUser = asPostgresUser;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = User,
            Password = password,
            Database = Database,
        }.ConnectionString;
    }

    /// <summary>
    /// Starts (creating on first use) the cluster under <paramref name="root"/>. A server left running
    /// by a killed earlier run is stopped and started again; a stale lock file is cleared.
    /// </summary>
    /// <param name="root">Folder for the cluster, its log and its password.</param>
    /// <param name="port">Port on 127.0.0.1.</param>
    /// <param name="throwaway">Test clusters trade durability for speed (no fsync).</param>
    /// <param name="binSearchPath">Folders to look for initdb and pg_ctl in; PATH and the usual install folders by default.</param>
    public static EmbeddedPostgres Start(string root, int port, bool throwaway = false, IEnumerable<string>? binSearchPath = null)
    {
        var binDir = FindBinaries(binSearchPath ?? DefaultBinSearchPath())
            ?? throw new EmbeddedPostgresUnavailableException(
                "No PostgreSQL server binaries (initdb, pg_ctl) were found on PATH or under /usr/lib/postgresql: " +
                "install them (Debian/Ubuntu: 'apt-get install postgresql', macOS: 'brew install postgresql@15') " +
                "or set ConnectionStrings__Traceability to a server you run.");

        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser && Run("id", ["-u", "postgres"], throwOnError: false).ExitCode != 0)
            throw new EmbeddedPostgresUnavailableException(
                "The service runs as root and PostgreSQL refuses root, but there is no 'postgres' OS user to run it as: " +
                "install PostgreSQL from the distribution's packages (which creates that user) or run the service as an ordinary user.");

        Directory.CreateDirectory(root);
        var passwordFile = Path.Combine(root, "password");
        if (!File.Exists(passwordFile))
        {
            File.WriteAllText(passwordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var password = File.ReadAllText(passwordFile).Trim();

        ClaimOwnership(root);
        var pg = new EmbeddedPostgres(root, binDir, port, asPostgresUser, password);
        pg.InitialiseIfNeeded(password, throwaway);
        if (asPostgresUser && Run("runuser", ["-u", "postgres", "--", "test", "-w", pg._dataDir], throwOnError: false).ExitCode != 0)
            throw new EmbeddedPostgresUnavailableException(
                $"The 'postgres' OS user cannot reach {pg._dataDir} (a parent folder is closed to it): " +
                "set TRACEABILITY_DATA_DIR to a folder it can reach, such as /var/tmp/traceability.");
        pg.RecoverStaleServer();
        pg.StartServer();
        pg.CreateDatabaseIfMissing();
        return pg;
    }

    /// <summary>
    /// One live process owns a cluster folder. owner.pid names it by process id and start time, so a process
    /// that merely reuses the id after a crash or a reboot is not taken for the owner. A server left behind by
    /// a killed owner is recovered; a live owner (a second service on the same folder) is refused rather than
    /// having its server stopped.
    /// </summary>
    static void ClaimOwnership(string root)
    {
        var ownerFile = Path.Combine(root, "owner.pid");
        if (File.Exists(ownerFile) && Owner.Parse(File.ReadAllText(ownerFile)) is { } owner && owner.Pid != Environment.ProcessId && owner.IsAlive())
            throw new EmbeddedPostgresUnavailableException(
                $"Another process (pid {owner.Pid}) is running the embedded PostgreSQL in {root}: stop it first, or give this one its own TRACEABILITY_DATA_DIR.");
        File.WriteAllText(ownerFile, Owner.Of(Process.GetCurrentProcess()).ToString());
    }

    /// <summary>A process by id and start time (UTC ticks): together they name one process for the life of the machine.</summary>
    internal sealed record Owner(int Pid, long StartedTicks)
    {
        public static Owner Of(Process process) => new(process.Id, process.StartTime.ToUniversalTime().Ticks);

        /// <summary>"pid startTicks"; a file from before start times were written holds only the pid, and cannot prove its owner alive.</summary>
        public static Owner? Parse(string text)
        {
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return parts.Length == 2 && int.TryParse(parts[0], out var pid) && long.TryParse(parts[1], out var ticks) ? new Owner(pid, ticks) : null;
        }

        /// <summary>The same process is still running: its id is taken, and by a process that started when the owner did.</summary>
        public bool IsAlive()
        {
            try
            {
                using var process = Process.GetProcessById(Pid);
                return !process.HasExited && Math.Abs(process.StartTime.ToUniversalTime().Ticks - StartedTicks) < TimeSpan.TicksPerSecond;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                return false; // no such process, or gone while we looked: its owner is gone
            }
        }

        public override string ToString() => $"{Pid} {StartedTicks}";
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static IEnumerable<string> DefaultBinSearchPath()
    {
        var fromEnv = Environment.GetEnvironmentVariable("TRACEABILITY_PG_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv)) yield return fromEnv;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            yield return dir;
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            // Newest major version first.
            foreach (var dir in Directory.GetDirectories("/usr/lib/postgresql")
                         .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                yield return Path.Combine(dir, "bin");
        }
        yield return "/usr/local/pgsql/bin";
        yield return "/opt/homebrew/bin";
    }

    internal static string? FindBinaries(IEnumerable<string> searchPath)
    {
        foreach (var dir in searchPath)
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres")))
            {
                // /usr/local/bin links into the versioned folder; resolve so the three binaries match.
                var initdb = new FileInfo(Path.Combine(dir, "initdb"));
                var target = initdb.LinkTarget is null ? initdb : initdb.ResolveLinkTarget(true);
                return Path.GetDirectoryName(target?.FullName) ?? dir;
            }
        }
        return null;
    }

    void InitialiseIfNeeded(string password, bool throwaway)
    {
        if (File.Exists(Path.Combine(_dataDir, "PG_VERSION"))) return;

        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true); // a half-made cluster from an interrupted initdb
        Directory.CreateDirectory(_dataDir);
        var pwFile = Path.Combine(_root, "initdb.pw");
        File.WriteAllText(pwFile, password);
        HandToServerUser(_root);
        try
        {
            RunServerCommand("initdb", ["-D", _dataDir, "-U", User, "--pwfile", pwFile, "-E", "UTF8", "--no-locale",
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256"]);
        }
        finally
        {
            File.Delete(pwFile);
        }

        var settings = new List<string>
        {
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "max_connections = 200",
            "shared_buffers = 128MB",
        };
        if (throwaway)
            settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        File.AppendAllLines(Path.Combine(_dataDir, "postgresql.conf"), ["", "# set by Traceability's embedded launcher", .. settings]);
        HandToServerUser(_dataDir);
    }

    void RecoverStaleServer()
    {
        var status = RunServerCommand("pg_ctl", ["status", "-D", _dataDir], throwOnError: false);
        if (status.ExitCode == 0)
        {
            // A server from an earlier run that was killed before it could stop it: stop it so this run owns it.
            RunServerCommand("pg_ctl", ["stop", "-D", _dataDir, "-m", "fast", "-w", "-t", "60"], throwOnError: false);
            NpgsqlConnection.ClearAllPools(); // pooled connections to the stopped server are dead
        }
        var pidFile = Path.Combine(_dataDir, "postmaster.pid");
        if (File.Exists(pidFile) && RunServerCommand("pg_ctl", ["status", "-D", _dataDir], throwOnError: false).ExitCode != 0)
            File.Delete(pidFile);
    }

    void StartServer()
    {
        var log = Path.Combine(_root, "postgres.log");
        var result = RunServerCommand("pg_ctl", ["start", "-D", _dataDir, "-l", log, "-w", "-t", "60", "-o", $"-p {Port}"], throwOnError: false);
        if (result.ExitCode != 0)
        {
            var tail = File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(10)) : "";
            throw new EmbeddedPostgresUnavailableException(
                $"The embedded PostgreSQL in {_dataDir} did not start on 127.0.0.1:{Port} ({result.Output.Trim()}). Last lines of {log}:{Environment.NewLine}{tail}");
        }
    }

    void CreateDatabaseIfMissing()
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        using var connection = new NpgsqlConnection(admin);
        connection.Open();
        using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", Database);
        if (exists.ExecuteScalar() is null)
        {
            using var create = new NpgsqlCommand($"create database {Database}", connection);
            create.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Starts the server again if it is no longer running (killed, crashed, stopped by hand) while this process
    /// still owns it; true when it did. The supervisor calls it every few seconds.
    /// </summary>
    public bool EnsureRunning()
    {
        if (_stopped || RunServerCommand("pg_ctl", ["status", "-D", _dataDir], throwOnError: false).ExitCode == 0) return false;
        NpgsqlConnection.ClearAllPools(); // connections to the dead server are dead too
        RecoverStaleServer();
        StartServer();
        return true;
    }

    public void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        RunServerCommand("pg_ctl", ["stop", "-D", _dataDir, "-m", "fast", "-w", "-t", "60"], throwOnError: false);
        File.Delete(Path.Combine(_root, "owner.pid"));
    }

    public void Dispose() => Stop();

    void HandToServerUser(string path)
    {
        if (_asPostgresUser) Run("chown", ["-R", "postgres:postgres", path]);
    }

    (int ExitCode, string Output) RunServerCommand(string binary, IReadOnlyList<string> args, bool throwOnError = true)
    {
        var exe = Path.Combine(_binDir, binary);
        return _asPostgresUser
            ? Run("runuser", ["-u", "postgres", "--", exe, .. args], throwOnError)
            : Run(exe, args, throwOnError);
    }

    static (int ExitCode, string Output) Run(string file, IReadOnlyList<string> args, bool throwOnError = true)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server outlives the commands that start it; keep it out of our console's signals.
            RedirectStandardInput = true,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new EmbeddedPostgresUnavailableException($"Could not run {file}.");
        // pg_ctl start leaves the server holding inherited pipes; read to end only for commands that exit with them closed.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new EmbeddedPostgresUnavailableException($"{file} {string.Join(' ', args)} did not finish within 120 s.");
        }
        var output = (stdout.Wait(TimeSpan.FromSeconds(2)) ? stdout.Result : "") + (stderr.Wait(TimeSpan.FromSeconds(2)) ? stderr.Result : "");
        if (throwOnError && process.ExitCode != 0)
            throw new EmbeddedPostgresUnavailableException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {output.Trim()}");
        return (process.ExitCode, output);
    }
}

public sealed class EmbeddedPostgresUnavailableException(string message) : Exception(message);
