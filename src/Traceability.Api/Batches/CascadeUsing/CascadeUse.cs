using NodaTime;
using Traceability.Licensing;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.CascadeUsing;

/// <summary>Body of POST /api/batches/cascade-use.</summary>
/// <param name="Batches">Ids of the packs, modules or cells (1 to 100) the caller holds that go into the product; all that remains of each goes in.</param>
/// <param name="Product">The cascade-use product: its mass and its own new GB/T 34014 code.</param>
/// <param name="Losses">Mass declared lost in the regrouping (cells rejected at test...), each with a reason.</param>
/// <param name="Application">What the product is put to, e.g. "base-station backup" or "grid energy storage" (at most 200 characters).</param>
/// <param name="OccurredAt">When the product was made (ISO 8601 instant).</param>
public sealed record CascadeUseRequest(
    IReadOnlyList<Guid>? Batches, CascadeProductRequest? Product, IReadOnlyList<LossRequest>? Losses, string? Application, Instant? OccurredAt)
{
    public const int MaxBatches = 100;
    public const string ProductCategory = "cascade-use-battery";

    public (CascadeUse? Command, Refusal? Refusal) Validate(string by, Categories categories)
    {
        var errors = new FieldErrors().Require(OccurredAt, "occurredAt").Require(Product, "product");
        if (Batches is null || Batches.Count == 0) errors.Add("batches", "must name at least one pack, module or cell");
        else if (Batches.Count > MaxBatches) errors.Add("batches", $"must name at most {MaxBatches} batches");
        else if (Batches.Count != Batches.Distinct().Count()) errors.Add("batches", "names a batch twice");
        if (Application is { Length: > 200 }) errors.Add("application", "must be at most 200 characters");
        var category = categories.Find(ProductCategory)!;
        if (Product is not null) errors.Require(Product.MassKg, "product.massKg");
        if (Product?.MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add("product.massKg", massRule);
        var identifier = Product is null ? null : IdentityRules.Validate(Product.Identifier, category, 1, "product.", errors, required: true);
        var losses = OutputRequests.ValidateLosses(Losses, errors);
        return errors.Any
            ? (null, errors.ToRefusal())
            : (new CascadeUse(Batches!, new Output(Guid.CreateVersion7(), category.Code, new Mass(Product!.MassKg!.Value), 1, identifier), losses,
                Application?.Trim(), by, OccurredAt!.Value), null);
    }
}

/// <summary>The product as sent.</summary>
/// <param name="MassKg">Its mass in kilograms.</param>
/// <param name="Identifier">Its new battery code (kind battery-code): a cascade-use product is re-coded.</param>
public sealed record CascadeProductRequest(decimal? MassKg, IdentifierRequest? Identifier);

public sealed record CascadeUse(IReadOnlyList<Guid> BatchIds, Output Product, IReadOnlyList<Loss> Losses, string? Application, string By, Instant OccurredAt)
    : IBatchCommand
{
    public IReadOnlyList<Guid> Targets => BatchIds;
    public IEnumerable<UnitIdentifier> Claims => [Product.Identifier!];

    public Decision Decide(BatchContext c) => CascadeUseDecision.Decide(c.Batches, this, c.Actor, c.Categories, c.Held, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision)
    {
        var product = decision.Children[0];
        return WriteOutcome.Created(
            new CascadeProductResponse(product.BatchId, product.Category, product.MassKg, product.Identifier!, product.AncestorCodes ?? [], product.Parents),
            $"/api/batches/{product.BatchId}");
    }
}

public sealed record CascadeProductResponse(Guid ProductId, string Category, Mass MassKg, UnitIdentifier Identifier, IReadOnlyList<string> AncestorCodes, IReadOnlyList<ParentShare> Parents);

public static class CascadeUseDecision
{
    /// <summary>
    /// The holder, on the white list for cascade use, turns coded packs, modules or cells into one product with a
    /// new code; the inputs' codes are kept as its ancestors (GB/T 34014 4.2). The product is a good in service
    /// (anyone may receive it) until it comes back as waste, when recycling it needs a recycling white-list entry.
    /// Each input gives all that remains of it; the product plus declared losses must balance them.
    /// </summary>
    public static Decision Decide(
        IReadOnlyList<Batch> batches, CascadeUse command, BatchActor actor, Categories categories, HeldIdentifiers held, Instant now, TraceabilityOptions options)
    {
        foreach (var batch in batches)
        {
            if (batch.RefuseUnlessHeldBy(command.By, "cascade-use") is { } notHeld) return notHeld with { Detail = $"Batch {batch.Id}: {notHeld.Detail}" };
            var category = categories.Find(batch.Category)!;
            if (category.Group != CategoryGroups.PowerBattery || category.IdentifierKind != IdentifierKind.BatteryCode || category.InService)
                return Refusal.Invalid("batches", $"batch {batch.Id} is {category.Code}: only coded packs, modules and cells go to cascade use; a cascade-use product that retires goes to recycling");
        }
        var input = new Mass(batches.Sum(b => b.RemainingKg.Kilograms));
        var permit = actor.Licences.Permit(Operation.CascadeUse, categories.Find(batches[0].Category)!, null, input.Kilograms, command.OccurredAt, options.Licensing);
        if (permit.Refusal is { } unlicensed) return unlicensed;
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew, batches.Max(b => b.LastOccurredAt), "the latest event of the batches") is { } rule)
            return Refusal.Invalid("occurredAt", rule);
        if (held.RefuseIfHeld(command.Product.Identifier!, "product.identifier.value") is { } taken) return taken;
        if (MassBalance.Check(input, [command.Product.MassKg], command.Losses, options.MassBalanceTolerancePercent, "product") is { } unbalanced) return unbalanced;

        // Each input's share of the product is its share of the input; the rest of it is its share of the losses.
        var ratio = command.Product.MassKg.Kilograms / input.Kilograms;
        var shares = batches.Select(b => new ParentShare(b.Id, new Mass(decimal.Round(b.RemainingKg.Kilograms * ratio, 3)))).ToList();
        var used = batches.Zip(shares, (b, s) => (object)new BatchCascadeUsed(b.Id, command.Product.BatchId, command.Product.Category, command.By, actor.City,
            b.RemainingKg, s.MassKg, b.RemainingKg - s.MassKg, command.Application, command.OccurredAt)).ToList();
        var ancestors = batches.Select(b => b.Identifier!.Value).ToList();
        var product = new BatchDerived(command.Product.BatchId, Process.CascadeUse, command.Product.Category, command.Product.MassKg, 1, command.Product.Identifier,
            shares, actor.Id, actor.City, command.OccurredAt, AncestorCodes: ancestors,
            Origins: OriginMix.Combine(batches.Select(b => (b.Origins, b.RemainingKg.Kilograms)), utilized: true));
        return new Decision(used, null).Starting([product]).Under(permit);
    }
}

public sealed class CascadeUseEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/cascade-use", Handle)
            .WithName("CascadeUse")
            .WithSummary("Turn coded packs, modules or cells into a cascade-use product")
            .WithDescription("The holder, on the power battery white list for cascade use (梯次利用), turns one or more coded packs, modules or cells it holds into a cascade-use product batch with a new GB/T 34014 code; the inputs' codes are recorded as its ancestor codes, and their masses flow to it along the lineage, so provenance, origins and destinations follow it. The product is a good in service: any registered enterprise may receive it. When it retires it goes, like any battery, to a recycler on the white list. Accepts an Idempotency-Key header.")
            .DeclaresBatchWrite<CascadeProductResponse>();

    static Task<IResult> Handle(CascadeUseRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, "cascade-use", request, (by, _) => request.Validate(by, categories));
}
