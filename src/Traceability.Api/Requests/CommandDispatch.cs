using Traceability.Access;
using Wolverine;

namespace Traceability.Requests;

/// <summary>
/// The one path from an HTTP write to its Wolverine handler: read the Idempotency-Key, hand the command
/// to the handler (whose Marten transaction holds the events and the idempotency record together), and
/// turn its outcome into the response.
/// </summary>
public static class CommandDispatch
{
    public static async Task<IResult> SendAsync<TCommand>(
        IMessageBus bus, HttpContext http, string operation, object request, Func<IdempotencyKey?, TCommand> command)
        where TCommand : notnull
    {
        var caller = Caller.From(http.User);
        var (key, refusal) = IdempotencyKey.From(http, $"{caller.Scope}|{operation}", request);
        if (refusal is not null) return refusal.ToResult();
        var outcome = await bus.InvokeAsync<WriteOutcome>(command(key), http.RequestAborted);
        return outcome.ToResult();
    }
}
