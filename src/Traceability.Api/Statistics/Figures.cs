using System.Globalization;
using Marten;
using NodaTime;
using Npgsql;
using Traceability.Licensing;

namespace Traceability.Statistics;

/// <summary>
/// The sum of one measure in a view, city and category for a period. <see cref="Origin"/> (origin view only) says
/// which waste it is about: <c>in-period</c> (generated in the period), <c>earlier</c> (stock from before it).
/// <see cref="Measure"/> <c>stock</c> is what was held at the period's end. <see cref="City"/> is <c>*</c> for the nation's sums.
/// </summary>
public sealed record MeasureTotal(string View, string City, string Category, string Measure, decimal Kg, long Units, string? Origin = null);

/// <summary>Mass from one city to another for a category: sent and received (weighed) in the period, still in transit at its end, and the weighing difference of its receipts.</summary>
public sealed record FlowTotal(string FromCity, string ToCity, string Category, decimal SentKg, decimal ReceivedKg, decimal InTransitKg, decimal WeighingDifferenceKg);

/// <summary>
/// Reads the statistics: sums by view, city, category and measure for a period, as known at <c>asOf</c>. The monthly
/// sums (<c>stat_monthly</c>) answer when every fact in them was recorded by <c>asOf</c>, which is what a query for now
/// finds; an earlier <c>asOf</c> (reproducing a published figure) is answered exactly from the facts themselves
/// (<c>stat_facts</c>), leaving out what was recorded later. Every fact of a period's operations has its month in the
/// period (an operation never precedes the generation of its waste); stock at the period's end and transit still open
/// read the months up to its end.
/// </summary>
public sealed class Figures(NpgsqlDataSource dataSource)
{
    const string Facts = "traceability." + StatFactsTable.TableName;
    const string Monthly = "traceability." + StatFactsTable.MonthlyName;
    static readonly string FlowMeasures = StatFactsTable.FlowMeasures;

    /// <summary>
    /// $1, $2: the period's first and last month; $3: asOf in Unix ms; $4: the first month of the last month's year; $5: that
    /// year's stock key ('Y' + year). A city or a category is a parameter of its own only when asked, so the plan uses the index.
    /// Stock at the end is the year sums before that year plus the month sums of it (the monthly path), or every fact to the
    /// end (the exact path): so the monthly path reads a handful of rows a year of history, not every month.
    /// </summary>
    static string TotalsSql(string table, bool exact, string? city, string? category)
    {
        // The nation: its own sums on the monthly path, every city's facts on the exact one.
        var cityFilter = city is not null ? " and city = $6" : exact ? "" : $" and city = '{StatFactsTable.Nation}'";
        var filters = cityFilter + (category is null ? "" : $" and category = ${(city is null ? 6 : 7)}");
        var (recorded, maxRecorded) = exact ? ("recorded_ms <= $3", "0::bigint") : ("$3 = $3 and $4 = $4 and $5 = $5", "max(max_recorded_ms)");
        // The views named, so the indexes that lead with the view are used for a city or for the nation alike.
        const string views = "view in ('origin', 'secondary', 'site')";
        var stock = exact
            ? $"select view, city, category, kg, units, 0::bigint as max_recorded_ms from {table} where {views} and measure = 'stock' and month <= $2 and {recorded}{filters}"
            : $"""
              select view, city, category, kg, units, max_recorded_ms from {table} where {views} and measure = 'stock' and month between $4 and $2 and {recorded}{filters}
              union all
              select view, city, category, kg, units, max_recorded_ms from {table} where {views} and measure = 'stock' and month >= 'Y' and month < $5 and {recorded}{filters}
              """;
        // The nation's figures come out as one city, '*', whichever path reads them.
        var cityColumn = city is null ? $"'{StatFactsTable.Nation}'" : "city";
        return $"""
            select view, {cityColumn}, category, measure, sum(kg), sum(units)::bigint,
                   case when view <> 'site' then case when origin_month < $1 then 'earlier' else 'in-period' end end, {maxRecorded}
            from {table}
            where {views} and month between $1 and $2 and {recorded}{filters}
              and measure <> 'stock' and not (view = 'site' and measure in {FlowMeasures})
            group by 1, 2, 3, 4, 7
            union all
            select view, {cityColumn}, category, 'stock', sum(kg), 0, null, max(max_recorded_ms)
            from ({stock}) s
            group by 1, 2, 3
            """;
    }

    public async Task<List<MeasureTotal>> TotalsAsync(Period period, Instant asOf, string? city, string? category, CancellationToken ct)
    {
        var year = period.ToMonth[..4];
        object?[] parameters = [period.FromMonth, period.ToMonth, asOf.ToUnixTimeMilliseconds(), $"{year}-01", $"Y{year}", .. new[] { city, category }.OfType<string>()];
        var (rows, latest) = await ReadTotalsAsync(TotalsSql(Monthly, exact: false, city, category), parameters, ct);
        if (latest <= asOf.ToUnixTimeMilliseconds()) return rows;
        return (await ReadTotalsAsync(TotalsSql(Facts, exact: true, city, category), parameters, ct)).Rows;
    }

