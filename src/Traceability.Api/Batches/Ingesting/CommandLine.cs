using System.Text.Json;
using System.Text.RegularExpressions;
using Traceability.Batches.CascadeUsing;
using Traceability.Batches.Correcting;
using Traceability.Batches.Dismantling;
using Traceability.Batches.Dispatching;
using Traceability.Batches.Fates;
using Traceability.Batches.Merging;
using Traceability.Batches.Receiving;
using Traceability.Batches.Registering;
using Traceability.Batches.Rejecting;
using Traceability.Batches.Sorting;
using Traceability.Batches.Splitting;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches.Ingesting;

/// <summary>
/// One line of a bulk ingest: the single endpoint's path, its body, and the two headers it reads.
/// <code>{"path": "/api/batches/{id}/dispatches", "idempotencyKey": "d-17", "ifMatch": 3, "body": {...}}</code>
/// </summary>
public sealed record CommandLineRequest(string? Path, JsonElement? Body, string? IdempotencyKey = null, long? IfMatch = null);

/// <summary>A line that made it to a command: the pipeline runs it as the single endpoint's request would run.</summary>
public sealed record CommandLine(long Number, IBatchCommand Command, IdempotencyKey? Key);

/// <summary>
/// From a line to the command the single endpoint at its path would send, through that endpoint's own request type,
/// validation and idempotency scope: a line and a single request with the same key and body replay each other.
/// </summary>
public static partial class CommandLines
{
    delegate (IBatchCommand? Command, Refusal? Refusal) Validate(JsonElement body, Match path, string by, long? expected, Categories categories, JsonSerializerOptions json);

    sealed record Route(Regex Pattern, Func<Match, string> Operation, Func<JsonElement, JsonSerializerOptions, object?> Read, Func<object, Match, string, long?, Categories, (IBatchCommand?, Refusal?)> Validate);

    const string Id = "(?<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";
    const string Manifest = "(?<manifest>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";

    static Route For<TRequest, TCommand>(string pattern, Func<Match, string> operation, Func<TRequest, Match, string, long?, Categories, (TCommand?, Refusal?)> validate)
        where TCommand : class, IBatchCommand =>
        new(new Regex($"^/api/batches{pattern}/?$", RegexOptions.CultureInvariant), operation,
            (body, json) => body.Deserialize<TRequest>(json),
            (request, match, by, expected, categories) => validate((TRequest)request, match, by, expected, categories));

    static Guid G(Match m, string name) => Guid.Parse(m.Groups[name].Value);

    /// <summary>Every batch command the API has, with the operation name its endpoint scopes Idempotency-Keys by.</summary>
    static readonly Route[] Routes =
    [
        For<RegisterBatchRequest, RegisterBatch>("", _ => "register-batch", (r, _, by, _, c) => r.Validate(by, c)),
        For<MergeBatchesRequest, MergeBatches>("/merge", _ => "merge", (r, _, by, _, c) => r.Validate(by, c)),
        For<CascadeUseRequest, CascadeUse>("/cascade-use", _ => "cascade-use", (r, _, by, _, c) => r.Validate(by, c)),
        For<DispatchBatchRequest, DispatchBatch>($"/{Id}/dispatches", m => $"dispatch:{G(m, "id")}", (r, m, by, e, _) => r.Validate(G(m, "id"), by, e)),
        For<ReceiveBatchRequest, ReceiveBatch>($"/{Id}/dispatches/{Manifest}/receipt", m => $"receive:{G(m, "id")}:{G(m, "manifest")}",
            (r, m, by, e, _) => r.Validate(G(m, "id"), G(m, "manifest"), by, e)),
        For<RejectDispatchRequest, RejectDispatch>($"/{Id}/dispatches/{Manifest}/rejection", m => $"reject:{G(m, "id")}:{G(m, "manifest")}",
            (r, m, by, e, _) => r.Validate(G(m, "id"), G(m, "manifest"), by, e)),
        For<SortBatchRequest, TransformBatch>($"/{Id}/sorting", m => $"sort:{G(m, "id")}", (r, m, by, e, c) => r.Validate(G(m, "id"), by, e, c)),
        For<DismantleBatchRequest, TransformBatch>($"/{Id}/dismantling", m => $"dismantle:{G(m, "id")}", (r, m, by, e, c) => r.Validate(G(m, "id"), by, e, c)),
        For<SplitBatchRequest, SplitBatch>($"/{Id}/splitting", m => $"split:{G(m, "id")}", (r, m, by, e, _) => r.Validate(G(m, "id"), by, e)),
        For<RecordFateRequest, RecordFate>($"/{Id}/fates", m => $"fate:{G(m, "id")}", (r, m, by, e, c) => r.Validate(G(m, "id"), by, e, c)),
        For<CorrectFigureRequest, CorrectFigure>($"/{Id}/corrections", m => $"correct:{G(m, "id")}", (r, m, by, e, _) => r.Validate(G(m, "id"), by, e)),
    ];

