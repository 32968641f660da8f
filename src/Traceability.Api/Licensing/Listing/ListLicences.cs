using Marten;
using Traceability.Access;
using Traceability.Enterprises;
using Traceability.Requests;

namespace Traceability.Licensing.Listing;

public static class ListLicencesEndpoint
{
    public static void MapListLicences(this RouteGroupBuilder enterprises) =>
        enterprises.MapGet("/{id}/licences", Handle)
            .WithName("ListLicences")
            .WithSummary("Licences of an enterprise")
            .WithDescription("Every licence the enterprise was granted, revoked ones included (with their revocation), oldest first. The register is public: any key reads any enterprise's.")
            .RequireAuthorization(Roles.LicenceReaders)
            .Produces<IReadOnlyList<LicenceView>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

    static async Task<IResult> Handle(string id, HttpContext http, IQuerySession session)
    {
        // Licence registers are public (the licensing authorities publish them): any key reads any enterprise's,
        // which is also what a dispatch refused for the addressee's missing licence tells its sender.
        if (await session.LoadAsync<Enterprise>(id, http.RequestAborted) is null)
            return Refusal.NotFound($"No enterprise {id} is registered.").ToResult();
        var licences = await session.Query<Licence>().Where(l => l.EnterpriseId == id).OrderBy(l => l.GrantedAt).ToListAsync(http.RequestAborted);
        return Results.Ok(licences.Select(LicenceView.Of).ToList());
    }
}
