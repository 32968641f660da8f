using Traceability.Batches;
using Traceability.Batches.Correcting;
using Traceability.Batches.Dispatching;
using Traceability.Batches.Merging;
using Traceability.Batches.Receiving;
using Traceability.Batches.Registering;
using Traceability.Batches.Rejecting;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.ReferenceData;
using static Traceability.Tests.Batches.Given;

namespace Traceability.Tests.Batches;

/// <summary>
/// The rules in the given-events style: the events a batch already has, the command, and the events it appends
/// (to its own stream or as new batches' first events) or the refusal, each through the command's own Decide.
/// </summary>
public sealed class PipelineScenarioTests
{
    const string Generator = "91320200MA1AAAA01Y";
    const string Recycler = "91320700MA1BBBB023";
    static readonly Guid Id = Guid.CreateVersion7();
    static readonly Guid Manifest = Guid.CreateVersion7();

    static readonly BatchActor Dealer = Actor(Generator, "320200", Licences(Generator, "construction-waste")) with
    {
        Enterprise = new Enterprise { Id = Generator, City = "320200", Roles = [EnterpriseRoles.Generator] },
    };
    static readonly BatchActor Plant = Actor(Recycler, "320700", Licences(Recycler, "construction-waste", Activity.Collect, Activity.Sort, Activity.Recycle));

    static BatchGenerated Generated(decimal kg = 1000m, Guid? id = null, UnitIdentifier? identifier = null) =>
        new(id ?? Id, identifier is null ? "construction-spoil" : "scrapped-vehicle", new Mass(kg), identifier is null ? null : 1, identifier, Generator, "320200", null, Day1);

    static BatchDispatched Dispatched(decimal kg = 1000m) =>
        new(Id, Manifest, "TM-20261121-320200-00000001", Generator, Recycler, "320700", new Mass(kg), "苏B12345", Day2);

    static BatchReceived Received(decimal kg = 1000m) => new(Id, Manifest, Recycler, "320700", new Mass(kg), Day2 + NodaTime.Duration.FromHours(2));

    [Fact]
    public void a_receipt_weighed_beyond_the_tolerance_appends_the_receipt_and_the_discrepancy()
    {
        var decision = Scenario.Of(Generated(), Dispatched()).Acting(Plant)
            .When(new ReceiveBatch(Id, Manifest, Recycler, new Mass(900m), Day3, null));

        Assert.Null(decision.Refusal);
        Assert.Collection(decision.Events,
            e => Assert.Equal(new Mass(900m), Assert.IsType<BatchReceived>(e).MassKg),
            e => Assert.Equal(new Mass(-100m), Assert.IsType<ReceiptDiscrepancyRecorded>(e).DifferenceKg));
    }

