using NodaTime;
using Traceability.Hosting;
using Traceability.Licensing;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Fates;

/// <summary>Body of POST /api/batches/{id}/fates.</summary>
/// <param name="Fate">reuse, remanufacture, cascade-use, recycling, energy-recovery or disposal.</param>
/// <param name="MassKg">Mass that comes to this fate: part or all of what remains.</param>
/// <param name="Units">Units that come to this fate, where the batch counts units.</param>
/// <param name="Method">Disposal only: landfill or incineration (without energy recovery).</param>
/// <param name="Outputs">Recycling only: the secondary materials (or intermediates such as black mass) produced, each a new batch.</param>
/// <param name="Losses">Recycling only: mass declared lost in the process, each with a reason.</param>
/// <param name="Note">Free text: buyer of a second-hand unit, energy-storage project, landfill site...</param>
/// <param name="OccurredAt">When the fate was given (ISO 8601 instant).</param>
/// <param name="OperationCode">Energy recovery only: R1 (used as a fuel to generate energy, the default) or D10 (incineration on land, e.g. hazardous waste burnt with heat recovery, which its indicators count as disposal). Disposal takes D1 or D10 from its method.</param>
public sealed record RecordFateRequest(
    Fate? Fate, decimal? MassKg, int? Units, DisposalMethod? Method, IReadOnlyList<OutputRequest>? Outputs, IReadOnlyList<LossRequest>? Losses,
    string? Note, Instant? OccurredAt, string? OperationCode = null)
{
    public (RecordFate? Command, Refusal? Refusal) Validate(Guid batchId, string by, long? expectedVersion, Categories categories)
    {
        var errors = new FieldErrors().Require(Fate, "fate").Require(MassKg, "massKg").Require(OccurredAt, "occurredAt");
        if (MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add("massKg", massRule);
        if (UnitCount.Check(Units) is { } unitRule) errors.Add("units", unitRule);
        if (Fate == ReferenceData.Fate.Disposal && Method is null) errors.Add("method", "is required for disposal: landfill or incineration");
        if (Fate is not null and not ReferenceData.Fate.Disposal && Method is not null) errors.Add("method", "is given only for disposal");
        if (Note is { Length: > 500 }) errors.Add("note", "must be at most 500 characters");
        if (OperationCode is not null && Fate != ReferenceData.Fate.EnergyRecovery) errors.Add("operationCode", "is given only for energy recovery (R1 or D10); disposal takes D1 or D10 from its method");
        else if (OperationCode is not (null or "R1" or "D10")) errors.Add("operationCode", "must be R1 (use as a fuel) or D10 (incineration on land)");
        List<Output> outputs = [];
        List<Loss> losses = [];
        if (Fate == ReferenceData.Fate.Recycling)
        {
            outputs = OutputRequests.Validate(Outputs, "outputs", categories, errors);
            losses = OutputRequests.ValidateLosses(Losses, errors);
        }
        else if (Fate is not null)
        {
            if (Outputs is { Count: > 0 }) errors.Add("outputs", "are declared only for recycling; other fates end the mass they cover");
            if (Losses is { Count: > 0 }) errors.Add("losses", "are declared only for recycling");
        }
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new RecordFate(batchId, Guid.CreateVersion7(), Fate!.Value, Method, new Mass(MassKg!.Value), Units, outputs, losses, Note?.Trim(), by,
                OccurredAt!.Value, expectedVersion, CodeOf(Fate!.Value, Method, OperationCode)), null);
    }

    /// <summary>The recovery or disposal operation code the fate carries: D1 landfill, D10 incineration, R1 energy recovery unless D10 was named.</summary>
    static string? CodeOf(Fate fate, DisposalMethod? method, string? energyCode) => fate switch
    {
        ReferenceData.Fate.Disposal => method == DisposalMethod.Landfill ? "D1" : "D10",
        ReferenceData.Fate.EnergyRecovery => energyCode ?? "R1",
        _ => null,
    };
}

public sealed record RecordFate(
    Guid BatchId, Guid FateId, Fate Fate, DisposalMethod? Method, Mass MassKg, int? Units, IReadOnlyList<Output> Outputs, IReadOnlyList<Loss> Losses,
    string? Note, string By, Instant OccurredAt, long? ExpectedVersion, string? OperationCode = null) : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => [BatchId];
    public IEnumerable<UnitIdentifier> Claims => Outputs.Select(o => o.Identifier).OfType<UnitIdentifier>();

    public Decision Decide(BatchContext c) => RecordFateDecision.Decide(c.Batch, this, c.Actor, c.Category, c.Held, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision)
    {
        var fate = (FateRecorded)decision.Events[0];
        return WriteOutcome.Created(
            new FateRecordedResponse(BatchId, fate.FateId, fate.Fate, fate.MassKg, fate.RemainingKg,
                fate.RemainingKg.Kilograms == 0 ? BatchStatus.Ended : c.Batch.Status, ChildView.Of(decision.Children), c.VersionAfter(decision)),
            $"/api/batches/{BatchId}");
    }
}

