using Traceability.Requests;
using Wolverine;

namespace Traceability.Requests;

/// <summary>
/// From an HTTP write to its Wolverine handler, for every write (batch commands, licences, alerts, keys):
/// read the Idempotency-Key, hand the message to the handler (whose Marten transaction holds the
/// events and the idempotency record together), and turn its outcome into the response.
/// </summary>
public static class CommandDispatch
{
    public static async Task<IResult> SendAsync<TMessage>(
        IMessageBus bus, HttpContext http, string operation, object request, Func<IdempotencyKey?, TMessage> message)
        where TMessage : notnull
    {
        var caller = Caller.From(http.User);
        var (key, refusal) = IdempotencyKey.From(http, $"{caller.Scope}|{operation}", request);
        if (refusal is not null) return refusal.ToResult();
        // A retry sent while its first attempt is still in flight loses the race at commit; once the first
        // attempt has committed, the same key replays its answer, so the loser asks again rather than get 409.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await bus.InvokeAsync<WriteOutcome>(message(key), http.RequestAborted)).ToResult();
            }
            catch (Exception e) when (key is not null && attempt < MaxAttemptsWithKey && LostRace.Of(e).Lost)
            {
                await Task.Delay(Random.Shared.Next(5, 20) * attempt, http.RequestAborted);
            }
        }
    }

    /// <summary>How often a write with an Idempotency-Key is tried when it loses a race: enough for a burst of the same key to end in replays.</summary>
    const int MaxAttemptsWithKey = 5;

    /// <summary>A validated request's command through <see cref="WritePipeline"/>, or the request's refusal.</summary>
    /// <remarks>
    /// These writes are the ones that change keys, enterprises and licences: before answering, the node's reference cache
    /// has heard the change, so the caller's next request cannot meet the row as it was (a revoked key, a licence just granted).
    /// </remarks>
    public static async Task<IResult> SendAsync(IMessageBus bus, HttpContext http, string operation, object request, (IWriteCommand? Command, Refusal? Refusal) validated)
    {
        if (validated.Refusal is not null) return validated.Refusal.ToResult();
        var result = await SendAsync(bus, http, operation, request, key => new RunWriteCommand(validated.Command!, key));
        await http.RequestServices.GetRequiredService<ReferenceData.Caching.ReferenceCache>()
            .SettledAsync(http.RequestServices.GetRequiredService<Npgsql.NpgsqlDataSource>(), http.RequestAborted);
        return result;
    }
}
