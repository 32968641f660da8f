using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Batches;
using Traceability.Epcis.Exporting;
using Traceability.Epcis.Hashing;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;
using Wolverine.Attributes;

namespace Traceability.Epcis.Capturing;

/// <summary>What became of one event of a capture: stored, skipped (and why), refused, or not run because an earlier one was refused.</summary>
public sealed record CapturedEvent(int Index, string? EventId, string Hash, string Status, string? Note = null);

/// <summary>A capture job, as EPCIS 2.0 REST names it: kept so its outcome can be read again at /epcis/capture/{id}.</summary>
public sealed class CaptureJob
{
    public Guid Id { get; set; }
    public string By { get; set; } = "";
    public Instant CreatedAt { get; set; }
    public bool Running { get; set; }
    public bool Success { get; set; }

    /// <summary>rollback (all or nothing, the default) or proceed (each event on its own).</summary>
    public string CaptureErrorBehaviour { get; set; } = "rollback";

    public int EventCount { get; set; }
    public Dictionary<string, string[]> Errors { get; set; } = [];
    public List<CapturedEvent> Events { get; set; } = [];
}

/// <summary>The job, and the refusal that ended it (null when every event was stored or skipped).</summary>
public sealed record CaptureOutcome(CaptureJob Job, Refusal? Refusal);

/// <summary>A capture on its way to its handler: the whole document, in one transaction unless the caller asked to proceed.</summary>
public sealed record RunCapture(Guid CaptureId, string By, JsonElement Document, string Behaviour);

/// <summary>
/// Runs a capture's events in order, each through the same pipeline and checks as the HTTP API, in one transaction:
/// a later event reads the batches earlier ones wrote (<see cref="PendingBatches"/>). The first refusal writes nothing
/// of the document and names the event; the job is stored either way.
/// </summary>
[WolverineHandler]
public static class CaptureHandler
{
    public static async Task<CaptureOutcome> Handle(
        RunCapture run, IDocumentSession session, IMessageContext bus, Compliance.Rules.Rulebook rules, ReferenceData.Caching.ReferenceCache references, IClock clock,
        IOptions<TraceabilityOptions> options, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var categories = rules.Categories;
        var now = clock.GetCurrentInstant();
        var (job, mapping) = Start(run, ExportBatchEndpoint.Names(options.Value), categories, now);
        var pending = new PendingBatches();
        for (var i = 0; i < mapping.Count; i++)
        {
            var (outcome, refusal) = await RunOneAsync(mapping, i, job, cmd =>
                BatchPipeline.RunAsync(new RunBatchCommand(cmd, null), session, bus, rules, references, now, json.Value.SerializerOptions, pending, ct), pending);
            if (refusal is null) continue;
            // All or nothing: what the earlier events wrote goes, the job (with the refusal) stays.
            session.EjectAllPendingChanges();
            for (var later = i + 1; later < job.Events.Count; later++) job.Events[later] = job.Events[later] with { Status = "not-run" };
            for (var earlier = 0; earlier < i; earlier++) if (job.Events[earlier].Status == "stored") job.Events[earlier] = job.Events[earlier] with { Status = "rolled-back" };
            Finish(job, refusal);
            session.Store(job);
            return new CaptureOutcome(job, refusal);
        }
        Finish(job, null);
        session.Store(job);
        return new CaptureOutcome(job, null);
    }

    /// <summary>Each event on its own (GS1-Capture-Error-Behaviour: proceed): every event is tried, each in its own transaction.</summary>
    public static async Task<CaptureJob> ProceedAsync(RunCapture run, IMessageBus bus, IDocumentStore store, Categories categories, TraceabilityOptions options, Instant now, CancellationToken ct)
    {
        var (job, mapping) = Start(run, ExportBatchEndpoint.Names(options), categories, now);
        Refusal? first = null;
        for (var i = 0; i < mapping.Count; i++)
        {
            var (_, refusal) = await RunOneAsync(mapping, i, job, cmd => bus.InvokeAsync<WriteOutcome>(new RunBatchCommand(cmd, null), ct), null);
            first ??= refusal;
        }
        Finish(job, first);
        await using var session = store.LightweightSession();
        session.Store(job);
        await session.SaveChangesAsync(ct);
        return job;
    }

