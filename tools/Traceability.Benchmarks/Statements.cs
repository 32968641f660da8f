using System.Globalization;
using Npgsql;

namespace Traceability.Benchmarks;

/// <summary>
/// SQL statements the database executed per event during a load, where PostgreSQL runs pg_stat_statements (a cluster
/// started with it preloaded, given through TRACEABILITY_BENCH_DB); elsewhere it says nothing. Everything the run
/// caused counts: the request's own statements, the projections', Wolverine's.
/// </summary>
public static class Statements
{
    public static async Task<bool> StartAsync(NpgsqlDataSource dataSource)
    {
        try
        {
            await using var reset = dataSource.CreateCommand("select pg_stat_statements_reset()");
            await reset.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            return false;
        }
    }

    public static async Task<string> ReportAsync(NpgsqlDataSource dataSource, bool counted, string name, int clients, long events)
    {
        if (!counted) return "";
        await using var read = dataSource.CreateCommand(
            "select query, calls from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%' order by calls desc");
        await using var reader = await read.ExecuteReaderAsync();
        var rows = new List<(string Query, long Calls)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetInt64(1)));
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string> { string.Create(c, $"{name}, {clients} clients: {rows.Sum(r => r.Calls) / (double)events:0.0} statements per event; the most frequent:") };
        lines.AddRange(rows.Where(r => r.Calls * 50 >= events).Take(25).Select(r => string.Create(c, $"  {r.Calls / (double)events,6:0.00}  {Flat(r.Query)}")));
        return string.Join(Environment.NewLine, lines);
    }

    static string Flat(string query)
    {
        var flat = string.Join(' ', query.Split(['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length > 140 ? flat[..140] + "…" : flat;
    }
}
