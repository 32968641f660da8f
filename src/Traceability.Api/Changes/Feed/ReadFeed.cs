using System.Globalization;
using Traceability.Access;
using Traceability.Requests;

namespace Traceability.Changes.Feed;

public static class ReadFeedEndpoint
{
    public const int MaxWaitSeconds = 30;

    public static void MapReadFeed(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/feed", Read)
            .WithTags("Changes")
            .WithName("ReadFeed")
            .WithSummary("The batch events the caller may see, in order, after a cursor")
            .WithDescription(
                "`after` is the cursor of the last event read (or of the last page), 0 to start from the beginning; it stays valid across restarts and nodes. " +
                $"`limit` 1-{ChangeFeed.MaxLimit} (default 100). `wait` 0-{MaxWaitSeconds} seconds: with nothing to answer, the request waits that long for the " +
                "next visible event instead of returning an empty page (long-polling). The page's `cursor` is where to read next, also when it is empty. " +
                "An enterprise sees the events of the batches it holds or held and dispatches addressed to it; a city's regulator or statistician the batches " +
                "that touched its city; national keys everything.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<FeedPage>()
            .ProducesValidationProblem();

    static async Task<IResult> Read(HttpContext http, ChangeFeed feed, FeedSignal signal, string? after, int? limit, int? wait)
    {
        var errors = new FieldErrors();
        long from = 0;
        if (after is not null && !(long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out from)))
            errors.Add("after", "must be a cursor this feed returned (a whole number, 0 for the beginning)");
        if (limit is < 1 or > ChangeFeed.MaxLimit) errors.Add("limit", $"must be a whole number from 1 to {ChangeFeed.MaxLimit}");
        if (wait is < 0 or > MaxWaitSeconds) errors.Add("wait", $"must be a whole number of seconds from 0 to {MaxWaitSeconds}");
        if (errors.Any) return errors.ToRefusal().ToResult();

        var scope = Visibility.ScopeOf(Caller.From(http.User));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(wait ?? 0);
        while (true)
        {
            // Taken before reading, so a move between the read and the wait is not slept through.
            var moved = signal.Moved;
            var page = await feed.ReadAsync(scope, from, limit ?? 100, http.RequestAborted);
            var left = deadline - DateTime.UtcNow;
            if (page.Events.Count > 0 || left <= TimeSpan.Zero) return Results.Ok(page);
            // Nothing visible up to the mark: the next read starts where this one stopped.
            from = long.Parse(page.Cursor, CultureInfo.InvariantCulture);
            await Task.WhenAny(moved, Task.Delay(left, http.RequestAborted));
            http.RequestAborted.ThrowIfCancellationRequested();
        }
    }
}