    static (CaptureJob Job, CaptureMapping Mapping) Start(RunCapture run, EpcisNames names, Categories categories, Instant now)
    {
        var mapping = new CaptureMapping(names, categories, run.By, run.Document);
        var hashes = EventHash.Of(run.Document);
        var job = new CaptureJob
        {
            Id = run.CaptureId, By = run.By, CreatedAt = now, CaptureErrorBehaviour = run.Behaviour, EventCount = mapping.Count,
            Events = [.. hashes.Select(h => new CapturedEvent(h.Index, h.EventId, h.Hash, "pending"))],
        };
        return (job, mapping);
    }

    static async Task<(WriteOutcome? Outcome, Refusal? Refusal)> RunOneAsync(
        CaptureMapping mapping, int i, CaptureJob job, Func<IBatchCommand, Task<WriteOutcome>> run, PendingBatches? pending)
    {
        var step = mapping.Map(i);
        if (step.Skipped is { } why)
        {
            job.Events[i] = job.Events[i] with { Status = "skipped", Note = why };
            return (null, null);
        }
        var refusal = step.Refusal;
        if (step.Command is Batches.Registering.RegisterBatch { BatchId: var registered } && pending?.Find(registered) is not null)
            refusal = Refusal.Conflict($"epcisBody.eventList[{i}]: batch {registered} is already started by an earlier event of this document.", $"epcisBody.eventList[{i}].quantityList[0].epcClass");
        WriteOutcome? outcome = null;
        if (refusal is null && step.Command is not null)
        {
            outcome = await run(step.Command);
            if (outcome.Refusal is { } refused) refusal = CaptureMapping.Field(refused, $"epcisBody.eventList[{i}]");
        }
        if (refusal is not null)
        {
            job.Events[i] = job.Events[i] with { Status = "refused", Note = refusal.Detail };
            foreach (var (field, rules) in refusal.Errors ?? new Dictionary<string, string[]>()) job.Errors[field] = rules;
            return (outcome, refusal);
        }
        // A correction later in the document names this event by its eventID: remember the batch and the version it became.
        var batch = step.Command switch
        {
            Batches.Registering.RegisterBatch register => register.BatchId,
            _ => step.Command!.Targets is [var first, ..] ? first : Guid.Empty,
        };
        if (job.Events[i].EventId is { } eventId && batch != Guid.Empty && Version(outcome!, pending, batch) is { } version)
            mapping.Recorded[eventId] = (batch, version);
        job.Events[i] = job.Events[i] with { Status = "stored" };
        return (outcome, null);
    }

    /// <summary>The version the event became: the response says it (every batch write answers its version).</summary>
    static long? Version(WriteOutcome outcome, PendingBatches? pending, Guid batch)
    {
        if (pending?.Find(batch) is { } written) return written.Aggregate.Version;
        var property = outcome.Body?.GetType().GetProperty("Version");
        return property?.GetValue(outcome.Body) as long?;
    }

    static void Finish(CaptureJob job, Refusal? refusal)
    {
        job.Running = false;
        job.Success = refusal is null;
        if (refusal is not null && refusal.Errors is null) job.Errors["epcisBody"] = [refusal.Detail];
    }
}

public static class CaptureEndpoint
{
    public const int MaxEvents = 10_000;

    /// <summary>A capture body may be larger than any other request's (<see cref="Hosting.RequestBounds.MaxBodyBytes"/>): 10,000 events.</summary>
    public const long MaxBodyBytes = Hosting.RequestBounds.CaptureBodyBytes;

    public const string Path = Hosting.RequestBounds.CapturePath;

