using Marten;
using Microsoft.AspNetCore.Authentication;
using Traceability.Access.Issuing;
using Traceability.Access.Revoking;
using Traceability.Requests;

namespace Traceability.Access;

public static class AccessModule
{
    public static StoreOptions AddAccess(this StoreOptions options)
    {
        options.Schema.For<ApiKey>();
        options.Schema.For<IdempotentResponse>().Identity(r => r.Id);
        // Keys, enterprises and licences are cached per node; their tables tell every node when a row changes.
        options.Storage.Add(new ReferenceData.Caching.ReferenceChangesFeature(options));
        return options;
    }

    public static IServiceCollection AddAccess(this IServiceCollection services, string? adminKey)
    {
        services.AddSingleton(new AdminKey(adminKey));
        services.AddSingleton<ReferenceData.Caching.ReferenceCache>();
        services.AddHostedService<ReferenceData.Caching.ReferenceChangeListener>();
        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Roles.Enterprise, p => p.RequireRole(Roles.Enterprise).RequireClaim(Caller.EnterpriseClaim))
            .AddPolicy(Roles.Regulator, p => p.RequireRole(Roles.Regulator))
            .AddPolicy(Roles.Statistician, p => p.RequireRole(Roles.Statistician))
            .AddPolicy(Roles.BatchReaders, p => p.RequireRole(Roles.Enterprise, Roles.Regulator, Roles.Statistician))
            .AddPolicy(Roles.ManifestReaders, p => p.RequireRole(Roles.Enterprise, Roles.Regulator))
            .AddPolicy(Roles.StatisticsReaders, p => p.RequireRole(Roles.Statistician, Roles.Regulator))
            .AddPolicy(Roles.LicenceKeepers, p => p.RequireRole(Roles.Admin, Roles.Regulator))
            .AddPolicy(Roles.AnyKey, p => p.RequireRole(Roles.Admin, Roles.Regulator, Roles.Enterprise, Roles.Statistician))
            .AddPolicy(Roles.LicenceReaders, p => p.RequireRole(Roles.Admin, Roles.Regulator, Roles.Enterprise, Roles.Statistician))
            // An endpoint that forgets to say who may call it is closed, not open.
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireRole(Roles.Admin).Build());
        return services;
    }

    public static void MapAccess(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/api-keys").WithTags("API keys");
        keys.MapIssueApiKey();
        keys.MapRevokeApiKey();
    }
}
