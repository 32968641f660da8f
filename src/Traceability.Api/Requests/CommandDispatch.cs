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
        var outcome = await bus.InvokeAsync<WriteOutcome>(message(key), http.RequestAborted);
        return outcome.ToResult();
    }

    /// <summary>A validated request's command through <see cref="WritePipeline"/>, or the request's refusal.</summary>
    public static async Task<IResult> SendAsync(IMessageBus bus, HttpContext http, string operation, object request, (IWriteCommand? Command, Refusal? Refusal) validated) =>
        validated.Refusal is not null
            ? validated.Refusal.ToResult()
            : await SendAsync(bus, http, operation, request, key => new RunWriteCommand(validated.Command!, key));
}
