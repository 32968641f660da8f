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
            o.DocumentFilter<RequestBounds>();
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

    /// <summary>
    /// Declares on each request body what schemas/api/{operation}.json requires of it (required fields,
    /// minimum and maximum, lengths, patterns, list sizes), so a client generated from the document knows the
    /// bounds the service enforces; the contract tests hold the same files against the service's validation.
    /// </summary>
    sealed class RequestBounds : IDocumentFilter
    {
        static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "schemas", "api");

        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            foreach (var operation in (document.Paths ?? []).Values.SelectMany(p => p.Operations ?? []).Select(o => o.Value))
            {
                if (operation.OperationId is not { } id || operation.RequestBody?.Content?.TryGetValue("application/json", out var media) != true) continue;
                var file = Path.Combine(Folder, $"{System.Text.RegularExpressions.Regex.Replace(id, "(?<!^)([A-Z])", "-$1").ToLowerInvariant()}.json");
                if (!File.Exists(file) || Resolve(media!.Schema, document) is not { } body) continue;
                Copy(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!.AsObject(), body, document);
            }
        }

        static OpenApiSchema? Resolve(IOpenApiSchema? schema, OpenApiDocument document) => schema switch
        {
            OpenApiSchemaReference reference when reference.Reference.Id is { } name
                && document.Components?.Schemas?.TryGetValue(name, out var target) == true => target as OpenApiSchema,
            OpenApiSchema inline => inline,
            _ => null,
        };

        static void Copy(System.Text.Json.Nodes.JsonObject source, OpenApiSchema target, OpenApiDocument document)
        {
            if (source["required"] is System.Text.Json.Nodes.JsonArray required)
                target.Required = new HashSet<string>(required.Select(r => r!.GetValue<string>()));
            if (source["minimum"] is { } min) target.Minimum = min.ToJsonString();
            if (source["maximum"] is { } max) target.Maximum = max.ToJsonString();
            if (source["exclusiveMinimum"] is { } exclusive) target.ExclusiveMinimum = exclusive.ToJsonString();
            if (source["minLength"] is { } minLength) target.MinLength = minLength.GetValue<int>();
            if (source["maxLength"] is { } maxLength) target.MaxLength = maxLength.GetValue<int>();
            if (source["pattern"] is { } pattern) target.Pattern = pattern.GetValue<string>();
            if (source["minItems"] is { } minItems) target.MinItems = minItems.GetValue<int>();
            if (source["maxItems"] is { } maxItems) target.MaxItems = maxItems.GetValue<int>();
            if (source["items"] is System.Text.Json.Nodes.JsonObject items && Resolve(target.Items, document) is { } itemSchema) Copy(items, itemSchema, document);
            if (source["properties"] is not System.Text.Json.Nodes.JsonObject properties || target.Properties is null) return;
            foreach (var (name, property) in properties)
                if (property is System.Text.Json.Nodes.JsonObject rules && target.Properties.TryGetValue(name, out var schema) && Resolve(schema, document) is { } resolved)
                    Copy(rules, resolved, document);
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
