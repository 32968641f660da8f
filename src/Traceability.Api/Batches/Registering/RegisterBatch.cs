using Marten;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using NodaTime;
using Traceability.Access;
using Traceability.Compliance;
using Traceability.Enterprises;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Batches.Registering;

/// <summary>Body of POST /api/batches.</summary>
/// <param name="Category">Category code from seeds/categories.json.</param>
/// <param name="MassKg">Mass in kilograms, greater than 0, at most 3 decimals.</param>
/// <param name="Units">Number of units (vehicles, packs, appliances), where the category counts them.</param>
/// <param name="Identifier">The unit's VIN or battery code, for a single identified unit.</param>
/// <param name="OccurredAt">When the batch was generated (ISO 8601 instant).</param>
/// <param name="ExternalRef">The enterprise's own reference.</param>
public sealed record RegisterBatchRequest(
    string? Category,
    decimal? MassKg,
    int? Units,
    IdentifierRequest? Identifier,
    Instant? OccurredAt,
    string? ExternalRef);

public sealed record RegisterBatch(
    Guid BatchId,
    string Category,
    Mass MassKg,
    int? Units,
    UnitIdentifier? Identifier,
    Instant OccurredAt,
    string? ExternalRef,
    string Generator,
    IdempotencyKey? Idempotency);

public sealed record BatchRegistered(Guid Id, long Version);

public static class RegisterBatchDecision
{
    /// <summary>Checks the request's own shape against the category catalog; no state is needed.</summary>
    public static (RegisterBatch? Command, Refusal? Refusal) Validate(RegisterBatchRequest request, string generator, Categories categories)
    {
        var errors = new FieldErrors().Require(request.Category, "category").Require(request.MassKg, "massKg").Require(request.OccurredAt, "occurredAt");
        var category = categories.Find(request.Category);
        if (request.Category is not null && category is null)
            errors.Add("category", $"'{request.Category}' is not a category code in seeds/categories.json");
        if (request.MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add("massKg", massRule);
        if (request.Units is <= 0) errors.Add("units", "must be greater than 0");
        if (request.Units is not null && category is { CountsUnits: false })
            errors.Add("units", $"is not counted for category {category.Code}");
        if (request.ExternalRef is { Length: > 100 }) errors.Add("externalRef", "must be at most 100 characters");

        if (category is { IsProduct: true })
            errors.Add("category", $"{category.Code} is a secondary material: it comes out of recycling (a fate with outputs), it is not generated as waste");
        var identifier = IdentityRules.Validate(request.Identifier, category, request.Units, "", errors, required: false);

        if (errors.Any) return (null, errors.ToRefusal());
        return (new RegisterBatch(Guid.CreateVersion7(), category!.Code, new Mass(request.MassKg!.Value), request.Units ?? (identifier is null ? null : 1),
            identifier, request.OccurredAt!.Value, request.ExternalRef, generator, null), null);
    }

    public static Decision Decide(RegisterBatch command, Enterprise? generator, HeldIdentifiers identifiers, Instant now, TraceabilityOptions options)
    {
        if (generator is null) return Refusal.Forbidden($"The calling key's enterprise {command.Generator} is not registered.");
        if (!generator.Has(EnterpriseRoles.Generator))
            return Refusal.Forbidden($"Enterprise {generator.Id} is not registered as a generator; only a generator registers a batch.");
        if (ReportedMoment.Check(command.OccurredAt, now, options.MaxFutureSkew) is { } rule) return Refusal.Invalid("occurredAt", rule);
        if (command.Identifier is { } identifier && identifiers.RefuseIfHeld(identifier, "identifier.value") is { } held) return held;

        return Decision.Of(new BatchGenerated(command.BatchId, command.Category, command.MassKg, command.Units, command.Identifier,
            generator.Id, generator.City, command.ExternalRef, command.OccurredAt));
    }
}

public static class RegisterBatchEndpoint
{
    public static void MapRegisterBatch(this RouteGroupBuilder batches) =>
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

    static async Task<IResult> Handle(RegisterBatchRequest request, HttpContext http, Categories categories, IMessageBus bus)
    {
        var caller = Caller.From(http.User);
        var (command, refusal) = RegisterBatchDecision.Validate(request, caller.EnterpriseId!, categories);
        return refusal is not null
            ? refusal.ToResult()
            : await CommandDispatch.SendAsync(bus, http, "register-batch", request, key => command! with { Idempotency = key });
    }
}

public static class RegisterBatchHandler
{
    public static async Task<WriteOutcome> Handle(
        RegisterBatch command, IDocumentSession session, IMessageContext bus, Categories categories, IClock clock, IOptions<TraceabilityOptions> options,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        if (await Idempotency.ReplayAsync(session, command.Idempotency, ct) is { } replay) return replay;
        var now = clock.GetCurrentInstant();
        var generator = await session.LoadAsync<Enterprise>(command.Generator, ct);
        var identifiers = await HeldIdentifiers.LoadAsync(session, command.Identifier is { } id ? [id] : [], ct);
        var decision = RegisterBatchDecision.Decide(command, generator, identifiers, now, options.Value);
        if (decision.Refusal is not null)
        {
            // A refused attempt on a held identifier is itself evidence; it is kept although nothing else is written.
            if (decision.Refusal.Extensions?.GetValueOrDefault("heldBy") is Guid heldBy)
                await ComplianceWatch.IdentifierRefusedAsync(session, command.Identifier!, heldBy, generator!.Id, generator.City, now, options.Value, ct);
            return decision.Refusal;
        }

        session.Events.StartStream<Batch>(command.BatchId, decision.Events);
        if (command.Identifier is { } claimed) identifiers.Claim(session, claimed, command.BatchId);
        await ComplianceWatch.AfterAsync(session, bus, null, decision, null, categories, now, options.Value, ct);
        var outcome = WriteOutcome.Created(new BatchRegistered(command.BatchId, decision.Events.Count), $"/api/batches/{command.BatchId}");
        Idempotency.Remember(session, command.Idempotency, outcome, now, json.Value.SerializerOptions);
        return outcome;
    }
}
