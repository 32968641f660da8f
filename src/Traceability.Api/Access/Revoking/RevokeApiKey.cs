using Marten;
using NodaTime;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Access.Revoking;

public sealed record RevokeApiKey(Guid Id);

public static class RevokeApiKeyEndpoint
{
    public static void MapRevokeApiKey(this RouteGroupBuilder keys) =>
        keys.MapDelete("/{id:guid}", async (Guid id, HttpContext http, IMessageBus bus) =>
                (await bus.InvokeAsync<WriteOutcome>(new RevokeApiKey(id), http.RequestAborted)).ToResult())
            .WithName("RevokeApiKey")
            .WithSummary("Revoke an API key")
            .WithDescription("Revokes the key at once: the next request that presents it gets 401. Revoking a revoked key again is a no-op.")
            .RequireAuthorization(Roles.Admin)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
}

public static class RevokeApiKeyHandler
{
    public static async Task<WriteOutcome> Handle(RevokeApiKey command, IDocumentSession session, IClock clock, CancellationToken ct)
    {
        var key = await session.LoadAsync<ApiKey>(command.Id, ct);
        if (key is null) return Refusal.NotFound($"No API key {command.Id} was issued.");
        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetCurrentInstant();
            session.Update(key);
        }
        return WriteOutcome.NoContent();
    }
}
