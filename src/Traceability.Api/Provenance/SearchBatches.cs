using System.Text;
using Traceability.Hosting;
using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Batches;
using Traceability.Batches.Reading;
using Traceability.Requests;

namespace Traceability.Provenance;

public sealed record BatchPage(IReadOnlyList<BatchView> Items, string? NextCursor);

/// <summary>
/// GET /api/batches: batches the caller may see, filtered, oldest first (by when they were generated or
/// derived, then id), in pages. The cursor is the last item's sort key, so pages do not shift when new
/// batches arrive.
/// </summary>
public static class SearchBatches
{
    public static void MapSearchBatches(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/batches").WithTags("Provenance").MapGet("/", Handle)
            .WithName("SearchBatches")
            .WithSummary("Search batches")
            .WithDescription("Filters: identifier (VIN or battery code), category, status, holder, generator, city (generated, held or sent there), from/to (when generated or derived, ISO 8601). Sorted by that time then id; `limit` (default 50, at most 500) per page; pass `nextCursor` back as `cursor`. Enterprises see batches they held or are sent; city regulators and city statisticians batches that touched their city; national ones all.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<BatchPage>()
            .ProducesValidationProblem();

    static async Task<IResult> Handle(
        string? identifier, string? category, string? status, string? holder, string? generator, string? city, string? from, string? to,
        string? cursor, int? limit, HttpContext http, IQuerySession session)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > 500) errors.Add("limit", "must be between 1 and 500");
        if (status is not null && !EnumNames.All<BatchStatus>().Contains(status))
            errors.Add("status", $"must be one of {string.Join(", ", EnumNames.All<BatchStatus>())}");
        var after = cursor is null ? null : Decode(cursor);
        if (cursor is not null && after is null) errors.Add("cursor", "is not a cursor this search returned");
        var since = Moment(from, "from", errors);
        var until = Moment(to, "to", errors);
        if (since is { } f && until is { } t && t < f) errors.Add("to", "must not precede from");
        if (errors.Any) return errors.ToRefusal().ToResult();

        var sql = new StringBuilder("where 1 = 1");
        var args = new List<object>();
        // Each ? of the clause takes the same value.
        void Filter(string clause, object? value)
        {
            if (value is null) return;
            sql.Append(" and ").Append(clause);
            args.AddRange(Enumerable.Repeat(value, clause.Count(c => c == '?')));
        }
        const string touchesCity = Visibility.TouchesCitySql;
        Filter("data -> 'identifier' ->> 'value' = ?", identifier);
        Filter("data ->> 'category' = ?", category);
        Filter("data ->> 'status' = ?", status);
        Filter("data ->> 'holder' = ?", holder);
        Filter("data ->> 'generator' = ?", generator);
        Filter(touchesCity, city);
        Filter("(data ->> 'generatedAtMs')::bigint >= ?", since?.ToUnixTimeMilliseconds());
        Filter("(data ->> 'generatedAtMs')::bigint <= ?", until?.ToUnixTimeMilliseconds());
        Filter("data ->> 'searchKey' > ?", after);

        // The caller's scope (the one visibility rule), in the query itself so a page is never short of what it may see.
        var scope = Visibility.ScopeOf(Caller.From(http.User));
        if (scope.Nothing) return Results.Ok(new BatchPage([], null));
        Filter(Visibility.InvolvesEnterpriseSql, scope.Enterprise);
        Filter(touchesCity, scope.City);

        var size = limit ?? 50;
        sql.Append(" order by data ->> 'searchKey' limit ").Append(size + 1);
        var found = await session.QueryAsync<Batch>(sql.ToString(), http.RequestAborted, [.. args]);
        var page = found.Take(size).ToList();
        return Results.Ok(new BatchPage([.. page.Select(BatchView.Of)], found.Count > size ? Encode(page[^1].SearchKey) : null));
    }

    static Instant? Moment(string? text, string field, FieldErrors errors)
    {
        if (text is null) return null;
        var (value, rule) = RequestJson.ParseInstant(text);
        if (rule is not null) errors.Add(field, rule);
        return value;
    }

    static string Encode(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static string? Decode(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var key = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
            return System.Text.RegularExpressions.Regex.IsMatch(key, "^[0-9]{15}:[0-9a-f]{32}$") ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
