using Npgsql;

namespace Traceability.Hosting;

/// <summary>The service's one data source, tuned for many short transactions unless the connection string says otherwise.</summary>
public static class Connections
{
    public const string ApplicationName = "traceability";

    public static NpgsqlDataSource DataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        // A pooled connection is otherwise reset with DISCARD ALL each time it goes back to the pool: measured at six per
        // registration, and it throws away the prepared statements below. The service leaves no session state behind
        // (no SET, no temporary tables; Marten's and Wolverine's advisory locks are released by who took them).
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.ConnectionStringBuilder.NoResetOnClose = true;
        // The write path's statements are a few dozen shapes run over and over: prepared once per connection, PostgreSQL
        // stops parsing and planning them on every call.
        if (given.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 100;
        // Named, so an operator (and the offline statistics rebuild) can tell the service's sessions in pg_stat_activity.
        if (string.IsNullOrEmpty(given.ApplicationName)) builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
        return builder.UseNodaTime().Build();
    }
}
