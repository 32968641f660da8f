using Marten;
using Traceability.Requests;

namespace Traceability.Integrity.Sealing;

public static class ListRootsEndpoint
{
    public const int MaxLimit = 1000;

    public static void MapListRoots(this RouteGroupBuilder integrity) =>
        integrity.MapGet("/roots", List)
            .WithName("ListIntegrityRoots")
            .WithSummary("The sealed integrity roots")
            .WithDescription($"Every sealed root in order (number, sealedAt, upToSeq, leafCount, merkleRoot), from number `after` + 1 (default 0), at most `limit` (default 100, at most {MaxLimit}). Publish them, or keep a copy: a proof is checked against a root someone outside the service holds.")
            .RequireAuthorization(Roles.AnyKey)
            .Produces<IReadOnlyList<IntegrityRootSealed>>()
            .ProducesValidationProblem();

    static async Task<IResult> List(long? after, int? limit, IQuerySession session, HttpContext http)
    {
        var errors = new FieldErrors();
        if (after is < 0) errors.Add("after", "must be 0 or more");
        if (limit is < 1 or > MaxLimit) errors.Add("limit", $"must be between 1 and {MaxLimit}");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var from = (after ?? 0) + 1;
        var events = await session.Events.FetchStreamAsync(IntegrityRoots.Stream, version: from + (limit ?? 100) - 1, token: http.RequestAborted);
        return Results.Ok(events.Where(e => e.Version >= from).Select(e => (IntegrityRootSealed)e.Data).ToList());
    }
}
