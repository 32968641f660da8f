using Traceability.Access;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches;

/// <summary>The HTTP side every batch write shares: who may call, what it may answer, If-Match, validation, the Idempotency-Key, the pipeline.</summary>
public static class BatchWrite
{
    /// <summary>
    /// Reads If-Match and the Idempotency-Key, validates the request as the calling enterprise (always in the
    /// request's own <c>Validate</c>), and runs the command through <see cref="BatchPipeline"/>. A bad header or
    /// body never reaches the pipeline.
    /// </summary>
    public static async Task<IResult> SendAsync<TCommand>(
        IMessageBus bus, HttpContext http, string operation, object request, Func<string, long?, (TCommand? Command, Refusal? Refusal)> validate)
        where TCommand : class, IBatchCommand
    {
        var (expected, ifMatch) = IfMatch.From(http);
        if (ifMatch is not null) return ifMatch.ToResult();
        var (command, refusal) = validate(Caller.From(http.User).EnterpriseId!, expected);
        if (refusal is not null) return refusal.ToResult();
        return await CommandDispatch.SendAsync(bus, http, operation, request, key => new RunBatchCommand(command!, key));
    }

    /// <summary>An enterprise calls it; it answers <typeparamref name="TResponse"/> or a problem: 400, 403, 404, 409, 422 (idempotency key reused with another body).</summary>
    public static RouteHandlerBuilder DeclaresBatchWrite<TResponse>(this RouteHandlerBuilder endpoint, int status = StatusCodes.Status201Created) =>
        endpoint.RequireAuthorization(Roles.Enterprise)
            .Produces<TResponse>(status)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
