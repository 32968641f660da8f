using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using NodaTime;
using Swashbuckle.AspNetCore.SwaggerGen;
using Traceability.Requests;

namespace Traceability.Hosting;

public static class OpenApi
{
    public static IServiceCollection AddTraceabilityOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Traceability",
                Version = "v1",
                Description = "Event-sourced material-flow traceability for waste recycling: batches, custody, manifests. Authenticate with 'Authorization: Bearer <key>'.",
            });
            o.MapType<Instant>(() => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" });
            o.MapType<LocalDate>(() => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" });
            o.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key issued by POST /api/api-keys, or the administrator key.",
            });
            o.OperationFilter<WhoMayCall>();
            o.OperationFilter<RequestExamples>();
            o.SupportNonNullableReferenceTypes();
            var xml = Path.Combine(AppContext.BaseDirectory, "Traceability.Api.xml");
            if (File.Exists(xml)) o.IncludeXmlComments(xml);
        });
        return services;
    }

    /// <summary>
    /// Shows schemas/api/examples/{operation in kebab case}.json as the request example. The same files are
    /// checked against their JSON Schema and the service's own validation by the contract tests, so the
    /// example in Swagger is one the service accepts.
    /// </summary>
    sealed class RequestExamples : IOperationFilter
    {
        static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "schemas", "api", "examples");

        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.OperationId is not { } id || operation.RequestBody?.Content is not { } content) return;
            var file = Path.Combine(Folder, $"{System.Text.RegularExpressions.Regex.Replace(id, "(?<!^)([A-Z])", "-$1").ToLowerInvariant()}.json");
            if (!File.Exists(file) || !content.TryGetValue("application/json", out var found) || found is not OpenApiMediaType media) return;
            media.Example = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file));
        }
    }

    /// <summary>Writes each endpoint's caller rule into its description and declares 401/403.</summary>
    sealed class WhoMayCall : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var policy = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().FirstOrDefault()?.Policy;
            if (policy is null) return;
            operation.Description = $"{operation.Description}\n\nWho may call: {Roles.Describe(policy)}.".TrimStart();
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No key, or a key that is unknown or revoked." });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key's role may not call this endpoint." });
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] });
        }
    }
}
