using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Traceability.Requests;

namespace Traceability.Hosting;

/// <summary>
/// The bounds every request keeps before anything reads it: a body of at most <see cref="MaxBodyBytes"/>
/// (413), and a path and query of printable text within length (400 naming the parameter). A NUL in a query
/// filter would otherwise reach PostgreSQL, which refuses it with an error the caller should never see.
/// </summary>
public static class RequestBounds
{
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>An EPCIS capture (POST <see cref="CapturePath"/>) carries up to 10,000 events; every other body stays small.</summary>
    public const long CaptureBodyBytes = 16 * 1024 * 1024;

    public const string CapturePath = "/epcis/capture";

    /// <summary>A bulk ingest (POST <see cref="CommandsPath"/>) streams: its lines are bounded one by one, the whole only by this.</summary>
    public const long CommandsBodyBytes = 4L * 1024 * 1024 * 1024;

    public const string CommandsPath = "/api/commands";
    public const int MaxQueryValueLength = 500;

    public static IApplicationBuilder UseRequestBounds(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var maxBody = http.Request.Path.Equals(CapturePath, StringComparison.OrdinalIgnoreCase) ? CaptureBodyBytes
            : http.Request.Path.Equals(CommandsPath, StringComparison.OrdinalIgnoreCase) ? CommandsBodyBytes
            : MaxBodyBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBody;
        if (http.Request.ContentLength > maxBody)
        {
            await WriteAsync(http, new Refusal(StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                $"A request body may be at most {maxBody} bytes; this one is {http.Request.ContentLength}."));
            return;
        }
        if (Uri.UnescapeDataString(http.Request.Path.Value ?? "") is var path && RequestJson.TextRule(path) is { } pathRule)
        {
            await WriteAsync(http, Refusal.Invalid("path", pathRule));
            return;
        }
        var errors = new FieldErrors();
        foreach (var (name, values) in http.Request.Query)
            foreach (var value in values.OfType<string>())
            {
                if (value.Length > MaxQueryValueLength) errors.Add(name, $"must be at most {MaxQueryValueLength} characters");
                else if (RequestJson.TextRule(value) is { } rule) errors.Add(name, rule);
            }
        if (errors.Any)
        {
            await WriteAsync(http, errors.ToRefusal());
            return;
        }
        await next(http);
    });

    /// <summary>
    /// After routing, before authorization. Routing answers a wrong Content-Type or method with endpoints of its own that carry no authorization
    /// metadata, so the closed fallback policy would turn them into 401 or 403. They reveal nothing: answer them
    /// as what they are, for every caller.
    /// </summary>
    public static IApplicationBuilder UseHonestRejections(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        // No record has the empty id, and Marten refuses to fetch a stream by it: the same 404 as any unknown id.
        if (http.Request.RouteValues.Values.Any(v => v is string text && Guid.TryParse(text, out var id) && id == Guid.Empty))
        {
            await WriteAsync(http, Refusal.NotFound($"No record has the id {Guid.Empty}."));
            return;
        }
        switch (http.GetEndpoint()?.DisplayName)
        {
            case "415 HTTP Unsupported Media Type":
                await WriteAsync(http, new Refusal(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.",
                    $"Content-Type: this endpoint takes {(http.Request.Path.Equals(CommandsPath, StringComparison.OrdinalIgnoreCase) ? "application/x-ndjson" : "application/json")}, not '{http.Request.ContentType}'."));
                return;
            case "405 HTTP Method Not Supported":
                await WriteAsync(http, new Refusal(StatusCodes.Status405MethodNotAllowed, "Method not allowed.",
                    $"{http.Request.Method} is not an operation of {http.Request.Path}."));
                return;
        }
        await next(http);
    });

    static async Task WriteAsync(HttpContext http, Refusal refusal)
    {
        http.Response.StatusCode = refusal.Status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = refusal.ToProblemDetails(),
        });
    }
}
