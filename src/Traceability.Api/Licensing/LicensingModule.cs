using JasperFx.Events.Projections;
using Marten;
using Traceability.Licensing.Granting;
using Traceability.Licensing.Listing;
using Traceability.Licensing.Revoking;

namespace Traceability.Licensing;

public static class LicensingModule
{
    public static StoreOptions AddLicensing(this StoreOptions options)
    {
        options.Events.AddEventTypes([typeof(LicenceGranted), typeof(LicenceRevoked)]);
        // Inline: the next operation's licence check reads the licence as its grant or revocation left it.
        options.Projections.Snapshot<Licence>(SnapshotLifecycle.Inline);
        // Every batch operation reads the actor's licences.
        options.Schema.For<Licence>().Index(l => l.EnterpriseId);
        options.Storage.ExtendedSchemaObjects.Add(LicenceUsage.Table(options.DatabaseSchemaName));
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