    [Fact]
    public void a_batch_in_transit_is_not_dispatched_again()
    {
        var decision = Scenario.Of(Generated(), Dispatched()).Acting(Dealer).Addressing(Plant)
            .When(new DispatchBatch(Id, Guid.CreateVersion7(), Generator, Recycler, new Mass(1000m), Day3, null, null));

        Assert.Equal(409, decision.Refusal?.Status);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void after_a_rejection_the_sender_may_dispatch_again()
    {
        var decision = Scenario.Of(Generated(), Dispatched(), new DispatchRejected(Id, Manifest, Recycler, "wrong load", Day2)).Acting(Dealer).Addressing(Plant)
            .When(new DispatchBatch(Id, Guid.CreateVersion7(), Generator, Recycler, new Mass(1000m), Day3, null, null));

        Assert.Equal(Recycler, Assert.IsType<BatchDispatched>(Assert.Single(decision.Events)).To);
    }

    [Fact]
    public void only_the_addressee_rejects_a_dispatch()
    {
        var decision = Scenario.Of(Generated(), Dispatched()).Acting(Dealer).When(new RejectDispatch(Id, Manifest, Generator, "changed my mind", Day3, null));

        Assert.Equal(403, decision.Refusal?.Status);
    }

    [Fact]
    public void a_dispatch_to_an_unregistered_enterprise_names_the_field()
    {
        var decision = Scenario.Of(Generated()).Acting(Dealer).Addressing(null)
            .When(new DispatchBatch(Id, Guid.CreateVersion7(), Generator, Recycler, new Mass(1000m), Day3, null, null));

        Assert.True(decision.Refusal!.Errors!.ContainsKey("to"));
    }

    [Fact]
    public void merging_appends_to_every_merged_batch_and_starts_the_lot_naming_each_parent()
    {
        var other = Guid.CreateVersion7();
        var received = Received();
        var second = new BatchGenerated(other, "construction-spoil", new Mass(500m), null, null, Generator, "320200", null, Day1);
        var secondSent = new BatchDispatched(other, Guid.CreateVersion7(), "TM-2", Generator, Recycler, "320700", new Mass(500m), null, Day2);
        var secondReceived = new BatchReceived(other, secondSent.ManifestId, Recycler, "320700", new Mass(500m), Day2 + NodaTime.Duration.FromHours(3));
        var lot = Guid.CreateVersion7();

        var decision = Scenario.Of(Generated(), Dispatched(), received).And(second, secondSent, secondReceived).Acting(Plant)
            .When(new MergeBatches(lot, [Id, other], null, Recycler, Day3));

        Assert.Equal([Id, other], decision.Events.OfType<BatchMerged>().Select(m => m.BatchId));
        var derived = Assert.Single(decision.Children);
        Assert.Equal((lot, new Mass(1500m)), (derived.BatchId, derived.MassKg));
        Assert.Equal([Id, other], derived.Parents.Select(p => p.BatchId));
    }

    [Fact]
    public void a_held_vin_is_refused_and_the_refusal_is_kept_as_evidence()
    {
        var vin = new UnitIdentifier(IdentifierKind.Vin, "LSVAU2180N2183294");
        var holder = Guid.CreateVersion7();
        var held = new HeldIdentifiers([new IdentifierClaim { Id = IdentifierClaim.KeyOf(vin), BatchId = holder }], new Dictionary<Guid, BatchStatus> { [holder] = BatchStatus.Generated });

        var decision = Scenario.Nothing().Acting(Dealer).Holding(held)
            .When(new RegisterBatch(Guid.CreateVersion7(), "scrapped-vehicle", new Mass(1200m), 1, vin, Day1, null, Generator));

        Assert.Equal(409, decision.Refusal?.Status);
        Assert.Empty(decision.Events);
        var evidence = Assert.Single(decision.Evidence!);
        Assert.Equal((holder, Generator), (evidence.HeldBy, evidence.By));
    }

    [Fact]
    public void a_generation_mass_is_not_corrected_once_a_later_receipt_weighed_it_again()
    {
        var decision = Scenario.Of(Generated(), Dispatched(), Received(990m)).Acting(Dealer)
            .When(new CorrectFigure(Id, 1, CorrectableFields.MassKg, "950", "misread", Generator, null));

        Assert.Equal(409, decision.Refusal?.Status);
    }

    [Fact]
    public void the_response_version_counts_only_the_events_on_the_batch_itself()
    {
        var scenario = Scenario.Of(Generated(), Dispatched(), Received()).Acting(Plant);
        var command = new Traceability.Batches.Sorting.SortBatchRequest(
            [new OutputRequest("recycled-aggregate", 700m, null, null), new OutputRequest("scrap-steel", 300m, null, null)], [], Day3)
            .Validate(Id, Recycler, null, Given.Categories).Command!;

        var decision = scenario.When(command);

        Assert.Equal(3, decision.Events.Count);
        Assert.Equal(4, scenario.Context.VersionAfter(decision));
        Assert.All(decision.Children, c => Assert.Equal(Id, Assert.Single(c.Parents).BatchId));
    }
}
