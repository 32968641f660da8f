using Marten;
using Traceability.Enterprises.Registering;

namespace Traceability.Enterprises;

public static class EnterprisesModule
{
    public static StoreOptions AddEnterprises(this StoreOptions options)
    {
        options.Schema.For<Enterprise>().Identity(e => e.Id);
        return options;
    }

    public static void MapEnterprises(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/enterprises").WithTags("Enterprises").MapRegisterEnterprise();
}