    /// <summary>The paths a line may name, for the documentation and the refusal of any other.</summary>
    public const string Paths =
        "/api/batches, /api/batches/merge, /api/batches/cascade-use, /api/batches/{id}/dispatches, /api/batches/{id}/dispatches/{manifestId}/receipt, " +
        "/api/batches/{id}/dispatches/{manifestId}/rejection, /api/batches/{id}/sorting, /api/batches/{id}/dismantling, /api/batches/{id}/splitting, " +
        "/api/batches/{id}/fates, /api/batches/{id}/corrections";

    /// <summary>
    /// Reads one line as the single endpoint reads its request: the line's JSON, its path, If-Match, the body (a 400 naming
    /// the field, as the endpoint's binding gives), the request's own validation, the Idempotency-Key.
    /// </summary>
    public static (CommandLine? Line, Refusal? Refusal) Read(long number, ReadOnlySpan<byte> utf8, string by, string scope, Categories categories, JsonSerializerOptions json)
    {
        CommandLineRequest? line;
        try
        {
            line = JsonSerializer.Deserialize<CommandLineRequest>(utf8, json);
        }
        catch (JsonException e)
        {
            return (null, Unreadable(e));
        }
        if (line is null) return (null, Refusal.Invalid("line", "must be a JSON object with path and body"));
        if (string.IsNullOrWhiteSpace(line.Path)) return (null, Refusal.Invalid("path", $"is required: one of {Paths}"));
        if (line.IfMatch is <= 0) return (null, Refusal.Invalid("ifMatch", "must be the batch version, a positive whole number"));
        foreach (var route in Routes)
        {
            var match = route.Pattern.Match(line.Path);
            if (!match.Success) continue;
            // No record has the empty id: the same 404 as the single endpoint gives any unknown id.
            if (match.Groups["id"] is { Success: true } id && Guid.Parse(id.Value) == Guid.Empty || match.Groups["manifest"] is { Success: true } m && Guid.Parse(m.Value) == Guid.Empty)
                return (null, Refusal.NotFound($"No batch or manifest has the empty id ({line.Path})."));
            if (line.Body is not { ValueKind: JsonValueKind.Object } body) return (null, Refusal.Invalid("body", "is required: the JSON object the single endpoint takes"));
            object? request;
            try
            {
                request = route.Read(body, json);
            }
            catch (JsonException e)
            {
                return (null, Unreadable(e));
            }
            if (request is null) return (null, Refusal.Invalid("body", "is required: the JSON object the single endpoint takes"));
            var (command, refusal) = route.Validate(request, match, by, line.IfMatch, categories);
            if (refusal is not null) return (null, refusal);
            var (key, keyRefusal) = IdempotencyKey.FromValue(line.IdempotencyKey, $"{scope}|{route.Operation(match)}", request);
            if (keyRefusal is not null) return (null, keyRefusal with { Errors = new Dictionary<string, string[]> { ["idempotencyKey"] = keyRefusal.Errors?.Values.First() ?? [] } });
            return (new CommandLine(number, command!, key), null);
        }
        return (null, new Refusal(StatusCodes.Status404NotFound, "Not found.", $"path: no batch command is at {line.Path}; a line names one of {Paths}.",
            new Dictionary<string, string[]> { ["path"] = [$"must be one of {Paths}"] }));
    }

    static Refusal Unreadable(JsonException e)
    {
        var problem = ProblemResponses.Classify(e)!;
        var errors = problem.Extensions.TryGetValue("errors", out var value) ? value as IReadOnlyDictionary<string, string[]> : null;
        return new Refusal(problem.Status!.Value, problem.Title!, problem.Detail!, errors);
    }
}