    async Task<(List<MeasureTotal> Rows, long Latest)> ReadTotalsAsync(string sql, object?[] parameters, CancellationToken ct)
    {
        var rows = new List<MeasureTotal>();
        var latest = 0L;
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (kg, units) = (Plain(reader.GetDecimal(4)), reader.GetInt64(5));
            latest = Math.Max(latest, reader.GetInt64(7));
            if (kg == 0 && units == 0) continue;
            rows.Add(new MeasureTotal(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), kg, units,
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return (rows, latest);
    }

    /// <summary>How the mass on the road at a period's end is read.</summary>
    enum Transit
    {
        /// <summary>All time ('T') less the months and years after the period: a few rows per city pair, for a recent period.</summary>
        Backward,
        /// <summary>The years before the period's year plus its months: a row a year of history per city pair.</summary>
        Forward,
        /// <summary>Every fact to the period's end, as recorded by asOf.</summary>
        Exact,
    }

    /// <summary>
    /// $1, $2: the period's first and last month; $3: asOf in Unix ms; $4: the first month of the last month's year; $5: that
    /// year's key ('Y' + year); $6: that year's last month. Sent, received and weighing difference are the period's months; what is
    /// on the road at its end is every flow to then, read as <paramref name="transit"/> says. Each row carries the sign it adds to
    /// the mass on the road with (0: the period's own months on the backward path, which the all-time sum already holds).
    /// </summary>
    static string FlowsSql(Transit transit, string? category)
    {
        var categoryFilter = category is null ? "" : " and category = $7";
        var flows = $"view = 'site' and measure in {FlowMeasures}{categoryFilter}";
        const string columns = "city, to_city, category, measure, kg";
        var rows = transit switch
        {
            Transit.Exact => $"select {columns}, month >= $1 as in_period, 1 as sign, 0::bigint as max_recorded_ms from {Facts} where {flows} and month <= $2 and recorded_ms <= $3 and $4 = $4 and $5 = $5 and $6 = $6",
            Transit.Forward => $"""
                select {columns}, month >= $1, 1, max_recorded_ms from {Monthly} where {flows} and month between $4 and $2 and $3 = $3 and $6 = $6
                union all
                select {columns}, false, 1, max_recorded_ms from {Monthly} where {flows} and month >= 'Y' and month < $5
                """,
            _ => $"""
                select {columns}, true, 0, max_recorded_ms from {Monthly} where {flows} and month between $1 and $2 and $3 = $3 and $4 = $4
                union all
                select {columns}, false, 1, max_recorded_ms from {Monthly} where {flows} and month = '{StatFactsTable.AllTime}'
                union all
                select {columns}, false, -1, max_recorded_ms from {Monthly} where {flows} and month > $2 and month <= $6
                union all
                select {columns}, false, -1, max_recorded_ms from {Monthly} where {flows} and month > $5 and month < 'Z'
                """,
        };
        return $"""
            select city, to_city, category,
                   sum(kg) filter (where measure = 'sent' and in_period),
                   sum(kg) filter (where measure = 'flow-received' and in_period),
                   sum(sign * case measure when 'sent' then kg when 'arrived' then -kg when 'flow-received' then -kg when 'weighing-difference' then kg else 0 end),
                   sum(kg) filter (where measure = 'weighing-difference' and in_period), max(max_recorded_ms)
            from ({rows}) f (city, to_city, category, measure, kg, in_period, sign, max_recorded_ms)
            group by 1, 2, 3 order by 1, 2, 3
            """;
    }

    /// <summary>
    /// The backward path answers when nothing it read was recorded after asOf (the usual case: asOf now); else the forward path,
    /// whose rows end with the period; else the facts.
    /// </summary>
    public async Task<List<FlowTotal>> FlowsAsync(Period period, Instant asOf, string? category, CancellationToken ct)
    {
        var parameters = FlowParameters(period, asOf, category);
        foreach (var transit in new[] { Transit.Backward, Transit.Forward })
        {
            var (rows, latest) = await ReadFlowsAsync(FlowsSql(transit, category), parameters, ct);
            if (latest <= asOf.ToUnixTimeMilliseconds()) return rows;
        }
        return (await ReadFlowsAsync(FlowsSql(Transit.Exact, category), parameters, ct)).Rows;
    }

    /// <summary>The flows as the year sums read forward give them (the way before the all-time sums), for the benchmark to compare.</summary>
    internal async Task<List<FlowTotal>> FlowsReadForwardAsync(Period period, Instant asOf, string? category, CancellationToken ct) =>
        (await ReadFlowsAsync(FlowsSql(Transit.Forward, category), FlowParameters(period, asOf, category), ct)).Rows;

    static object?[] FlowParameters(Period period, Instant asOf, string? category)
    {
        var year = period.ToMonth[..4];
        return [period.FromMonth, period.ToMonth, asOf.ToUnixTimeMilliseconds(), $"{year}-01", $"Y{year}", $"{year}-12", .. new[] { category }.OfType<string>()];
    }

    async Task<(List<FlowTotal> Rows, long Latest)> ReadFlowsAsync(string sql, object?[] parameters, CancellationToken ct)
    {
        var rows = new List<FlowTotal>();
        var latest = 0L;
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        decimal Kg(int i) => reader.IsDBNull(i) ? 0m : Plain(reader.GetDecimal(i));
        while (await reader.ReadAsync(ct))
        {
            latest = Math.Max(latest, reader.GetInt64(7));
            var flow = new FlowTotal(reader.GetString(0), reader.GetString(1), reader.GetString(2), Kg(3), Kg(4), Kg(5), Kg(6));
            // A pair with nothing in the period and nothing on the road is history, not a flow of the period.
            if (flow is not { SentKg: 0, ReceivedKg: 0, InTransitKg: 0, WeighingDifferenceKg: 0 }) rows.Add(flow);
        }
        return (rows, latest);
    }

    /// <summary>
    /// Yearly tonnes of the licences that permit <paramref name="op"/> on <paramref name="category"/> (the statutory
    /// kind, e.g. a recycling white-list entry for power batteries, or a general licence) valid on
    /// <paramref name="day"/>, as granted and revoked by <paramref name="asOf"/>.
    /// </summary>
    public static async Task<decimal> LicensedCapacityAsync(IQuerySession session, Operation op, ReferenceData.Category category, string? city, LocalDate day, Instant asOf, CancellationToken ct)
    {
        var licences = (await session.Query<Licence>().ToListAsync(ct)).Where(l => Statute.Permits(l, op, category, null)).ToList();
        var enterprises = city is null ? null : (await session.Query<Enterprises.Enterprise>().Where(e => e.City == city).Select(e => e.Id).ToListAsync(ct)).ToHashSet();
        return licences
            .Where(l => l.GrantedAt <= asOf && (enterprises is null || enterprises.Contains(l.EnterpriseId)))
            .Where(l => l.ValidFrom <= day && day <= l.ValidTo && (l.Revocation is not { } r || r.RecordedAt > asOf || day < r.EffectiveFrom))
            .Sum(l => l.CapacityTonnesPerYear);
    }

    /// <summary>A sum without the trailing zeros of its parts' precision (origin shares are kept to the milligram): 7000, not 7000.000000.</summary>
    static decimal Plain(decimal kg) => kg / 1.000000000000000000000000000000000m;

    /// <summary>Enterprises of the city (or all) registered as collector, sorter, dismantler, recycler or remanufacturer by the end of <paramref name="day"/> (China time), as known at <paramref name="asOf"/>.</summary>
    public static async Task<long> RegisteredRecyclersAsync(IQuerySession session, string? city, LocalDate day, Instant asOf, CancellationToken ct)
    {
        var until = day.PlusDays(1).AtStartOfDayInZone(ReferenceData.ChinaTime.Zone).ToInstant();
        var end = until < asOf ? until : asOf;
        string[] roles = [Enterprises.EnterpriseRoles.Collector, Enterprises.EnterpriseRoles.Sorter, Enterprises.EnterpriseRoles.Dismantler,
            Enterprises.EnterpriseRoles.Recycler, Enterprises.EnterpriseRoles.Remanufacturer];
        // A city has hundreds of enterprises, not millions: read them and judge the registration instant here.
        var registered = city is null
            ? await session.Query<Enterprises.Enterprise>().ToListAsync(ct)
            : await session.Query<Enterprises.Enterprise>().Where(e => e.City == city).ToListAsync(ct);
        return registered.Count(e => e.RegisteredAt < end && e.Roles.Any(roles.Contains));
    }

    /// <summary>How far the statistics projection lags the event log at <paramref name="now"/>: in events, and the age of the oldest event it has not processed.</summary>
    public async Task<FreshnessView> FreshnessAsync(Instant now, CancellationToken ct)
    {
        long last, processed;
        await using (var command = dataSource.CreateCommand("""
            select coalesce((select max(seq_id) from traceability.mt_events), 0),
                   coalesce((select max(last_seq_id) from traceability.mt_event_progression where name like 'statistics%'), 0)
            """))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (last, processed) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        var lagSeconds = 0d;
        if (processed < last)
        {
            await using var oldest = Command("select timestamp from traceability.mt_events where seq_id > $1 order by seq_id limit 1", processed);
            // The data source maps timestamptz to NodaTime's Instant.
            if (await oldest.ExecuteScalarAsync(ct) is Instant at) lagSeconds = Math.Max(0, (now - at).TotalSeconds);
        }
        return new FreshnessView(last, processed, last - processed, Math.Round(lagSeconds, 3), now);
    }

    NpgsqlCommand Command(string sql, params object?[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = value switch
        {
            long => NpgsqlTypes.NpgsqlDbType.Bigint,
            _ => NpgsqlTypes.NpgsqlDbType.Text,
        } });
        return command;
    }
}
