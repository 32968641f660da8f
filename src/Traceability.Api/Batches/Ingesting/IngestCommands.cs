using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Traceability.Access;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches.Ingesting;

/// <summary>
/// POST /api/commands: NDJSON in, NDJSON out. Each line is a batch command as its single endpoint takes it; the lines
/// run in order, up to <see cref="ChunkLines"/> to a transaction, and each gets one result line with the status and
/// body (or problem) the single endpoint would have answered. Both sides stream: a chunk's results are written as
/// soon as it commits, so memory holds one chunk, whatever the length of the file.
/// </summary>
public static class IngestCommandsEndpoint
{
    /// <summary>Lines per transaction: enough to spread a commit over many events, few enough that a failed commit is cheap to take apart.</summary>
    public const int ChunkLines = 500;

    /// <summary>A line is one request body: the single endpoints' body limit applies to it.</summary>
    public const int MaxLineBytes = (int)RequestBounds.MaxBodyBytes;

    /// <summary>How long lines wait for more before their chunk runs: a client that sends a few lines and waits for their results gets them.</summary>
    static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(50);

    public const string MediaType = "application/x-ndjson";

    public static void MapIngestCommands(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/commands", Handle)
            .WithTags("Batches")
            .WithName("IngestCommands")
            .WithSummary("Send many batch commands in one request (NDJSON)")
            .WithDescription(
                "One command per line: `{\"path\": \"/api/batches/{id}/dispatches\", \"body\": {...}, \"idempotencyKey\": \"...\", \"ifMatch\": 3}`, " +
                $"where path is one of {CommandLines.Paths}. Lines run in order through the same checks as the single endpoints, up to {ChunkLines} " +
                "to a transaction; a later line may act on a batch an earlier one registered. The answer is NDJSON, one line per command line, in order: " +
                "`{\"line\": n, \"status\": 201, \"location\": \"...\", \"body\": {...}}` or `{\"line\": n, \"status\": 4xx, \"problem\": {...}}`, " +
                "the status and body the single endpoint would have answered. A refused line stores nothing and the others go on. Blank lines are skipped; " +
                $"a line may be at most {MaxLineBytes} bytes. Results stream as each chunk commits.")
            .RequireAuthorization(Roles.Enterprise)
            .Accepts<CommandLineRequest>(MediaType)
            .Produces<CommandLineResult>(StatusCodes.Status200OK, MediaType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    static async Task Handle(HttpContext http, IMessageBus bus, Categories categories, IOptions<JsonOptions> jsonOptions)
    {
        // Routing has already answered any other Content-Type with 415 (the endpoint accepts only NDJSON).
        var json = jsonOptions.Value.SerializerOptions;
        var caller = Caller.From(http.User);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = MediaType;
        var ct = http.RequestAborted;
        var output = new Utf8JsonWriter(http.Response.BodyWriter, new JsonWriterOptions { Indented = false, SkipValidation = true });

        var reader = http.Request.BodyReader;
        var chunk = new List<(long Number, CommandLine? Line, Refusal? Refusal)>(ChunkLines);
        long number = 0;
        var skipping = false;
        while (true)
        {
            ReadResult result;
            using (var linger = chunk.Count > 0 ? new Timer(_ => reader.CancelPendingRead(), null, Linger, Timeout.InfiniteTimeSpan) : null)
                result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                number++;
                var line = buffer.Slice(0, end);
                buffer = buffer.Slice(buffer.GetPosition(1, end));
                if (skipping) skipping = false;
                else Take(number, line);
                if (chunk.Count >= ChunkLines) await RunAsync();
            }
            if (buffer.Length > MaxLineBytes && !skipping)
            {
                // Over-long: refused by its number now, and the rest of it read past without being kept.
                chunk.Add((number + 1, null, TooLong()));
                skipping = true;
            }
            if (skipping) buffer = buffer.Slice(buffer.End);
            if (result.IsCompleted)
            {
                if (!skipping && buffer.Length > 0) Take(++number, buffer);
                reader.AdvanceTo(buffer.End);
                break;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (chunk.Count > 0 && (result.IsCanceled || chunk.Count >= ChunkLines)) await RunAsync();
        }
        if (chunk.Count > 0) await RunAsync();
        await reader.CompleteAsync();

        void Take(long n, ReadOnlySequence<byte> bytes)
        {
            var span = bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();
            if (span.Trim(" \t\r"u8).IsEmpty) return;
            var (line, refusal) = CommandLines.Read(n, span, caller.EnterpriseId!, caller.Scope, categories, json);
            chunk.Add((n, line, refusal));
        }

        async Task RunAsync()
        {
            var outcomes = await OutcomesAsync(bus, [.. chunk.Where(c => c.Line is not null).Select(c => c.Line!)], ct);
            var next = 0;
            foreach (var (n, line, refusal) in chunk)
                Write(http.Response.BodyWriter, output, n, line is null ? WriteOutcome.Refused(refusal!) : outcomes[next++], json);
            chunk.Clear();
            await http.Response.BodyWriter.FlushAsync(ct);
        }
    }

    /// <summary>
    /// The chunk in one transaction. If its commit fails (another writer won a race on one of its streams or keys), the
    /// lines run again one transaction each, so only the line that lost gets its 409, as it would alone; a line with an
    /// Idempotency-Key asks again, like the single endpoint, to replay a winner with the same key.
    /// </summary>
    static async Task<IReadOnlyList<WriteOutcome>> OutcomesAsync(IMessageBus bus, IReadOnlyList<CommandLine> lines, CancellationToken ct)
    {
        if (lines.Count == 0) return [];
        if (lines.Count > 1)
        {
            try
            {
                return (await bus.InvokeAsync<CommandLinesOutcome>(new RunCommandLines(lines), ct)).Outcomes;
            }
            catch (Exception e) when (ProblemResponses.Classify(e) is not null)
            {
                // Taken apart below.
            }
        }
        var outcomes = new List<WriteOutcome>(lines.Count);
        foreach (var line in lines) outcomes.Add(await AloneAsync(bus, line, ct));
        return outcomes;
    }

    static async Task<WriteOutcome> AloneAsync(IMessageBus bus, CommandLine line, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await bus.InvokeAsync<CommandLinesOutcome>(new RunCommandLines([line]), ct)).Outcomes[0];
            }
            catch (Exception e) when (line.Key is not null && attempt < 5 && LostRace.Of(e).Lost)
            {
                await Task.Delay(Random.Shared.Next(5, 20) * attempt, ct);
            }
            catch (Exception e) when (ProblemResponses.Classify(e) is { } problem)
            {
                var errors = problem.Extensions.TryGetValue("errors", out var value) ? value as IReadOnlyDictionary<string, string[]> : null;
                return WriteOutcome.Refused(new Refusal(problem.Status!.Value, problem.Title!, problem.Detail!, errors));
            }
        }
    }

    static void Write(PipeWriter pipe, Utf8JsonWriter output, long number, WriteOutcome outcome, JsonSerializerOptions json)
    {
        output.WriteStartObject();
        output.WriteNumber("line", number);
        output.WriteNumber("status", outcome.Status);
        if (outcome.Location is not null) output.WriteString("location", outcome.Location);
        if (outcome.Replayed) output.WriteBoolean("replayed", true);
        if (outcome.Refusal is { } refusal)
        {
            output.WritePropertyName("problem");
            JsonSerializer.Serialize(output, refusal.ToProblemDetails(), json);
        }
        else if (outcome.Body is not null)
        {
            output.WritePropertyName("body");
            JsonSerializer.Serialize(output, outcome.Body, outcome.Body.GetType(), json);
        }
        output.WriteEndObject();
        output.Flush();
        // Reset, so the next result starts a top-level value of its own rather than after a comma; the newline goes to the pipe directly.
        output.Reset();
        pipe.GetSpan(1)[0] = (byte)'\n';
        pipe.Advance(1);
    }

    static Refusal TooLong() => new(StatusCodes.Status413PayloadTooLarge, "The line is too large.",
        $"A line may be at most {MaxLineBytes} bytes, as a single endpoint's body.", new Dictionary<string, string[]> { ["line"] = [$"must be at most {MaxLineBytes} bytes"] });
}

/// <summary>One result line of POST /api/commands (the schema of each line of the answer).</summary>
public sealed record CommandLineResult(long Line, int Status, string? Location, bool? Replayed, JsonElement? Body, Microsoft.AspNetCore.Mvc.ProblemDetails? Problem);
