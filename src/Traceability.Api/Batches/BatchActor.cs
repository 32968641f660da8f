using Marten;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.ReferenceData.Caching;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>The enterprise acting on a batch, with the licences its decision is judged by.</summary>
public sealed record BatchActor(Enterprise Enterprise, LicenceBook Licences)
{
    public string Id => Enterprise.Id;
    public string City => Enterprise.City;

    /// <summary>The enterprise and its licences from the cache where it has them; the licences' year-to-date use is always read, in the write's transaction.</summary>
    public static async Task<(BatchActor? Actor, Refusal? Refusal)> LoadAsync(IQuerySession session, string enterpriseId, ReferenceCache? cache, CancellationToken ct)
    {
        var enterprise = cache is null
            ? await session.LoadAsync<Enterprise>(enterpriseId, ct)
            : await cache.GetAsync(ReferenceChanges.Kinds.Enterprise, enterpriseId, t => session.LoadAsync<Enterprise>(enterpriseId, t), ct);
        if (enterprise is null) return (null, Refusal.Forbidden($"The calling key's enterprise {enterpriseId} is not registered."));
        return (new BatchActor(enterprise, await LicenceBook.LoadAsync(session, enterpriseId, cache, ct)), null);
    }
}
