using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using System.Text.Json;

using Traceability.Requests;

namespace Traceability.Hosting;

/// <summary>
/// The one place exceptions become problem responses: a lost race on a stream or a key is a 409, a body
/// that is not the JSON the endpoint takes is a 400 naming the path, a database out of reach is a 503 with
/// Retry-After. Anything else is a bug (500).
/// </summary>
public sealed class ProblemResponses(IProblemDetailsService problems, ILogger<ProblemResponses> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Classify(exception);
        if (problem is null) return false;
        logger.LogInformation("Request refused with {Status}: {Detail}", problem.Status, problem.Detail);
        httpContext.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable) httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    internal static ProblemDetails? Classify(Exception exception)
    {
        // A batch of commands can fail several ways at once: Marten then throws them together.
        if (exception is AggregateException many)
            return many.InnerExceptions.Select(Classify).FirstOrDefault(p => p is not null);
        if (LostRace.Of(exception) is (true, var constraint))
            return Conflict($"Another write to the same record was committed first{(constraint is null ? "" : $" ({constraint})")}; read it again and retry.");
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // The database is away (refused connection, server shutting down or starting, too many clients):
                // nothing was written, and the same request may succeed shortly.
                case PostgresException { SqlState: var state } when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal) || state == "53300":
                    return Unavailable();
                case NpgsqlException { IsTransient: true } and not PostgresException:
                case System.Net.Sockets.SocketException:
                    return Unavailable();
                case BadHttpRequestException { InnerException: JsonException inner }:
                    return Unreadable(inner);
                case BadHttpRequestException bad:
                    return new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "The request body could not be read.", Detail = bad.Message };
                case JsonException json:
                    return Unreadable(json);
            }
        }
        return null;
    }

    /// <summary>How long a client should wait before trying again while the database is away.</summary>
    public const int RetryAfterSeconds = 5;

    static ProblemDetails Unavailable() => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "The service is unavailable.",
        Detail = $"The database cannot be reached; nothing was written. Retry after {RetryAfterSeconds} seconds.",
    };

    static ProblemDetails Conflict(string detail) =>
        new() { Status = StatusCodes.Status409Conflict, Title = "Conflict with a concurrent write.", Detail = detail };

    /// <summary>A body that does not bind: the field (from the reader's path) and the rule under <c>errors</c>, as every other refusal names them.</summary>
    static ProblemDetails Unreadable(JsonException json)
    {
        var field = json.Path is { Length: > 2 } path ? path[2..] : null; // "$.massKg" -> "massKg"
        var message = json.Message.Split(" Path:")[0];
        var rule = json is InputRuleException ruled ? ruled.Rule
            : message.Contains("duplicate", StringComparison.OrdinalIgnoreCase) ? "appears twice in the body"
            : $"has the wrong type or format ({message})";
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body could not be read.",
            Detail = field is null ? $"The body is not valid JSON: {message}" : $"{field}: {rule}",
        };
        if (field is not null) problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [rule] };
        return problem;
    }
}
