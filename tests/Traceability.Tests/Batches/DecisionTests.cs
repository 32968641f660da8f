using NodaTime;
using NodaTime.Text;
using Traceability.Settings;
using Traceability.Batches;
using Traceability.Batches.Dispatching;
using Traceability.Batches.Receiving;
using Traceability.Batches.Registering;
using Traceability.Batches.Rejecting;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.ReferenceData;

namespace Traceability.Tests.Batches;

/// <summary>The rules, reached without a database: command + state + clock -> events or a refusal.</summary>
public sealed class DecisionTests
{
    static readonly TraceabilityOptions Options = Given.Options;
    static readonly Instant Now = Given.Now;
    static readonly Instant Day1 = Given.Day1;
    static readonly Instant Day2 = Given.Day2;
    const string Generator = "91320200MA1AAAA01Y";
    const string Recycler = "91320700MA1BBBB023";

    static readonly Enterprise GeneratorEnterprise = new() { Id = Generator, City = "320200", Roles = [EnterpriseRoles.Generator] };
    static readonly Enterprise RecyclerEnterprise = new() { Id = Recycler, City = "320700", Roles = [EnterpriseRoles.Recycler] };
    static readonly LicenceBook RecyclerLicences = Given.Licences(Recycler, "weee", Activity.Dismantle);

    static Batch Generated(decimal kg = 1000m) => Batch.Create(new BatchGenerated(Guid.CreateVersion7(), "weee", new Mass(kg), null, null, Generator, "320200", null, Day1)) with { Version = 1 };

    static DispatchBatch DispatchOf(Batch batch, decimal kg = 1000m, Instant? at = null) =>
        new(batch.Id, Guid.CreateVersion7(), Generator, Recycler, new Mass(kg), at ?? Day2, null, null);

    static Batch InTransit(Batch batch) =>
        batch.Apply((BatchDispatched)DispatchBatchDecision.Decide(batch, DispatchOf(batch), "320200", RecyclerEnterprise, RecyclerLicences, Given.Category("weee"), Now, Options).Events[0]);

    [Fact]
    public void registering_records_the_generator_and_its_city()
    {
        var command = new RegisterBatch(Guid.CreateVersion7(), "weee", new Mass(5m), 2, null, Day1, null, Generator);

        var decision = RegisterBatchDecision.Decide(command, GeneratorEnterprise, HeldIdentifiers.None, Now, Options);

        var generated = Assert.IsType<BatchGenerated>(Assert.Single(decision.Events));
        Assert.Equal(("320200", Generator), (generated.City, generated.Generator));
    }

    [Fact]
    public void registering_more_than_the_skew_ahead_of_the_clock_is_refused()
    {
        var command = new RegisterBatch(Guid.CreateVersion7(), "weee", new Mass(5m), null, null, Now + Duration.FromMinutes(6), null, Generator);

        var decision = RegisterBatchDecision.Decide(command, GeneratorEnterprise, HeldIdentifiers.None, Now, Options);

        Assert.Equal(400, decision.Refusal?.Status);
        Assert.True(decision.Refusal!.Errors!.ContainsKey("occurredAt"));
        Assert.Empty(decision.Events);
        Assert.Null(RegisterBatchDecision.Decide(command with { OccurredAt = Now + Duration.FromMinutes(4) }, GeneratorEnterprise, HeldIdentifiers.None, Now, Options).Refusal);
    }

    [Fact]
    public void a_battery_code_on_a_vehicle_category_is_refused_naming_identifier_kind()
    {
        var categories = new Categories([new Category("scrapped-vehicle", "scrapped-vehicle", "报废机动车", "Scrapped vehicle", IdentifierKind.Vin, false, true)], ["scrapped-vehicle"]);
        var request = new RegisterBatchRequest("scrapped-vehicle", 1400m, null, new IdentifierRequest(IdentifierKind.BatteryCode, "X"), Day1, null);

        var (_, refusal) = request.Validate(Generator, categories);

        Assert.Contains("carries a vin", refusal!.Errors!["identifier.kind"][0]);
    }

