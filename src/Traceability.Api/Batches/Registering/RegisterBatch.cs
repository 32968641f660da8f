using NodaTime;
using Traceability.Access;
using Traceability.Enterprises;
using Traceability.ReferenceData;
using Traceability.Requests;
using Traceability.Settings;
using Wolverine;

namespace Traceability.Batches.Registering;

/// <summary>Body of POST /api/batches.</summary>
/// <param name="Category">Category code from seeds/categories.json.</param>
/// <param name="MassKg">Mass in kilograms, greater than 0, at most 3 decimals.</param>
/// <param name="Units">Number of units (vehicles, packs, appliances), where the category counts them.</param>
/// <param name="Identifier">The unit's VIN or battery code, for a single identified unit.</param>
/// <param name="OccurredAt">When the batch was generated (ISO 8601 instant).</param>
/// <param name="ExternalRef">The enterprise's own reference.</param>
/// <param name="WasteCode">Hazardous waste: its 8-digit code of the National Hazardous Waste List (2025), e.g. 900-249-08; required for hazardous categories, absent otherwise.</param>
/// <param name="Id">The batch's id, where the client chooses it (a UUID), so that later lines of a bulk ingest can name the batch; an id already taken is a 409. The service chooses one otherwise.</param>
public sealed record RegisterBatchRequest(
    string? Category,
    decimal? MassKg,
    int? Units,
    IdentifierRequest? Identifier,
    Instant? OccurredAt,
    string? ExternalRef,
    string? WasteCode = null,
    Guid? Id = null)
{
    /// <summary>Checks the request's own shape against the category catalog; no state is needed.</summary>
    public (RegisterBatch? Command, Refusal? Refusal) Validate(string generator, Categories categories)
    {
        var errors = new FieldErrors().Require(Category, "category").Require(MassKg, "massKg").Require(OccurredAt, "occurredAt");
        var category = categories.Find(Category);
        if (Category is not null && category is null)
            errors.Add("category", $"'{Category}' is not a category code in seeds/categories.json");
        if (MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add("massKg", massRule);
        if (UnitCount.Check(Units) is { } unitRule) errors.Add("units", unitRule);
        if (Units is not null && category is { CountsUnits: false })
            errors.Add("units", $"is not counted for category {category.Code}");
        if (ExternalRef is { Length: > 100 }) errors.Add("externalRef", "must be at most 100 characters");

        if (category is { IsProduct: true })
            errors.Add("category", $"{category.Code} is a secondary material: it comes out of recycling (a fate with outputs), it is not generated as waste");
        var identifier = IdentityRules.Validate(Identifier, category, Units, "", errors, required: false);
        var wasteCode = WasteCodeRules.Validate(WasteCode, category, categories.HazardousWaste, "wasteCode", errors);

        if (Id == Guid.Empty) errors.Add("id", "must not be the empty UUID");

        if (errors.Any) return (null, errors.ToRefusal());
        return (new RegisterBatch(Id ?? Guid.CreateVersion7(), category!.Code, new Mass(MassKg!.Value), Units ?? (identifier is null ? null : 1),
            identifier, OccurredAt!.Value, ExternalRef, generator, wasteCode, IdChosen: Id is not null), null);
    }
}

public sealed record RegisterBatch(
    Guid BatchId,
    string Category,
    Mass MassKg,
    int? Units,
    UnitIdentifier? Identifier,
    Instant OccurredAt,
    string? ExternalRef,
    string Generator,
    string? WasteCode = null,
    bool IdChosen = false) : IBatchCommand
{
    public string By => Generator;
    public Guid? ChosenId => IdChosen ? BatchId : null;
    public IReadOnlyList<Guid> Targets => [];
    public IEnumerable<UnitIdentifier> Claims => Identifier is null ? [] : [Identifier];

    public Decision Decide(BatchContext c) => RegisterBatchDecision.Decide(this, c.Actor.Enterprise, c.Held, c.Now, c.Options);

    public WriteOutcome Respond(BatchContext c, Decision decision) =>
        WriteOutcome.Created(new BatchRegistered(BatchId, decision.Events.Count), $"/api/batches/{BatchId}");
}

public sealed record BatchRegistered(Guid Id, long Version);

public static class RegisterBatchDecision
{
    /// <summary>
    /// A registered generator registers it, not in the future, with no identifier a live batch holds. A refused
    /// claim of a held identifier is kept as evidence: repeated, it is what the repeated-identifier rule reads.
    /// </summary>
    public static Decision Decide(RegisterBatch command, Enterprise generator, HeldIdentifiers identifiers, Instant now, TraceabilityOptions options)
    {
        if (!generator.Has(EnterpriseRoles.Generator))
            return Refusal.Forbidden($"Enterprise {generator.Id} is not registered as a generator; only a generator registers a batch.");
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew) is { } rule) return Refusal.Invalid("occurredAt", rule);
        if (command.Identifier is { } identifier && identifiers.RefuseIfHeld(identifier, "identifier.value") is { } held)
            return new Decision([], held,
                [new IdentifierClaimRefused(IdentifierClaim.KeyOf(identifier), (Guid)held.Extensions!["heldBy"], generator.Id, generator.City, now, identifiers.HolderStatus(identifier))]);

        return Decision.Of(new BatchGenerated(command.BatchId, command.Category, command.MassKg, command.Units, command.Identifier,
            generator.Id, generator.City, command.ExternalRef, command.OccurredAt, command.WasteCode));
    }
}

public sealed class RegisterBatchEndpoint : IBatchEndpoint
{
    public static void Map(RouteGroupBuilder batches) =>
        batches.MapPost("/", Handle)
            .WithName("RegisterBatch")
            .WithSummary("Register a generated batch")
            .WithDescription("The calling enterprise is the batch's generator and first holder; the batch's city is the generator's city. A VIN or battery code a live batch already holds is a 409 naming that batch. Accepts an Idempotency-Key header.")
            .RequireAuthorization(Roles.Enterprise)
            .Produces<BatchRegistered>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    static Task<IResult> Handle(RegisterBatchRequest request, HttpContext http, Categories categories, IMessageBus bus) =>
        BatchWrite.SendAsync(bus, http, "register-batch", request, (by, _) => request.Validate(by, categories));
}
