using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Traceability.Requests;

/// <summary>
/// What a write command produced: a response to send, or a refusal. Handlers return it so that the
/// idempotency record and the events are written in one transaction.
/// </summary>
public sealed record WriteOutcome(int Status, object? Body, string? Location = null, Refusal? Refusal = null, bool Replayed = false)
{
    /// <summary>What a retry gets instead of this outcome, when this one holds what must be shown only once (a new key's secret).</summary>
    public WriteOutcome? Remembered { get; init; }

    public static WriteOutcome Created(object body, string location) => new(StatusCodes.Status201Created, body, location);
    public static WriteOutcome Ok(object body) => new(StatusCodes.Status200OK, body);
    public static WriteOutcome NoContent() => new(StatusCodes.Status204NoContent, null);
    public static WriteOutcome Refused(Refusal refusal) => new(refusal.Status, null, Refusal: refusal);

    public static implicit operator WriteOutcome(Refusal refusal) => Refused(refusal);

    public bool Succeeded => Refusal is null;

    public IResult ToResult() => Refusal is not null ? Refusal.ToResult() : new OutcomeResult(this);

    sealed class OutcomeResult(WriteOutcome outcome) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = outcome.Status;
            if (outcome.Location is not null) http.Response.Headers.Location = outcome.Location;
            if (outcome.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
            if (outcome.Body is null) return;
            var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            await http.Response.WriteAsJsonAsync(outcome.Body, outcome.Body.GetType(), options, contentType: "application/json; charset=utf-8");
        }
    }
}
