using Traceability.Hosting;
using Marten;
using Traceability.Access;
using Traceability.Batches;
using Traceability.Batches.Reading;
using Traceability.Requests;

namespace Traceability.Provenance;

/// <summary>A batch in a provenance graph. Batches the caller may not read are shown without their enterprises.</summary>
public sealed record LineageNode(
    Guid BatchId, string Category, Mass MassKg, Mass RemainingKg, BatchStatus Status, Process? Origin, string? Generator, string? City,
    string? Holder, IReadOnlyList<string> Fates, bool Redacted);

/// <summary>Mass that flowed from a parent to a child.</summary>
public sealed record LineageEdge(Guid From, Guid To, Mass MassKg, Process Process);

public sealed record ProvenanceView(Guid Root, string Direction, int Depth, int NodeLimit, bool Cut, bool CutByDepth, bool CutByNodes,
    IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges);

public sealed record OriginShare(string Key, Mass MassKg, decimal Percent);

/// <param name="Cut">The graph passed the attribution limit and was cut there: the shares are of the part walked, the cut batches counting as sources.</param>
public sealed record OriginsView(Guid BatchId, Mass MassKg, IReadOnlyList<OriginShare> BySourceBatch, IReadOnlyList<OriginShare> ByGenerator,
    IReadOnlyList<OriginShare> ByCity, bool Cut);

public sealed record DestinationShare(string End, string Holder, Mass MassKg, decimal Percent);

/// <param name="Cut">The graph passed the attribution limit and was cut there: mass beyond the cut counts as in-chain with the last holder walked.</param>
public sealed record DestinationsView(Guid BatchId, Mass MassKg, IReadOnlyList<OriginShare> ByEnd, IReadOnlyList<OriginShare> ByHolder,
    IReadOnlyList<DestinationShare> Detail, bool Cut);

