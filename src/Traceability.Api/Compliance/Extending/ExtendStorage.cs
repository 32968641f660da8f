using Marten;
using NodaTime;
using Traceability.Access;
using Traceability.Batches;
using Traceability.Compliance.Rules;
using Traceability.ReferenceData;
using Traceability.Requests;
using Wolverine;

namespace Traceability.Compliance.Extending;

/// <summary>Body of POST /api/batches/{id}/storage-extensions.</summary>
/// <param name="Until">Last China date the holder may store the batch (yyyy-MM-dd), at most a year past its limit.</param>
/// <param name="ApprovalNumber">The approval's number (延长贮存期限批准), at most 64 characters.</param>
/// <param name="Reason">Why storage is extended (at most 500 characters).</param>
public sealed record ExtendStorageRequest(LocalDate? Until, string? ApprovalNumber, string? Reason)
{
    public (ExtendStorage? Command, Refusal? Refusal) Validate(Guid batchId, Caller caller, Func<string, int?> limitOf)
    {
        var errors = new FieldErrors().Require(Until, "until").Require(ApprovalNumber, "approvalNumber").Require(Reason, "reason");
        if (ApprovalNumber is { } number && (number.Length > 64 || number.Any(char.IsControl))) errors.Add("approvalNumber", "must be 1 to 64 printable characters");
        if (Reason is { Length: > 500 }) errors.Add("reason", "must be at most 500 characters");
        return errors.Any ? (null, errors.ToRefusal()) : (new ExtendStorage(batchId, Until!.Value, ApprovalNumber!.Trim(), Reason!.Trim(), caller, limitOf), null);
    }
}

/// <param name="LimitOf">The storage limit in days of a category (the rules' own reading of the catalogue and settings).</param>
public sealed record ExtendStorage(Guid BatchId, LocalDate Until, string ApprovalNumber, string Reason, Caller By, Func<string, int?> LimitOf) : IWriteCommand
{
    /// <summary>At most a year past the limit, later than the current deadline, for a batch stored (not on the road, not ended) in the regulator's sight.</summary>
    public async Task<WriteOutcome> ExecuteAsync(IDocumentSession session, Instant now, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Batch>(BatchId, ct);
        if (stream.Aggregate is not { } batch || !Visibility.MayRead(By, batch)) return Refusal.NotFound($"No batch {BatchId} is visible to this regulator.");
        if (batch.RefuseUnlessLive() is { } ended) return ended;
        if (batch.OpenManifest is not null || batch.StoredSince is not { } since) return Refusal.Conflict("The batch is in transit: storage is extended for a holder that stores it.");
        if (LimitOf(batch.Category) is not { } days) return Refusal.Conflict($"Category {batch.Category} has no storage limit to extend.");
        var deadline = ChinaTime.DateOf(since + Duration.FromDays(days));
        var current = batch.StorageExtendedUntil ?? deadline;
        if (Until <= current) return Refusal.Invalid("until", $"must be after the current deadline {current:yyyy-MM-dd}");
        if (Until > deadline.PlusDays(365)) return Refusal.Invalid("until", $"must be at most a year past the {days}-day limit, {deadline.PlusDays(365):yyyy-MM-dd}");
        var extended = new StorageExtended(batch.Id, batch.Holder, since, Until, ApprovalNumber, Reason, By.KeyId, now);
        stream.AppendOne(extended);
        return WriteOutcome.Ok(new StorageExtendedResponse(batch.Id, batch.Holder, since, deadline, Until, ApprovalNumber));
    }
}

public sealed record StorageExtendedResponse(Guid BatchId, string Holder, Instant StoredSince, LocalDate LimitEnds, LocalDate ExtendedUntil, string ApprovalNumber);

public static class ExtendStorageEndpoint
{
    public static void MapExtendStorage(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/batches/{id:guid}/storage-extensions", Handle)
            .WithTags("Compliance")
            .WithName("ExtendStorage")
            .WithSummary("Record an approved extension of a batch's storage")
            .WithDescription("A regulator (of a city the batch touched, or national) records the approval that lets the current holder store the batch beyond its category's limit (hazardous waste a year, medical waste 2 days), until a China date at most a year past the limit. The storage-too-long check then waits for the end of that day. A batch in transit, ended, or of a category without a limit is a 409. Accepts an Idempotency-Key header.")
            .RequireAuthorization(Roles.Regulator)
            .Produces<StorageExtendedResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    static Task<IResult> Handle(Guid id, ExtendStorageRequest request, HttpContext http, IMessageBus bus, Rulebook rules) =>
        CommandDispatch.SendAsync(bus, http, $"extend-storage:{id}", request,
            request.Validate(id, Caller.From(http.User), category => rules.Categories.Find(category) is { } c ? rules.StorageLimitDays(c) : null));
}