    [Fact]
    public void dispatch_opens_a_manifest_numbered_by_china_date_and_origin_city()
    {
        var batch = Generated();
        // 2026-11-21T17:00Z is already 22 November in China.
        var decision = DispatchBatchDecision.Decide(batch, DispatchOf(batch, at: InstantPattern.General.Parse("2026-11-21T17:00:00Z").Value), "320200", RecyclerEnterprise, RecyclerLicences, Given.Category("weee"), Now, Options);

        var dispatched = Assert.IsType<BatchDispatched>(Assert.Single(decision.Events));
        Assert.StartsWith("TM-20261122-320200-", dispatched.ManifestNumber);
        var state = batch.Apply(dispatched);
        Assert.Equal(BatchStatus.InTransit, state.Status);
        Assert.Equal(Generator, state.Holder);
        Assert.True(state.Involves(Recycler));
        Assert.True(state.TouchesCity("320700"));
    }

    [Fact]
    public void a_second_dispatch_while_in_transit_is_a_conflict()
    {
        var batch = InTransit(Generated());

        var decision = DispatchBatchDecision.Decide(batch, DispatchOf(batch), "320200", RecyclerEnterprise, RecyclerLicences, Given.Category("weee"), Now, Options);

        Assert.Equal(409, decision.Refusal?.Status);
    }

    [Theory]
    [InlineData(1010, false)]
    [InlineData(1010.001, true)]
    [InlineData(990, false)]
    [InlineData(989.999, true)]
    public void receiving_beyond_the_tolerance_records_a_discrepancy(decimal weighed, bool discrepancy)
    {
        var batch = InTransit(Generated(1000m));
        var command = new ReceiveBatch(batch.Id, batch.OpenManifest!.ManifestId, Recycler, new Mass(weighed), Day2, null);

        var decision = ReceiveBatchDecision.Decide(batch, command, new BatchActor(RecyclerEnterprise, RecyclerLicences), Given.Category("weee"), Now, Options);

        Assert.Null(decision.Refusal);
        Assert.Equal(discrepancy, decision.Events.OfType<ReceiptDiscrepancyRecorded>().Any());
        var state = decision.Events.Aggregate(batch, (b, e) => e switch { BatchReceived r => b.Apply(r), ReceiptDiscrepancyRecorded d => b.Apply(d), _ => b });
        Assert.Equal((Recycler, weighed, discrepancy), (state.Holder, state.MassKg.Kilograms, state.HasDiscrepancy));
        Assert.Equal(["320200", "320700"], state.Cities);
    }

    [Fact]
    public void receipt_by_anyone_but_the_addressee_is_forbidden()
    {
        var batch = InTransit(Generated());
        var command = new ReceiveBatch(batch.Id, batch.OpenManifest!.ManifestId, Generator, new Mass(1000m), Day2, null);

        Assert.Equal(403, ReceiveBatchDecision.Decide(batch, command, new BatchActor(GeneratorEnterprise, RecyclerLicences), Given.Category("weee"), Now, Options).Refusal?.Status);
    }

    [Fact]
    public void receipt_of_another_manifest_is_not_found_and_of_a_closed_one_is_a_conflict()
    {
        var batch = InTransit(Generated());
        var other = new ReceiveBatch(batch.Id, Guid.CreateVersion7(), Recycler, new Mass(1000m), Day2, null);
        Assert.Equal(404, ReceiveBatchDecision.Decide(batch, other, new BatchActor(RecyclerEnterprise, RecyclerLicences), Given.Category("weee"), Now, Options).Refusal?.Status);

        var rejected = batch.Apply(new DispatchRejected(batch.Id, batch.OpenManifest!.ManifestId, Recycler, "no", Day2));
        var late = other with { ManifestId = batch.OpenManifest.ManifestId };
        Assert.Equal(409, ReceiveBatchDecision.Decide(rejected, late, new BatchActor(RecyclerEnterprise, RecyclerLicences), Given.Category("weee"), Now, Options).Refusal?.Status);
        Assert.Equal((BatchStatus.Generated, Generator), (rejected.Status, rejected.Holder));
    }

    [Fact]
    public void a_rejection_without_a_moment_is_recorded_at_the_clock()
    {
        var batch = InTransit(Generated());
        var command = new RejectDispatch(batch.Id, batch.OpenManifest!.ManifestId, Recycler, "wrong load", null, null);

        var rejected = Assert.IsType<DispatchRejected>(Assert.Single(RejectDispatchDecision.Decide(batch, command, Now, Options).Events));

        Assert.Equal(Now, rejected.OccurredAt);
    }
}
