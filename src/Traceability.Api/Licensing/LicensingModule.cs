using Marten;
using Traceability.Licensing.Granting;
using Traceability.Licensing.Listing;
using Traceability.Licensing.Revoking;

namespace Traceability.Licensing;

public static class LicensingModule
{
    public static StoreOptions AddLicensing(this StoreOptions options)
    {
        // Every batch operation reads the actor's licences.
        options.Schema.For<Licence>().Index(l => l.EnterpriseId);
        return options;
    }

    public static void MapLicensing(this IEndpointRouteBuilder app)
    {
        var enterprises = app.MapGroup("/api/enterprises").WithTags("Licences");
        enterprises.MapGrantLicence();
        enterprises.MapListLicences();
        enterprises.MapRevokeLicence();
    }
}
