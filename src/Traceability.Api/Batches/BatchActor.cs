using Marten;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>The enterprise acting on a batch, with the licences its decision is judged by.</summary>
public sealed record BatchActor(Enterprise Enterprise, LicenceBook Licences)
{
    public string Id => Enterprise.Id;
    public string City => Enterprise.City;

    public static async Task<(BatchActor? Actor, Refusal? Refusal)> LoadAsync(IQuerySession session, string enterpriseId, CancellationToken ct)
    {
        var enterprise = await session.LoadAsync<Enterprise>(enterpriseId, ct);
        if (enterprise is null) return (null, Refusal.Forbidden($"The calling key's enterprise {enterpriseId} is not registered."));
        return (new BatchActor(enterprise, await LicenceBook.LoadAsync(session, enterpriseId, ct)), null);
    }
}
