using Npgsql;

namespace Traceability.Statistics;

/// <summary>
/// Brings <c>stat_monthly</c> to the layout the triggers now keep (<see cref="Version"/> 2: the nation's own sums, city '*',
/// and yearly sums of flows; 3: flows summed over all time, month 'T'), by summing it again from <c>stat_facts</c>, the facts themselves. Without it a store written
/// before would answer national figures and transit over a year end from sums that are not there. It runs at start-up
/// under an exclusive lock on both tables, so the projection's writes wait for it and a second node finds it done.
/// </summary>
public static class StatisticsLayout
{
    public const int Version = 3;

    public static async Task<bool> UpgradeAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        const string schema = "traceability";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await Execute($"lock table {schema}.{StatFactsTable.TableName}, {schema}.{StatFactsTable.MonthlyName}, {schema}.{StatFactsTable.LayoutName} in exclusive mode");
        await using (var current = new NpgsqlCommand($"select coalesce(max(version), 0) from {schema}.{StatFactsTable.LayoutName}", connection, transaction))
            if ((int)(await current.ExecuteScalarAsync(ct))! >= Version) return false;
        await Execute($"delete from {schema}.{StatFactsTable.MonthlyName}");
        await Execute($$"""
            insert into {{schema}}.{{StatFactsTable.MonthlyName}} (view, city, month, category, measure, origin_month, to_city, kg, units, max_recorded_ms)
            select k.view, c.city, k.month, k.category, k.measure, coalesce(k.origin_month, ''), coalesce(k.to_city, ''), sum(k.kg), sum(k.units), max(k.recorded_ms)
            from ({{StatFactsTable.Keyed($"{schema}.{StatFactsTable.TableName}")}}) k
            {{StatFactsTable.ForCityAndNation}}
            group by 1, 2, 3, 4, 5, 6, 7
            """);
        await Execute($"delete from {schema}.{StatFactsTable.LayoutName}");
        await Execute($"insert into {schema}.{StatFactsTable.LayoutName} (version) values ({Version})");
        await transaction.CommitAsync(ct);
        return true;

        async Task Execute(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}

/// <summary>Runs <see cref="StatisticsLayout.UpgradeAsync"/> once at start-up, after Marten has brought the schema up to date.</summary>
public sealed class StatisticsLayoutUpgrade(NpgsqlDataSource dataSource, ILogger<StatisticsLayoutUpgrade> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await StatisticsLayout.UpgradeAsync(dataSource, cancellationToken))
            log.LogWarning("stat_monthly was summed again from stat_facts to layout {Version} (the nation's sums, yearly and all-time flow sums)", StatisticsLayout.Version);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
