using Traceability.Changes.Feed;
using Traceability.Changes.Webhooks;

namespace Traceability.Changes;

/// <summary>What changed, for every party: the feed it reads and the webhooks it is sent.</summary>
public static class ChangesModule
{
    public static IServiceCollection AddChanges(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<FeedSignal>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedSignal>());
        services.AddWebhooks(configuration);
        return services;
    }

    public static void MapChanges(this IEndpointRouteBuilder app)
    {
        app.MapReadFeed();
        app.MapWebhooks();
    }
}