    public static void MapCapture(this RouteGroupBuilder epcis)
    {
        epcis.MapPost("/capture", Capture)
            .WithName("CaptureEpcis")
            .WithSummary("Capture an EPCIS 2.0 document")
            .WithDescription($"Imports an EPCIS 2.0 JSON-LD document of the calling enterprise's own events (each event's readPoint is one of its sites). The document is checked against the EPCIS 2.0.1 JSON Schema (a 400 naming each path and rule); each event is then mapped to the command it records (docs/epcis.md has the table) and run through the same checks as the HTTP API (licences, mass balance, custody, identifiers). By default all or nothing: the first refusal stores nothing of the document and answers that refusal, its fields named under `epcisBody.eventList[i]`. With `GS1-Capture-Error-Behaviour: proceed` each event is tried on its own. The answer (202, and at `Location`) is the capture job: every event's EPCIS hash and what became of it. At most {MaxEvents} events and {MaxBodyBytes / (1024 * 1024)} MiB.")
            .Accepts<JsonElement>("application/json", "application/ld+json")
            .RequireAuthorization(Roles.Enterprise)
            .Produces<CaptureJob>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        epcis.MapGet("/capture/{id:guid}", Status)
            .WithName("GetCaptureJob")
            .WithSummary("A capture job")
            .WithDescription("The outcome of a capture: success, the errors by field, and each event's hash and status (stored, skipped, refused, rolled-back, not-run). Only the enterprise that captured it sees it; anyone else gets 404.")
            .RequireAuthorization(Roles.Enterprise)
            .Produces<CaptureJob>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    static async Task<IResult> Capture(HttpContext http, IMessageBus bus, IDocumentStore store, Categories categories, IOptions<TraceabilityOptions> options, IClock clock)
    {
        var behaviour = http.Request.Headers["GS1-Capture-Error-Behaviour"].ToString() is { Length: > 0 } asked ? asked.ToLowerInvariant() : "rollback";
        if (behaviour is not ("rollback" or "proceed"))
            return Refusal.Invalid("GS1-Capture-Error-Behaviour", "must be rollback (the default) or proceed").ToResult();
        var (document, unreadable) = await EpcisBody.ReadAsync(http.Request, HashEventsEndpoint.MaxDepth);
        if (document is null) return unreadable!.ToResult();
        using (document)
        {
            var root = document.RootElement;
            var schemaErrors = SchemaCheck.Epcis.Check(root);
            if (schemaErrors.Count > 0)
            {
                var errors = new FieldErrors();
                foreach (var error in schemaErrors) errors.Add(error.Path, error.Rule);
                var refusal = errors.ToRefusal();
                return (refusal with { Detail = $"The document does not satisfy the EPCIS 2.0.1 JSON Schema; nothing was stored. {refusal.Detail}" }).ToResult();
            }
            var count = root.GetProperty("epcisBody").GetProperty("eventList").GetArrayLength();
            if (count > MaxEvents) return Refusal.Invalid("epcisBody.eventList", $"must hold at most {MaxEvents} events").ToResult();

            var run = new RunCapture(Guid.CreateVersion7(), Caller.From(http.User).EnterpriseId!, root.Clone(), behaviour);
            var location = $"{Path}/{run.CaptureId}";
            if (behaviour == "proceed")
            {
                var job = await CaptureHandler.ProceedAsync(run, bus, store, categories, options.Value, clock.GetCurrentInstant(), http.RequestAborted);
                return Results.Accepted(location, job);
            }
            var (captured, refused) = await bus.InvokeAsync<CaptureOutcome>(run, http.RequestAborted);
            if (refused is null) return Results.Accepted(location, captured);
            http.Response.Headers.Location = location;
            var extensions = new Dictionary<string, object>(refused.Extensions ?? new Dictionary<string, object>()) { ["captureId"] = run.CaptureId };
            return (refused with { Extensions = extensions }).ToResult();
        }
    }

    static async Task<IResult> Status(Guid id, HttpContext http, IQuerySession session)
    {
        var job = await session.LoadAsync<CaptureJob>(id, http.RequestAborted);
        return job is not null && job.By == Caller.From(http.User).EnterpriseId
            ? Results.Ok(job)
            : Refusal.NotFound($"No capture job {id} of this enterprise.").ToResult();
    }
}
