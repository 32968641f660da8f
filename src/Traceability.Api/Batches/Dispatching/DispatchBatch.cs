using System.Text.RegularExpressions;
using NodaTime;
using Traceability.Enterprises;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Dispatching;

/// <summary>Body of POST /api/batches/{id}/dispatches.</summary>
/// <param name="To">Unified social credit code of the addressee.</param>
/// <param name="MassKg">Mass handed over (all that remains of the batch), in kilograms.</param>
/// <param name="OccurredAt">When the batch left (ISO 8601 instant).</param>
/// <param name="VehiclePlate">Plate of the transport vehicle, e.g. 苏B12345.</param>
/// <param name="Manifest">The transfer manifest's further fields: required for hazardous waste, optional otherwise.</param>
public sealed partial record DispatchBatchRequest(string? To, decimal? MassKg, Instant? OccurredAt, string? VehiclePlate, Manifests.ManifestRequest? Manifest = null)
{
    public (DispatchBatch? Command, Refusal? Refusal) Validate(Guid batchId, string from, long? expectedVersion)
    {
        var errors = new FieldErrors().Require(To, "to").Require(MassKg, "massKg").Require(OccurredAt, "occurredAt");
        if (To is { Length: > 0 } to && SocialCreditCode.Check(to) is { } codeRule) errors.Add("to", codeRule);
        if (MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add("massKg", massRule);
        if (VehiclePlate is { } plate && !Plate().IsMatch(plate))
            errors.Add("vehiclePlate", "must be a Chinese plate: province character, letter, then 5 or 6 letters or digits (e.g. 苏B12345, 豫AD12345)");
        var details = Manifest?.Validate(errors);
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new DispatchBatch(batchId, Guid.CreateVersion7(), from, To!, new Mass(MassKg!.Value), OccurredAt!.Value, VehiclePlate, expectedVersion, details), null);
    }

    [GeneratedRegex("^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$")]
    internal static partial Regex Plate();
}

public sealed record DispatchBatch(
    Guid BatchId, Guid ManifestId, string From, string To, Mass MassKg, Instant OccurredAt, string? VehiclePlate, long? ExpectedVersion,
    Manifests.ManifestDetails? Details = null) : IBatchCommand
{
    public string By => From;
    public IReadOnlyList<Guid> Targets => [BatchId];
    public string? Counterparty => To;

    public Decision Decide(BatchContext c) =>
        DispatchBatchDecision.Decide(c.Batch, this, c.Actor.City, c.Counterparty?.Enterprise, c.Counterparty?.Licences, c.Category, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision)
    {
        var dispatched = (BatchDispatched)decision.Events[0];
        return WriteOutcome.Created(
            new BatchDispatchedResponse(dispatched.ManifestId, dispatched.ManifestNumber, BatchId, dispatched.To, dispatched.MassKg, c.VersionAfter(decision)),
            $"/api/batches/{BatchId}");
    }
}

public sealed record BatchDispatchedResponse(Guid ManifestId, string ManifestNumber, Guid BatchId, string To, Mass MassKg, long Version);

public static class DispatchBatchDecision
{
    /// <summary>
    /// The holder hands over what remains of a live batch, to a registered enterprise licensed to receive its
    /// category on the day of the dispatch (the licence check is repeated at receipt), under a manifest whose
    /// further fields hazardous waste requires (<see cref="Manifests.ManifestRules"/>).
    /// </summary>
    public static Decision Decide(
        Batch batch, DispatchBatch command, string fromCity, Enterprise? addressee, Licensing.LicenceBook? addresseeLicences, Category category, Instant now,
        TraceabilityOptions options)
    {
        if (batch.RefuseUnlessHeldBy(command.From, "dispatch") is { } notHeld) return notHeld;
        if (addressee is null || addresseeLicences is null) return Refusal.Invalid("to", $"no enterprise {command.To} is registered");
        if (addressee.Id == command.From) return Refusal.Invalid("to", "must be another enterprise than the holder");
        if (options.Licensing.Requires(Licensing.Operation.Receive, category) is not null)
        {
            if (addresseeLicences.Permit(Licensing.Operation.Receive, category, batch.WasteCode, 0m, command.OccurredAt, options.Licensing).Refusal is { } unlicensed)
                return unlicensed with { Detail = $"to: {unlicensed.Detail}" };
        }
        else if (category.IsWaste && !addressee.Roles.Any(r => r != EnterpriseRoles.Generator))
            return Refusal.Forbidden($"to: enterprise {addressee.Id} is registered only as a generator and may not receive waste.");
        if (command.MassKg.PercentOff(batch.RemainingKg) > options.ReceiptTolerancePercent)
            return Refusal.Invalid("massKg", $"a dispatch hands over all that remains of the batch, {batch.RemainingKg}; {command.MassKg} is more than {options.ReceiptTolerancePercent}% off");
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, batch.LastOccurredAt, "the batch's previous event") is { } rule)
            return Refusal.Invalid("occurredAt", rule);
        if (Manifests.ManifestRules.Check(command.Details, batch, category, fromCity, addressee.City, addresseeLicences, command.OccurredAt) is { } manifestRule)
            return manifestRule;

        return Decision.Of(new BatchDispatched(batch.Id, command.ManifestId, ManifestNumber(command, batch), command.From, addressee.Id, addressee.City,
            command.MassKg, command.VehiclePlate, command.OccurredAt, fromCity, command.Details));
    }

    /// <summary>TM-{China date}-{city of origin}-{8 hex of the manifest id}: readable on paper, unique through the id.</summary>
    static string ManifestNumber(DispatchBatch command, Batch batch) =>
        $"TM-{ChinaTime.DateOf(command.OccurredAt):yyyyMMdd}-{batch.City}-{command.ManifestId.ToString("N")[^8..].ToUpperInvariant()}";
}

public sealed class DispatchBatchEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/dispatches", Handle)
            .WithName("DispatchBatch")
            .WithSummary("Dispatch a batch to another enterprise")
            .WithDescription("The current holder hands all that remains of the batch over under a new transfer manifest, to an enterprise licensed to receive its category on that day (403 naming the missing licence otherwise; secondary materials and products in service need none). Hazardous waste needs the full manifest (carrier and permit, 8-digit waste code equal to the batch's, hazards, physical form, packaging and count, intended operation, which the addressee's licence must approve, and the approval number between provinces); other waste may carry it. The manifest is readable as one document at GET /api/manifests/{manifestId}. One open dispatch per batch. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<BatchDispatchedResponse>();

    static Task<IResult> Handle(Guid id, DispatchBatchRequest request, HttpContext http, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"dispatch:{id}", request, (by, expected) => request.Validate(id, by, expected));
}
