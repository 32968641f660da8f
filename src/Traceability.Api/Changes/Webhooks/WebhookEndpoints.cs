using System.Net;
using System.Net.Sockets;
using Marten;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Changes.Feed;
using Traceability.Requests;

namespace Traceability.Changes.Webhooks;

/// <summary>Body of POST /api/webhooks.</summary>
/// <param name="Url">Where the events are posted: https, at most 2,000 characters.</param>
/// <param name="After">The feed cursor to start after; by default, now (only events from here on are sent). 0 sends every visible event since the beginning.</param>
public sealed record RegisterWebhookRequest(string? Url, string? After = null);

public static class WebhookEndpoints
{
    public const int MaxUrlLength = 2000;

    public static void MapWebhooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/webhooks").WithTags("Changes").RequireAuthorization(Roles.BatchReaders);
        hooks.MapPost("/", Register)
            .WithName("RegisterWebhook")
            .WithSummary("Register a webhook for the events the caller may see")
            .WithDescription(
                "Every batch event the caller may see (the feed's rule) is posted to the URL as JSON `{subscriptionId, event}`, one request per event, in feed order, " +
                "with `X-Traceability-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.body\" under the secret>`, `X-Traceability-Delivery: <id>:<cursor>` " +
                "(the same on a retry: deliveries are at least once) and `X-Traceability-Event`. A receiver that does not answer 2xx within 10 s is retried with " +
                "back-off, and nothing after it is sent until it does. The secret is answered once, here.")
            .Produces<WebhookRegistered>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        hooks.MapGet("/", List)
            .WithName("ListWebhooks")
            .WithSummary("The caller's webhooks and their delivery state")
            .WithDescription("The webhooks the caller's enterprise (or, for a regulator or statistician, the caller's key) registered.")
            .Produces<IReadOnlyList<WebhookView>>()
            .ProducesValidationProblem();
        hooks.MapGet("/{id:guid}", Read)
            .WithName("ReadWebhook")
            .WithSummary("One webhook's delivery state")
            .WithDescription("State `up-to-date`, `delivering` or `retrying` (with the last status and error and the failures in a row), and the cursor delivered up to.")
            .Produces<WebhookView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapDelete("/{id:guid}", Delete)
            .WithName("DeleteWebhook")
            .WithSummary("Stop a webhook")
            .WithDescription("Nothing more is sent to it; a page already in flight ends at its next event.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    static async Task<IResult> Register(RegisterWebhookRequest request, HttpContext http, IDocumentSession session, ChangeFeed feed, IOptions<WebhookOptions> options, IClock clock)
    {
        var caller = Caller.From(http.User);
        var errors = new FieldErrors().Require(request.Url, "url");
        if (request.Url is { } url && UrlRule(url, options.Value) is { } rule) errors.Add("url", rule);
        long after = 0;
        if (request.After is { } given && !long.TryParse(given, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out after))
            errors.Add("after", "must be a cursor of the feed (a whole number, 0 for the beginning)");
        if (errors.Any) return errors.ToRefusal().ToResult();
        if (request.Url is { } host && await PrivateAddressRuleAsync(new Uri(host), options.Value, http.RequestAborted) is { } privateRule)
            return Refusal.Invalid("url", privateRule).ToResult();
        var owned = await Owned(session, caller).CountAsync(http.RequestAborted);
        if (owned >= options.Value.MaxPerParty)
            return Refusal.Conflict($"A party may register at most {options.Value.MaxPerParty} webhooks; delete one first.").ToResult();

        var start = request.After is null ? await feed.HighWaterAsync(http.RequestAborted) : after;
        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(), Url = request.Url!, Secret = WebhookSubscription.NewSecret(), CreatedAt = clock.GetCurrentInstant(),
            Role = caller.Role, KeyId = caller.KeyId, EnterpriseId = caller.EnterpriseId, City = caller.City, Enqueued = start, Delivered = start,
        };
        session.Insert(subscription);
        await session.SaveChangesAsync(http.RequestAborted);
        return Results.Created($"/api/webhooks/{subscription.Id}", new WebhookRegistered(subscription.View(), subscription.Secret));
    }

    static async Task<IResult> List(HttpContext http, IQuerySession session) =>
        Results.Ok((await Owned(session, Caller.From(http.User)).ToListAsync(http.RequestAborted)).Select(s => s.View()).ToList());

    static async Task<IResult> Read(Guid id, HttpContext http, IQuerySession session) =>
        await session.LoadAsync<WebhookSubscription>(id, http.RequestAborted) is { } s && s.OwnedBy(Caller.From(http.User))
            ? Results.Ok(s.View())
            : Refusal.NotFound($"No webhook {id} is the caller's.").ToResult();

    static async Task<IResult> Delete(Guid id, HttpContext http, IDocumentSession session)
    {
        if (await session.LoadAsync<WebhookSubscription>(id, http.RequestAborted) is not { } s || !s.OwnedBy(Caller.From(http.User)))
            return Refusal.NotFound($"No webhook {id} is the caller's.").ToResult();
        session.Delete(s);
        await session.SaveChangesAsync(http.RequestAborted);
        return Results.NoContent();
    }

    static IQueryable<WebhookSubscription> Owned(IQuerySession session, Caller caller) =>
        caller.EnterpriseId is { } enterprise
            ? session.Query<WebhookSubscription>().Where(s => s.EnterpriseId == enterprise)
            : session.Query<WebhookSubscription>().Where(s => s.KeyId == caller.KeyId);

    /// <summary>The rule a webhook URL breaks, or null: length, absolute, https (or http where allowed), no user information.</summary>
    public static string? UrlRule(string url, WebhookOptions options)
    {
        if (url.Length > MaxUrlLength) return $"must be at most {MaxUrlLength} characters";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "must be an absolute URL";
        if (uri.Scheme != Uri.UriSchemeHttps && !(options.AllowHttp && uri.Scheme == Uri.UriSchemeHttp)) return "must be an https URL";
        if (uri.UserInfo.Length > 0) return "must not carry a user name or password";
        return null;
    }

    /// <summary>Whether the URL's host is, or resolves to, an address of the service's own networks (refused unless configured otherwise).</summary>
    static async Task<string?> PrivateAddressRuleAsync(Uri uri, WebhookOptions options, CancellationToken ct)
    {
        if (options.AllowPrivateNetworks) return null;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.Host, ct);
        }
        catch (SocketException)
        {
            return $"its host {uri.Host} does not resolve";
        }
        return addresses.Any(IsPrivate) ? $"must not point at a loopback, private or link-local address ({uri.Host})" : null;
    }

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal) return true;
        if (address.AddressFamily != AddressFamily.InterNetwork) return address.Equals(IPAddress.IPv6Any);
        var b = address.GetAddressBytes();
        return b[0] is 10 or 127 or 0 || b[0] == 169 && b[1] == 254 || b[0] == 172 && b[1] is >= 16 and <= 31 || b[0] == 192 && b[1] == 168 || b[0] == 100 && b[1] is >= 64 and <= 127;
    }
}
