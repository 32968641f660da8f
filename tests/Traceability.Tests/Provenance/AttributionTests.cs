using Traceability.Batches;
using Traceability.Provenance;
using Traceability.Tests.Batches;

namespace Traceability.Tests.Provenance;

/// <summary>Attribution over graphs deeper than any stack: the pure functions, no database.</summary>
public sealed class AttributionTests
{
    /// <summary>A source split 100,000 times over, each time continuing on the first part (the hostile chain of issue 14).</summary>
    static (Dictionary<Guid, Batch> Nodes, Guid Source, Guid Deepest) Chain(int depth)
    {
        var nodes = new Dictionary<Guid, Batch>();
        var source = Given.Held("waste-paper", 1_000m, "91320200MA1AAAA01Y");
        var current = source;
        for (var level = 0; level < depth; level++)
        {
            var kept = new Mass(current.RemainingKg.Kilograms - 0.001m);
            var part = Batch.Create(new BatchDerived(Guid.CreateVersion7(), Process.Splitting, "waste-paper", kept, null, null,
                [new ParentShare(current.Id, kept)], "91320200MA1AAAA01Y", "320200", Given.Day2));
            var rest = Batch.Create(new BatchDerived(Guid.CreateVersion7(), Process.Splitting, "waste-paper", new Mass(0.001m), null, null,
                [new ParentShare(current.Id, new Mass(0.001m))], "91320200MA1AAAA01Y", "320200", Given.Day2));
            nodes[current.Id] = current.Apply(new BatchSplit(current.Id, "91320200MA1AAAA01Y", "320200", current.RemainingKg,
                [new Output(part.Id, "waste-paper", kept, null, null), new Output(rest.Id, "waste-paper", new Mass(0.001m), null, null)], Given.Day2));
            nodes[rest.Id] = rest;
            current = part;
        }
        nodes[current.Id] = current;
        return (nodes, source.Id, current.Id);
    }

    [Fact]
    public void origins_of_a_batch_100000_splits_down_come_wholly_from_its_source_without_recursion()
    {
        var (nodes, source, deepest) = Chain(100_000);

        var origins = Attribution.Origins(deepest, nodes);

        Assert.Equal(source, Assert.Single(origins).Key);
        Assert.Equal(1m, decimal.Round(origins[source], 10));
    }

    [Fact]
    public void destinations_of_a_source_100000_splits_deep_sum_to_the_whole()
    {
        var (nodes, source, _) = Chain(100_000);

        var sinks = Attribution.Destinations(source, nodes, Given.Categories.Find);

        Assert.Equal(1m, decimal.Round(sinks.Values.Sum(), 10));
        Assert.Equal(["in-chain"], sinks.Keys.Select(k => k.End).Distinct());
    }
}
