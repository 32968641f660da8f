using System.Globalization;
using System.Text.Json;
using NodaTime;
using Traceability.Batches.Dispatching;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Correcting;

/// <summary>Body of POST /api/batches/{id}/corrections.</summary>
/// <param name="EventVersion">Version of the event that carries the wrong figure (as GET /api/batches/{id}/events lists it).</param>
/// <param name="Field">massKg, units, vehiclePlate or externalRef, as the event names it.</param>
/// <param name="Value">The right figure: a number for massKg and units, a string for vehiclePlate and externalRef.</param>
/// <param name="Reason">Why the figure was wrong.</param>
public sealed record CorrectFigureRequest(long? EventVersion, string? Field, JsonElement? Value, string? Reason)
{
    public (CorrectFigure? Command, Refusal? Refusal) Validate(Guid batchId, string by, long? expectedVersion)
    {
        var errors = new FieldErrors().Require(EventVersion, "eventVersion").Require(Field, "field").Require(Reason, "reason");
        if (EventVersion is <= 0) errors.Add("eventVersion", "must be a positive stream version");
        if (Reason is { Length: > 500 }) errors.Add("reason", "must be at most 500 characters");
        string? corrected = null;
        switch (Field)
        {
            case null: break;
            case CorrectableFields.MassKg:
                if (Value is { ValueKind: JsonValueKind.Number } m && m.TryGetDecimal(out var kg))
                {
                    if (Mass.Check(kg) is { } rule) errors.Add("value", rule);
                    else corrected = kg.ToString(CultureInfo.InvariantCulture);
                }
                else errors.Add("value", "must be a mass in kilograms (a number) for massKg");
                break;
            case CorrectableFields.Units:
                if (Value is { ValueKind: JsonValueKind.Number } u && u.TryGetInt32(out var units) && UnitCount.Check(units) is null) corrected = units.ToString(CultureInfo.InvariantCulture);
                else errors.Add("value", $"{UnitCount.Rule} for units");
                break;
            case CorrectableFields.VehiclePlate:
                if (Value is { ValueKind: JsonValueKind.String } p && DispatchBatchRequest.Plate().IsMatch(p.GetString()!)) corrected = p.GetString();
                else errors.Add("value", "must be a Chinese plate for vehiclePlate (e.g. 苏B12345)");
                break;
            case CorrectableFields.ExternalRef:
                if (Value is { ValueKind: JsonValueKind.String } r && r.GetString() is { Length: > 0 and <= 100 } text) corrected = text;
                else errors.Add("value", "must be a string of 1 to 100 characters for externalRef");
                break;
            default:
                errors.Add("field", "must be massKg, units, vehiclePlate or externalRef");
                break;
        }
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new CorrectFigure(batchId, EventVersion!.Value, Field!, corrected!, Reason!.Trim(), by, expectedVersion), null);
    }
}

public sealed record CorrectFigure(Guid BatchId, long EventVersion, string Field, string Value, string Reason, string By, long? ExpectedVersion) : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => [BatchId];
    public bool ReadsHistory => true;

    public Decision Decide(BatchContext c) => CorrectFigureDecision.Decide(c.Batch, c.History, this, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision)
    {
        var corrected = (FigureCorrected)decision.Events[0];
        return WriteOutcome.Created(new FigureCorrectedResponse(BatchId, corrected.CorrectsVersion, corrected.Field, corrected.Previous,
            corrected.Corrected, c.VersionAfter(decision)), $"/api/batches/{BatchId}/events");
    }
}

public sealed record FigureCorrectedResponse(Guid BatchId, long CorrectsVersion, string Field, string Previous, string Corrected, long Version);

public static class CorrectFigureDecision
{
    static readonly Dictionary<Type, (string Name, string[] Fields)> Correctable = new()
    {
        [typeof(BatchGenerated)] = (EventNames.Generated, [CorrectableFields.MassKg, CorrectableFields.Units, CorrectableFields.ExternalRef]),
        [typeof(BatchReceived)] = (EventNames.Received, [CorrectableFields.MassKg]),
        [typeof(BatchDispatched)] = (EventNames.Dispatched, [CorrectableFields.MassKg, CorrectableFields.VehiclePlate]),
    };