public static class ProvenanceEndpoints
{
    public static void MapProvenance(this IEndpointRouteBuilder app)
    {
        var batches = app.MapGroup("/api/batches").WithTags("Provenance");
        batches.MapGet("/{id:guid}/provenance", GetProvenance)
            .WithName("GetProvenance")
            .WithSummary("Lineage graph of a batch, upstream and/or downstream")
            .WithDescription("Nodes (batch, category, mass, generator, city, status, fates) and edges (parent to child, with the mass that flowed), walked from the batch to `depth` levels (default 10, at most 100) and at most `limit` nodes (default 500, at most 5000). `cut` says whether either bound stopped the walk. Batches the caller may not read themselves appear without their enterprises (redacted).")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<ProvenanceView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        batches.MapGet("/{id:guid}/origins", GetOrigins)
            .WithName("GetOrigins")
            .WithSummary("Where a batch's mass came from")
            .WithDescription("The share of the batch's mass that came from each source (generated) batch, each generating enterprise and each city, carried proportionally through splits, sorting, dismantling and merges. Shares sum to 100%. Sources the caller may not read count under 'undisclosed' for their generator and city, as provenance redacts them.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<OriginsView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        batches.MapGet("/{id:guid}/destinations", GetDestinations)
            .WithName("GetDestinations")
            .WithSummary("Where a batch's mass ended")
            .WithDescription("For a batch (usually a generated source), the share of its mass that ended in each fate (reuse, remanufacture, cascade-use, recycling, energy-recovery, disposal), is still in the chain (in-chain, in-transit) or was declared lost (declared-loss), and with which final holder. Shares sum to 100%. Holders of batches the caller may not read count as 'undisclosed', as provenance redacts them.")
            .RequireAuthorization(Roles.BatchReaders)
            .Produces<DestinationsView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    static async Task<(Batch? Batch, IResult? NotFound)> ReadableAsync(Guid id, HttpContext http, IQuerySession session) =>
        await ReadBatchEndpoints.ReadableAsync(session, id, http) is { } batch ? (batch, null) : (null, ReadBatchEndpoints.NotFound(id));

    static async Task<IResult> GetProvenance(Guid id, string? direction, int? depth, int? limit, HttpContext http, IQuerySession session)
    {
        var errors = new FieldErrors();
        direction ??= "both";
        if (direction is not ("upstream" or "downstream" or "both")) errors.Add("direction", "must be upstream, downstream or both");
        if (depth is < 0 or > 100) errors.Add("depth", "must be between 0 and 100");
        if (limit is < 1 or > 5000) errors.Add("limit", "must be between 1 and 5000");
        if (errors.Any) return errors.ToRefusal().ToResult();
        var (root, notFound) = await ReadableAsync(id, http, session);
        if (root is null) return notFound!;

        var lineage = await Lineage.WalkAsync(session, root, direction != "downstream", direction != "upstream", depth ?? 10, limit ?? 500, http.RequestAborted);
        var caller = Caller.From(http.User);
        var nodes = lineage.Nodes.Values.OrderBy(b => b.GeneratedAt).ThenBy(b => b.Id).Select(b => Node(b, Visibility.MayRead(caller, b))).ToList();
        var edges = lineage.Nodes.Values
            .SelectMany(b => b.Children.Where(c => lineage.Nodes.ContainsKey(c.BatchId)).Select(c => new LineageEdge(b.Id, c.BatchId, c.MassKg, c.Process)))
            .ToList();
        return Results.Ok(new ProvenanceView(id, direction, depth ?? 10, limit ?? 500, lineage.CutByDepth || lineage.CutByNodes,
            lineage.CutByDepth, lineage.CutByNodes, nodes, edges));
    }

    static LineageNode Node(Batch b, bool readable) => new(
        b.Id, b.Category, b.MassKg, b.RemainingKg, b.Status, b.Origin, readable ? b.Generator : null, readable ? b.City : null, readable ? b.Holder : null,
        [.. b.Fates.Select(f => EnumNames.Of(f.Fate)).Distinct()], !readable);

    static async Task<IResult> GetOrigins(Guid id, HttpContext http, IQuerySession session)
    {
        var (batch, notFound) = await ReadableAsync(id, http, session);
        if (batch is null) return notFound!;
        var lineage = await Lineage.AncestorsAsync(session, batch, http.RequestAborted);
        var nodes = lineage.SeenBy(Caller.From(http.User));
        var origins = Attribution.Origins(id, nodes);
        return Results.Ok(new OriginsView(id, batch.MassKg,
            Shares(origins.Select(o => KeyValuePair.Create(o.Key.ToString(), o.Value)), batch.MassKg),
            Shares(origins.GroupBy(o => nodes[o.Key].Generator).Select(g => KeyValuePair.Create(g.Key, g.Sum(o => o.Value))), batch.MassKg),
            Shares(origins.GroupBy(o => nodes[o.Key].City).Select(g => KeyValuePair.Create(g.Key, g.Sum(o => o.Value))), batch.MassKg), lineage.CutByNodes));
    }

    static async Task<IResult> GetDestinations(Guid id, HttpContext http, IQuerySession session, ReferenceData.Categories categories)
    {
        var (batch, notFound) = await ReadableAsync(id, http, session);
        if (batch is null) return notFound!;
        var lineage = await Lineage.DescendantsAsync(session, batch, http.RequestAborted);
        var sinks = Attribution.Destinations(id, lineage.SeenBy(Caller.From(http.User)), categories.Find);
        var detail = Attribution.Percentages(sinks);
        return Results.Ok(new DestinationsView(id, batch.MassKg,
            Shares(sinks.GroupBy(s => s.Key.End).Select(g => KeyValuePair.Create(g.Key, g.Sum(s => s.Value))), batch.MassKg),
            Shares(sinks.GroupBy(s => s.Key.Holder).Select(g => KeyValuePair.Create(g.Key, g.Sum(s => s.Value))), batch.MassKg),
            [.. detail.OrderByDescending(d => d.Value).Select(d => new DestinationShare(d.Key.End, d.Key.Holder, new Mass(decimal.Round(sinks[d.Key] * batch.MassKg.Kilograms, 3)), d.Value))],
            lineage.CutByNodes));
    }

    static List<OriginShare> Shares(IEnumerable<KeyValuePair<string, decimal>> fractions, Mass total)
    {
        var list = fractions.ToList();
        var percents = Attribution.Percentages(list);
        return [.. list.OrderByDescending(f => f.Value).Select(f => new OriginShare(f.Key, new Mass(decimal.Round(f.Value * total.Kilograms, 3)), percents[f.Key]))];
    }
}
