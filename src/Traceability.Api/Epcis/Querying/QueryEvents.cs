using System.Text;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using NodaTime;
using Traceability.Access;
using Traceability.Epcis.Exporting;
using Traceability.Epcis.Hashing;
using Traceability.Hosting;
using Traceability.Requests;
using Traceability.Settings;

namespace Traceability.Epcis.Querying;

/// <summary>
/// <c>GET /epcis/events</c>, the EPCIS 2.0 REST event query over the batches the caller may see: the stored events
/// in the order they were recorded, mapped as the export maps them, filtered by the standard's query parameters,
/// a page at a time with <c>nextPageToken</c> (also in the <c>Link</c> header, as EPCIS REST gives it).
/// </summary>
public static class QueryEventsEndpoint
{
    public const int MaxPerPage = 1000;

    /// <summary>Stored events read for one page at most: a filter that matches rarely gives a short page and a token, never a long scan.</summary>
    public const int ScanBudget = 10_000;

    const int Chunk = 500;

    static readonly string[] Parameters =
        ["EQ_bizStep", "GE_eventTime", "LT_eventTime", "MATCH_epc", "MATCH_anyEPC", "MATCH_epcClass", "MATCH_anyEPCClass", "EQ_bizLocation", "perPage", "nextPageToken"];

