using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Wolverine.Attributes;

namespace Traceability.Requests;

/// <summary>
/// A write that is not a batch command (enterprises, API keys, licences, alert resolutions): it reads and
/// writes what it needs through the session and says what to answer. Batch commands take
/// <c>BatchPipeline</c>, which also loads, checks and appends their streams.
/// </summary>
public interface IWriteCommand
{
    Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct);
}

/// <summary>A write on its way through <see cref="WritePipeline"/>, with the Idempotency-Key its request carried.</summary>
public sealed record RunWriteCommand(IWriteCommand Command, IdempotencyKey? Idempotency);

/// <summary>
/// The path of every write that is not a batch command: replay a retry, execute, remember the answer.
/// Wolverine's transactional middleware commits what it wrote and the idempotency record together.
/// </summary>
[WolverineHandler]
public static class WritePipeline
{
    public static async Task<WriteOutcome> Handle(RunWriteCommand run, IDocumentSession session, IClock clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await Idempotency.ReplayAsync(session, run.Idempotency, ct) is { } replay) return replay;
        var now = clock.GetCurrentInstant();
        var outcome = await run.Command.ExecuteAsync(session, now, ct);
        Idempotency.Remember(session, run.Idempotency, outcome.Remembered ?? outcome, now, json.Value.SerializerOptions);
        return outcome;
    }
}
