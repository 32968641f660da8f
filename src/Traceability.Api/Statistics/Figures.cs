using System.Globalization;
using Marten;
using NodaTime;
using Npgsql;
using Traceability.Licensing;

namespace Traceability.Statistics;

public sealed record MeasureTotal(string City, string Category, string Measure, decimal Kg, long Units);

public sealed record FlowTotal(string FromCity, string ToCity, string Category, decimal Kg);

/// <summary>
/// Reads the statistics ledger: sums of facts by city, category and measure for a period, as known at
/// <c>asOf</c> (facts recorded later are left out). One SQL statement each, over the projection's documents.
/// </summary>
public sealed class Figures(NpgsqlDataSource dataSource)
{
    const string Facts = "traceability.mt_doc_batchfigures d cross join lateral jsonb_array_elements(d.data -> 'facts') f";

    public async Task<List<MeasureTotal>> TotalsAsync(Period period, Instant asOf, string? city, string? category, CancellationToken ct)
    {
        var sql = $"""
            select f ->> 'city', f ->> 'category', f ->> 'measure', sum((f ->> 'kg')::numeric), sum((f ->> 'units')::bigint)::bigint
            from {Facts}
            where f ->> 'measure' not in ('stock', 'flow') and f ->> 'month' between $1 and $2 and (f ->> 'recordedMs')::bigint <= $3
              and ($4::text is null or f ->> 'city' = $4) and ($5::text is null or f ->> 'category' = $5)
            group by 1, 2, 3
            union all
            select f ->> 'city', f ->> 'category', 'stock', sum((f ->> 'kg')::numeric), 0
            from {Facts}
            where f ->> 'measure' = 'stock' and f ->> 'month' <= $2 and (f ->> 'recordedMs')::bigint <= $3
              and ($4::text is null or f ->> 'city' = $4) and ($5::text is null or f ->> 'category' = $5)
            group by 1, 2
            """;
        var rows = new List<MeasureTotal>();
        await using var command = Command(sql, period.FromMonth, period.ToMonth, asOf.ToUnixTimeMilliseconds(), city, category);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new MeasureTotal(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDecimal(3), reader.GetInt64(4)));
        return rows;
    }

    public async Task<List<FlowTotal>> FlowsAsync(Period period, Instant asOf, string? category, CancellationToken ct)
    {
        var sql = $"""
            select f ->> 'city', f ->> 'toCity', f ->> 'category', sum((f ->> 'kg')::numeric)
            from {Facts}
            where f ->> 'measure' = 'flow' and f ->> 'month' between $1 and $2 and (f ->> 'recordedMs')::bigint <= $3
              and ($4::text is null or f ->> 'category' = $4)
            group by 1, 2, 3 order by 1, 2, 3
            """;
        var rows = new List<FlowTotal>();
        await using var command = Command(sql, period.FromMonth, period.ToMonth, asOf.ToUnixTimeMilliseconds(), category);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add(new FlowTotal(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDecimal(3)));
        return rows;
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