    /// <summary>
    /// Only the enterprise that reported a figure corrects it, only on a live batch, and only while the
    /// figure is still the one the batch stands on: a generation or receipt mass before the batch moves on
    /// or a fate is recorded, a dispatch's figures while its manifest is open. Later figures then follow
    /// the corrected value. A receipt corrected beyond the tolerance records the discrepancy it now shows.
    /// </summary>
    public static Decision Decide(Batch batch, IReadOnlyList<StoredEvent> history, CorrectFigure command, Instant now, TraceabilityOptions options)
    {
        if (batch.RefuseUnlessLive() is { } ended) return ended;
        var target = history.FirstOrDefault(e => e.Version == command.EventVersion);
        if (target is null) return Refusal.Invalid("eventVersion", $"the batch has no event at version {command.EventVersion} (it is at version {batch.Version})");
        if (!Correctable.TryGetValue(target.Data.GetType(), out var correctable))
            return Refusal.Invalid("eventVersion", $"event {command.EventVersion} carries no figure that is corrected this way; correctable: batch_generated (massKg, units, externalRef), batch_received (massKg), batch_dispatched (massKg, vehiclePlate)");
        if (!correctable.Fields.Contains(command.Field))
            return Refusal.Invalid("field", $"{correctable.Name} has no correctable field {command.Field}; it has {string.Join(", ", correctable.Fields)}");
        var reporter = ((IBatchFact)target.Data).ActedBy;
        if (reporter != command.By) return Refusal.Forbidden($"Only {reporter}, which reported event {command.EventVersion}, may correct it.");
        if (Superseded(batch, history, target, command.Field) is { } superseded) return superseded;

        var previous = history.Select(e => e.Data).OfType<FigureCorrected>()
            .LastOrDefault(c => c.CorrectsVersion == target.Version && c.Field == command.Field)?.Corrected ?? Original(target.Data, command.Field);
        if (previous == command.Value) return Refusal.Invalid("value", $"equals the figure it would correct ({previous})");

        var corrected = new FigureCorrected(batch.Id, target.Version, correctable.Name, command.Field, previous, command.Value, command.Reason, command.By, now);
        if (target.Data is BatchReceived received && command.Field == CorrectableFields.MassKg
            && history.Select(e => e.Data).OfType<BatchDispatched>().LastOrDefault(d => d.ManifestId == received.ManifestId) is { } sent)
        {
            var weighed = new Mass(decimal.Parse(command.Value, System.Globalization.CultureInfo.InvariantCulture));
            if (weighed.PercentOff(sent.MassKg) > options.ReceiptTolerancePercent)
                return Decision.Of(corrected, new ReceiptDiscrepancyRecorded(batch.Id, sent.ManifestId, command.By, sent.MassKg, weighed,
                    weighed - sent.MassKg, options.ReceiptTolerancePercent, received.OccurredAt));
        }
        return Decision.Of(corrected);
    }

    static Refusal? Superseded(Batch batch, IReadOnlyList<StoredEvent> history, StoredEvent target, string field)
    {
        var later = history.Where(e => e.Version > target.Version).Select(e => e.Data).ToList();
        if (target.Data is BatchDispatched dispatched)
            return batch.OpenManifest?.ManifestId == dispatched.ManifestId
                ? null
                : Refusal.Conflict($"Manifest {dispatched.ManifestNumber} is no longer open; its figures stand as received or rejected.");
        if (field is CorrectableFields.ExternalRef) return null;
        if (batch.OpenManifest is not null)
            return Refusal.Conflict("The batch is in transit; correct its figures before dispatching it or after it is received back.");
        if (later.OfType<BatchReceived>().Any())
            return Refusal.Conflict("The batch was weighed again at a later receipt; that figure is the one it stands on.");
        if (later.OfType<FateRecorded>().Any())
            return Refusal.Conflict("A fate was recorded since; the figure is no longer the batch's current one.");
        return null;
    }

    static string Original(object data, string field) => (data, field) switch
    {
        (BatchGenerated g, CorrectableFields.MassKg) => g.MassKg.Kilograms.ToString(CultureInfo.InvariantCulture),
        (BatchGenerated g, CorrectableFields.Units) => g.Units?.ToString(CultureInfo.InvariantCulture) ?? "",
        (BatchGenerated g, CorrectableFields.ExternalRef) => g.ExternalRef ?? "",
        (BatchReceived r, _) => r.MassKg.Kilograms.ToString(CultureInfo.InvariantCulture),
        (BatchDispatched d, CorrectableFields.MassKg) => d.MassKg.Kilograms.ToString(CultureInfo.InvariantCulture),
        (BatchDispatched d, _) => d.VehiclePlate ?? "",
        _ => "",
    };
}

public sealed class CorrectFigureEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/corrections", Handle)
            .WithName("CorrectFigure")
            .WithSummary("Correct a figure an event reported")
            .WithDescription("The enterprise that reported an event corrects one of its figures (batch_generated: massKg, units, externalRef; batch_received: massKg; batch_dispatched: massKg, vehiclePlate) with a reason, while that figure is still the one the batch stands on. Nothing is edited: the history shows the original event and the correction; the state and later checks use the corrected value. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<FigureCorrectedResponse>();

    static Task<IResult> Handle(Guid id, CorrectFigureRequest request, HttpContext http, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"correct:{id}", request, (by, expected) => request.Validate(id, by, expected));
}
