using Marten;
using NodaTime;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Access.Revoking;

public sealed record RevokeApiKey(Guid Id) : IWriteCommand
{
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        var key = await session.LoadAsync<ApiKey>(Id, ct);
        if (key is null) return Refusal.NotFound($"No API key {Id} was issued.");
        if (key.RevokedAt is null)
        {
            key.RevokedAt = now;
            session.Update(key);
        }
        return WriteOutcome.NoContent();
    }
}

public static class RevokeApiKeyEndpoint
{
    public static void MapRevokeApiKey(this RouteGroupBuilder keys) =>
        keys.MapDelete("/{id:guid}", (Guid id, HttpContext http, IMessageBus bus) =>
            {
                var command = new RevokeApiKey(id);
                return CommandDispatch.SendAsync(bus, http, $"revoke-api-key:{id}", command, (command, null));
            })
            .WithName("RevokeApiKey")
            .WithSummary("Revoke an API key")
            .WithDescription("Revokes the key at once: the next request that presents it gets 401. Revoking a revoked key again is a no-op.")
            .RequireAuthorization(Roles.Admin)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
}