    public static void MapQueryEvents(this RouteGroupBuilder epcis) =>
        epcis.MapGet("/events", Query)
            .WithName("QueryEpcisEvents")
            .WithSummary("EPCIS 2.0 event query")
            .WithDescription($"The events of the batches the caller may see, as an EPCISQueryDocument, oldest recorded first. Filters (EPCIS 2.0 query parameters; several values separated by `|`): `EQ_bizStep` (a CBV word such as shipping or a URI), `GE_eventTime` and `LT_eventTime` (ISO 8601), `MATCH_epc` (epcList, childEPCs), `MATCH_anyEPC` (also inputEPCList, outputEPCList, parentID), `MATCH_epcClass` (quantityList) and `MATCH_anyEPCClass` (every quantity list), exact identifiers, no patterns; `EQ_bizLocation`. `perPage` (default 30, at most {MaxPerPage}); pass `nextPageToken` back for the next page (the `Link: rel=\"next\"` header carries it too). A page may be short when a filter matches rarely: at most {ScanBudget} stored events are read per page. Any other parameter is a 400.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<JsonObject>(StatusCodes.Status200OK, ExportBatchEndpoint.MediaType)
            .ProducesValidationProblem();

    sealed record Filters(
        HashSet<string>? Steps, Instant? From, Instant? Until, HashSet<string>? Epc, HashSet<string>? AnyEpc, HashSet<string>? EpcClass,
        HashSet<string>? AnyEpcClass, HashSet<string>? Locations);

    static async Task<IResult> Query(HttpContext http, IQuerySession session, NpgsqlDataSource dataSource, IOptions<TraceabilityOptions> options, IClock clock)
    {
        var query = http.Request.Query;
        var errors = new FieldErrors();
        foreach (var name in query.Keys.Where(k => !Parameters.Contains(k)))
            errors.Add(name, $"is not a query parameter this service supports ({string.Join(", ", Parameters)})");
        var perPage = 30;
        if (query.TryGetValue("perPage", out var perPageText) && (!int.TryParse(perPageText, out perPage) || perPage is < 1 or > MaxPerPage))
            errors.Add("perPage", $"must be a whole number from 1 to {MaxPerPage}");
        long after = 0;
        if (query.TryGetValue("nextPageToken", out var token))
        {
            if (Decode(token.ToString()) is { } decoded) after = decoded;
            else errors.Add("nextPageToken", "is not a token this query returned");
        }
        var filters = new Filters(
            Set(query, "EQ_bizStep", Step), Moment(query, "GE_eventTime", errors), Moment(query, "LT_eventTime", errors),
            Set(query, "MATCH_epc"), Set(query, "MATCH_anyEPC"), Set(query, "MATCH_epcClass"), Set(query, "MATCH_anyEPCClass"), Set(query, "EQ_bizLocation"));
        if (errors.Any) return errors.ToRefusal().ToResult();

        var names = ExportBatchEndpoint.Names(options.Value);
        var scope = Visibility.ScopeOf(Caller.From(http.User));
        var found = new List<JsonObject>();
        long? next = null;
        if (!scope.Nothing)
        {
            var scanned = 0;
            while (true)
            {
                var rows = await ChunkAsync(dataSource, session.DocumentStore.Options.DatabaseSchemaName, scope, after, Types(filters.Steps), http.RequestAborted);
                if (rows.Count == 0) break;
                var streams = await session.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(rows.Select(r => r.Stream).Distinct().ToArray()))
                    .OrderBy(e => e.Sequence).ToListAsync(http.RequestAborted);
                var mapping = new EpcisEvents(names, session.DocumentStore.Options.Serializer());
                var mapped = streams.GroupBy(e => e.StreamId).SelectMany(s => mapping.Map([.. s])).ToLookup(m => m.Source, m => m.Event);
                foreach (var (seq, _, id) in rows)
                {
                    after = seq;
                    scanned++;
                    found.AddRange(mapped[id].Where(e => Matches(e, filters)));
                    if (found.Count >= perPage || scanned >= ScanBudget) break;
                }
                if (found.Count >= perPage || scanned >= ScanBudget)
                {
                    next = after;
                    break;
                }
                if (rows.Count < Chunk) break;
            }
        }

        var document = new JsonObject
        {
            ["@context"] = new JsonArray(Vocabulary.ContextUrl, new JsonObject { ["trc"] = names.Namespace }),
            ["type"] = "EPCISQueryDocument",
            ["schemaVersion"] = "2.0",
            ["creationDate"] = EpcisNames.Time(clock.GetCurrentInstant()),
            ["epcisBody"] = new JsonObject
            {
                ["queryResults"] = new JsonObject
                {
                    ["queryName"] = "SimpleEventQuery",
                    ["resultsBody"] = new JsonObject { ["eventList"] = new JsonArray([.. found]) },
                },
            },
        };
        if (next is { } cursor)
        {
            var nextToken = Encode(cursor);
            document["nextPageToken"] = nextToken;
            var link = new StringBuilder($"{http.Request.Path}?");
            foreach (var (key, values) in query.Where(q => q.Key != "nextPageToken"))
                link.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(values.ToString())).Append('&');
            http.Response.Headers.Link = $"<{link}nextPageToken={nextToken}>; rel=\"next\"";
        }
        return Results.Text(document.ToJsonString(), ExportBatchEndpoint.MediaType, Encoding.UTF8);
    }

    /// <summary>The next stored events of batches in the caller's scope, after the cursor, narrowed to the event types a business step can come from.</summary>
    static async Task<List<(long Seq, Guid Stream, Guid Id)>> ChunkAsync(NpgsqlDataSource dataSource, string schema, Visibility.Scope scope, long after,
        string[]? types, CancellationToken token)
    {
        var sql = new StringBuilder($"select e.seq_id, e.stream_id, e.id from {schema}.mt_events e join {schema}.mt_doc_batch b on b.id = e.stream_id where e.seq_id > $1");
        var args = new List<object> { after };
        Visibility.AppendSql(sql, args, scope, "b");
        if (types is not null)
        {
            args.Add(types);
            sql.Append(" and e.type = any($").Append(args.Count).Append(')');
        }
        sql.Append(" order by e.seq_id limit ").Append(Chunk);
        await using var command = dataSource.CreateCommand(sql.ToString());
        foreach (var arg in args) command.Parameters.AddWithValue(arg);
        var rows = new List<(long, Guid, Guid)>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) rows.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2)));
        return rows;
    }

    /// <summary>The stored event types each business step is mapped from; a correction can carry any step, so it is always read.</summary>
    static string[]? Types(HashSet<string>? steps)
    {
        if (steps is null) return null;
        var types = new HashSet<string> { "figure_corrected" };
        foreach (var step in steps.Select(s => s[(s.LastIndexOfAny(['/', '-']) + 1)..]))
            types.UnionWith(step switch
            {
                "commissioning" => ["batch_generated", "batch_derived"],
                "shipping" => ["batch_dispatched"],
                "receiving" => ["batch_received"],
                "inspecting" => ["receipt_discrepancy_recorded", "dispatch_rejected"],
                "holding" => ["storage_extended"],
                "disassembling" => ["batch_dismantled"],
                "sorting" => ["batch_sorted"],
                "splitting" => ["batch_split"],
                "merging" => ["batch_merged"],
                "cascade_use" => ["batch_cascade_used", "fate_recorded"],
                "recycling" or "reusing" or "remanufacturing" or "destroying" => ["fate_recorded"],
                _ => [],
            });
        return [.. types];
    }

    static bool Matches(JsonObject e, Filters f)
    {
        if (f.Steps is not null && !f.Steps.Contains(Step(e["bizStep"]?.GetValue<string>() ?? ""))) return false;
        if (f.From is not null || f.Until is not null)
        {
            var at = NodaTime.Text.OffsetDateTimePattern.ExtendedIso.Parse(e["eventTime"]!.GetValue<string>()).Value.ToInstant();
            if (at < f.From || at >= f.Until) return false;
        }
        if (f.Epc is not null && !Values(e, "epcList", "childEPCs").Any(f.Epc.Contains)) return false;
        if (f.AnyEpc is not null && !Values(e, "epcList", "childEPCs", "inputEPCList", "outputEPCList", "parentID").Any(f.AnyEpc.Contains)) return false;
        if (f.EpcClass is not null && !Classes(e, "quantityList", "childQuantityList").Any(f.EpcClass.Contains)) return false;
        if (f.AnyEpcClass is not null && !Classes(e, "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList").Any(f.AnyEpcClass.Contains)) return false;
        if (f.Locations is not null && !f.Locations.Contains(e["bizLocation"]?["id"]?.GetValue<string>() ?? "")) return false;
        return true;
    }

    static IEnumerable<string> Values(JsonObject e, params string[] fields) => fields.SelectMany(field => e[field] switch
    {
        JsonArray list => list.Select(v => v!.GetValue<string>()),
        JsonValue single => [single.GetValue<string>()],
        _ => [],
    });

    static IEnumerable<string> Classes(JsonObject e, params string[] fields) =>
        fields.SelectMany(field => e[field] is JsonArray list ? list.Select(q => q!["epcClass"]!.GetValue<string>()) : []);

    /// <summary>A CBV business step as its bare word, whichever way it is written; a private step stays its URI.</summary>
    static string Step(string step) =>
        step.StartsWith("https://ref.gs1.org/cbv/BizStep-", StringComparison.Ordinal) ? step["https://ref.gs1.org/cbv/BizStep-".Length..]
        : step.StartsWith("urn:epcglobal:cbv:bizstep:", StringComparison.Ordinal) ? step["urn:epcglobal:cbv:bizstep:".Length..]
        : step;

    static HashSet<string>? Set(IQueryCollection query, string name, Func<string, string>? normalise = null) =>
        query.TryGetValue(name, out var values)
            ? [.. values.SelectMany(v => (v ?? "").Split('|')).Where(v => v.Length > 0).Select(normalise ?? (v => v))]
            : null;

    static Instant? Moment(IQueryCollection query, string name, FieldErrors errors)
    {
        if (!query.TryGetValue(name, out var text)) return null;
        var (value, rule) = RequestJson.ParseInstant(text.ToString());
        if (rule is not null) errors.Add(name, rule);
        return value;
    }

    static string Encode(long seq) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"seq:{seq}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static long? Decode(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            return text.StartsWith("seq:", StringComparison.Ordinal) && long.TryParse(text[4..], out var seq) && seq >= 0 ? seq : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