public sealed record FateRecordedResponse(Guid BatchId, Guid FateId, Fate Fate, Mass MassKg, Mass RemainingKg, BatchStatus Status, IReadOnlyList<ChildView> Outputs, long Version);

public static class RecordFateDecision
{
    /// <summary>
    /// A fate the category allows, by a holder licensed for it, for at most what remains. A fate within
    /// the mass-balance tolerance of the remainder covers all of it and ends the batch. Recycling's
    /// outputs plus losses must balance the fate's mass.
    /// </summary>
    public static Decision Decide(Batch batch, RecordFate command, BatchActor actor, Category category, HeldIdentifiers held, Instant now, TraceabilityOptions options)
    {
        if (batch.RefuseUnlessHeldBy(command.By, "give a fate to") is { } notHeld) return notHeld;
        if (!category.Allows(command.Fate))
            return Refusal.Invalid("fate", $"a {category.Code} batch may come to {(category.Fates is { Count: > 0 } f ? string.Join(", ", f.Select(EnumNames.Of)) : "no fate before it is dismantled")}, not {EnumNames.Of(command.Fate)}");
        var permit = actor.Licences.Permit(Statute.For(command.Fate), category, batch.WasteCode, command.MassKg.Kilograms, command.OccurredAt, options.Licensing);
        if (permit.Refusal is { } unlicensed) return unlicensed;
        if (command.Fate == Fate.Remanufacture && category.Group == "scrapped-vehicle" && !actor.Enterprise.Has(Enterprises.EnterpriseRoles.Remanufacturer))
            return Refusal.Forbidden($"Enterprise {actor.Id} is not registered as a remanufacturer; the major assemblies of a scrapped vehicle are remanufactured only by one (2019 measures).", "licence", "remanufacturer");
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, batch.LastOccurredAt, "the batch's previous event") is { } rule)
            return Refusal.Invalid("occurredAt", rule);

        var remaining = batch.RemainingKg;
        var coversAll = command.MassKg.PercentOff(remaining) <= options.MassBalanceTolerancePercent;
        if (!coversAll && command.MassKg > remaining)
            return Refusal.Invalid("massKg", $"only {remaining} of the batch still awaits a fate; {command.MassKg} is more than {options.MassBalanceTolerancePercent}% over");
        if (command.Units is { } units)
        {
            if (batch.Units is not { } held1) return Refusal.Invalid("units", "must be absent: the batch does not count units");
            if (units > held1) return Refusal.Invalid("units", $"the batch has {held1} units left, not {units}");
        }
        if (OutputRequests.IndexOfCategory(command.Outputs, batch.Category) is { } same)
            return Refusal.Invalid($"outputs[{same}].category", $"recycling makes something other than its input ({batch.Category})");
        if (OutputRequests.RefuseHeld(command.Outputs, "outputs", held) is { } taken) return taken;
        if (command.Fate == Fate.Recycling &&
            MassBalance.Check(command.MassKg, command.Outputs.Select(o => o.MassKg), command.Losses, options.MassBalanceTolerancePercent, "outputs") is { } unbalanced)
            return unbalanced;

        var fate = new FateRecorded(batch.Id, command.FateId, command.Fate, command.Method, command.By, actor.City, command.MassKg, command.Units,
            command.Outputs, command.Losses, coversAll ? default : remaining - command.MassKg, command.Note, command.OccurredAt, command.OperationCode);
        return Decision.Of(fate).Starting(OutputRequests.Children(Process.Recycling, command.Outputs, batch, actor.Id, actor.City, command.OccurredAt, _ => true)).Under(permit);
    }
}

public sealed class RecordFateEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/{id:guid}/fates", Handle)
            .WithName("RecordFate")
            .WithSummary("Give part or all of a batch its fate")
            .WithDescription("The holder, licensed for the fate's activity (reuse, remanufacture, cascade-use, recycle, recover-energy, dispose) for the batch's category group, records reuse, remanufacture, cascade use, recycling, energy recovery or disposal for part or all of what remains; the category must allow that fate (seeds/categories.json). Recycling lists its outputs (new batches, e.g. black mass or lithium carbonate) and losses, which must balance the fate's mass within the tolerance. The batch ends when all its mass has a fate. Accepts Idempotency-Key and If-Match: <version>.")
            .DeclaresBatchWrite<FateRecordedResponse>();

    static Task<IResult> Handle(Guid id, RecordFateRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, $"fate:{id}", request, (by, expected) => request.Validate(id, by, expected, categories));
}
