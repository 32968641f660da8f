using Traceability.Requests;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Traceability.ReferenceData.Caching;

namespace Traceability.Access;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>. The key record comes from the node's <see cref="ReferenceCache"/>, which
/// forgets it when its row changes (a revocation, on any node, is heard at its commit), so a revoked key stops
/// working at once without a read per request. 401 and 403 are written as problem responses.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IQuerySession session,
    ReferenceCache cache,
    AdminKey adminKey,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <key>'.");
        var presented = header["Bearer ".Length..].Trim();

        if (adminKey.Matches(presented))
            return Success(new Claim(ClaimTypes.Role, Roles.Admin), new Claim(Caller.KeyClaim, "admin"));

        if (!ApiKey.TryParse(presented, out var id, out var secret))
            return AuthenticateResult.Fail("The key is not one this service issued.");
        var key = await cache.GetAsync(ReferenceChanges.Kinds.ApiKey, id.ToString(), t => session.LoadAsync<ApiKey>(id, t), Context.RequestAborted);
        if (key is null || !key.Matches(secret)) return AuthenticateResult.Fail("The key is not one this service issued.");
        if (key.RevokedAt is not null) return AuthenticateResult.Fail("The key was revoked.");

        var claims = new List<Claim>
        {
            new(ClaimTypes.Role, key.Role switch
            {
                KeyRole.Enterprise => Roles.Enterprise,
                KeyRole.Regulator => Roles.Regulator,
                _ => Roles.Statistician,
            }),
            new(Caller.KeyClaim, key.Id.ToString()),
        };
        if (key.EnterpriseId is not null) claims.Add(new Claim(Caller.EnterpriseClaim, key.EnterpriseId));
        if (key.City is not null) claims.Add(new Claim(Caller.CityClaim, key.City));
        return Success([.. claims]);
    }

    AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await WriteProblem(new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "Authentication required.",
            Detail = failure ?? "Send an API key as 'Authorization: Bearer <key>'.",
        });
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var policy = Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy;
        return WriteProblem(new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "Forbidden.",
            Detail = policy is null ? "This key may not call this endpoint." : $"This endpoint may be called with {Roles.Describe(policy)}.",
        });
    }

    Task WriteProblem(ProblemDetails problem) =>
        problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem }).AsTask();
}
