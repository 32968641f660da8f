using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Merging;

/// <summary>Body of POST /api/batches/merge.</summary>
/// <param name="Batches">Ids of two or more batches the caller holds.</param>
/// <param name="Category">The lot's category: required when the batches' categories differ (they must share its group).</param>
/// <param name="OccurredAt">When the lot was made up (ISO 8601 instant).</param>
public sealed record MergeBatchesRequest(IReadOnlyList<Guid>? Batches, string? Category, Instant? OccurredAt)
{
    public const int MaxBatches = 500;

    public (MergeBatches? Command, Refusal? Refusal) Validate(string by, Categories categories)
    {
        var errors = new FieldErrors().Require(OccurredAt, "occurredAt");
        if (Batches is null || Batches.Distinct().Count() < 2) errors.Add("batches", "must name at least two different batches");
        else if (Batches.Count > MaxBatches) errors.Add("batches", $"must name at most {MaxBatches} batches");
        else if (Batches.Count != Batches.Distinct().Count()) errors.Add("batches", "names a batch twice");
        if (Category is not null && categories.Find(Category) is null) errors.Add("category", $"'{Category}' is not a category code in seeds/categories.json");
        return errors.Any ? (null, errors.ToRefusal()) : (new MergeBatches(Guid.CreateVersion7(), Batches!, Category, by, OccurredAt!.Value), null);
    }
}

public sealed record MergeBatches(Guid LotId, IReadOnlyList<Guid> BatchIds, string? Category, string By, Instant OccurredAt) : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => BatchIds;

    public Decision Decide(BatchContext c) => MergeBatchesDecision.Decide(c.Batches, this, c.Actor, c.Categories, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision)
    {
        var lot = decision.Children[0];
        return WriteOutcome.Created(new LotMergedResponse(lot.BatchId, lot.Category, lot.MassKg, lot.Units, lot.Parents), $"/api/batches/{lot.BatchId}");
    }
}

public sealed record LotMergedResponse(Guid LotId, string Category, Mass MassKg, int? Units, IReadOnlyList<ParentShare> Parents);

public static class MergeBatchesDecision
{
    /// <summary>
    /// The caller holds every batch; they are of the lot's category or of another in its group; hazardous
    /// waste is only merged with the same kind (mixing hazardous wastes is prohibited); the lot takes all
    /// that remains of each. Every event this returns names its own batch; the last starts the lot.
    /// </summary>
    public static Decision Decide(IReadOnlyList<Batch> batches, MergeBatches command, BatchActor actor, Categories categories, Instant now, TraceabilityOptions options)
    {
        foreach (var batch in batches)
            if (batch.RefuseUnlessHeldBy(command.By, "merge") is { } notHeld) return notHeld with { Detail = $"Batch {batch.Id}: {notHeld.Detail}" };

        var distinct = batches.Select(b => b.Category).Distinct().ToList();
        if (command.Category is null && distinct.Count > 1)
            return Refusal.Invalid("category", $"is required: the batches are of different categories ({string.Join(", ", distinct)}); name the lot's category");
        var lot = categories.Find(command.Category ?? distinct[0])!;
        foreach (var batch in batches)
        {
            var category = categories.Find(batch.Category)!;
            if (category.Group != lot.Group)
                return Refusal.Invalid("batches", $"batch {batch.Id} is {category.Code} of group {category.Group}; a lot of {lot.Code} takes only group {lot.Group}");
            if ((category.Hazardous || lot.Hazardous) && category.Code != lot.Code)
                return Refusal.Invalid("batches", $"batch {batch.Id} is {category.Code}; hazardous waste is merged only with the same kind ({lot.Code})");
            if (batch.WasteCode != batches[0].WasteCode)
                return Refusal.Invalid("batches", $"batch {batch.Id} carries waste code {batch.WasteCode}, batch {batches[0].Id} {batches[0].WasteCode}; a lot carries one 8-digit code");
            if (batch.Status == BatchStatus.Received && actor.Licences.Permit(Licensing.Operation.Receive, category, batch.WasteCode, 0m, command.OccurredAt, options.Licensing).Refusal is { } unlicensed)
                return unlicensed;
        }
        var latest = batches.Max(b => b.LastOccurredAt);
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, latest, "the latest event of the merged batches") is { } rule)
            return Refusal.Invalid("occurredAt", rule);

        var mass = new Mass(batches.Sum(b => b.RemainingKg.Kilograms));
        long? units = lot.CountsUnits && batches.All(b => b.Units is not null) ? batches.Sum(b => (long)b.Units!.Value) : null;
        if (units > UnitCount.Max) return Refusal.Invalid("batches", $"a lot holds at most {UnitCount.Max} units; these batches hold {units}");
        var parents = batches.Select(b => new ParentShare(b.Id, b.RemainingKg)).ToList();
        var merged = batches.Select(b => (object)new BatchMerged(b.Id, command.LotId, lot.Code, command.By, actor.City, b.RemainingKg, command.OccurredAt)).ToList();
        var start = new BatchDerived(command.LotId, Process.Merging, lot.Code, mass, (int?)units, null, parents, actor.Id, actor.City, command.OccurredAt, batches[0].WasteCode,
            Origins: OriginMix.Combine(batches.Select(b => (b.Origins, b.RemainingKg.Kilograms)), utilized: false));
        return new Decision(merged, null).Starting([start]);
    }
}

public sealed class MergeBatchesEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/merge", Handle)
            .WithName("MergeBatches")
            .WithSummary("Merge batches the caller holds into one lot")
            .WithDescription("Two or more live batches the caller holds, of the lot's category or others of its group (hazardous waste only with the same kind), become one new batch carrying all their remaining mass, with each as a parent. The merged batches end as 'merged'. Accepts an Idempotency-Key header.")
            .DeclaresBatchWrite<LotMergedResponse>();

    static Task<IResult> Handle(MergeBatchesRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, "merge", request, (by, _) => request.Validate(by, categories));
}
