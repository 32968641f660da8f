using Marten;
using NodaTime;
using Traceability.Enterprises;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Access.Issuing;

/// <summary>Body of POST /api/api-keys.</summary>
/// <param name="Role">enterprise, regulator or statistician.</param>
/// <param name="EnterpriseId">For an enterprise key: the enterprise it acts for.</param>
/// <param name="City">For a regulator or statistician key: the city it is limited to; omit for national.</param>
public sealed record IssueApiKeyRequest(KeyRole? Role, string? EnterpriseId, string? City)
{
    public (IssueApiKey? Command, Refusal? Refusal) Validate(Cities cities)
    {
        var errors = new FieldErrors().Require(Role, "role");
        if (Role == KeyRole.Enterprise)
        {
            errors.Require(EnterpriseId, "enterpriseId");
            if (City is not null) errors.Add("city", "is not set on an enterprise key: it takes the enterprise's city");
        }
        else if (Role is not null)
        {
            if (EnterpriseId is not null) errors.Add("enterpriseId", "is only for enterprise keys");
            if (City is not null && !cities.IsKnown(City)) errors.Add("city", "is not a GB/T 2260 city code in seeds/cities.json");
        }
        return errors.Any ? (null, errors.ToRefusal()) : (new IssueApiKey(Role!.Value, EnterpriseId, City), null);
    }
}

public sealed record IssueApiKey(KeyRole Role, string? EnterpriseId, string? City) : IWriteCommand
{
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        if (EnterpriseId is not null && await session.LoadAsync<Enterprise>(EnterpriseId, ct) is null)
            return Refusal.Invalid("enterpriseId", $"no enterprise {EnterpriseId} is registered");

        var id = Guid.CreateVersion7();
        var (secret, hash) = ApiKey.NewSecret(id);
        var key = new ApiKey { Id = id, Role = Role, EnterpriseId = EnterpriseId, City = City, SecretHash = hash, IssuedAt = now };
        session.Insert(key);
        return WriteOutcome.Created(new IssuedApiKey(id, secret, key.Role, key.EnterpriseId, key.City, key.IssuedAt), $"/api/api-keys/{id}") with
        {
            // A replay must not hand the secret out again: a retry gets the record without it.
            Remembered = WriteOutcome.Created(new IssuedApiKey(id, "(shown once; issue a new key if it was lost)", key.Role, key.EnterpriseId, key.City, key.IssuedAt), $"/api/api-keys/{id}"),
        };
    }
}

/// <summary>The issued key. <c>Key</c> is shown in this response only; the service keeps just its hash.</summary>
public sealed record IssuedApiKey(Guid Id, string Key, KeyRole Role, string? EnterpriseId, string? City, Instant IssuedAt);

public static class IssueApiKeyEndpoint
{
    public static void MapIssueApiKey(this RouteGroupBuilder keys) =>
        keys.MapPost("/", Handle)
            .WithName("IssueApiKey")
            .WithSummary("Issue an API key")
            .WithDescription("Issues a key for an enterprise, or for a regulator or statistician of one city (or national, without a city). The key is in the response once and is stored only as a hash.")
            .RequireAuthorization(Roles.Admin)
            .Produces<IssuedApiKey>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

    static Task<IResult> Handle(IssueApiKeyRequest request, HttpContext http, Cities cities, IMessageBus bus) =>
        CommandDispatch.SendAsync(bus, http, "issue-api-key", request, request.Validate(cities));
}
