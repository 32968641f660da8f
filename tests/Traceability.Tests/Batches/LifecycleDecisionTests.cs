using NodaTime;
using Traceability.Batches;
using Traceability.Batches.Correcting;
using Traceability.Batches.Fates;
using Traceability.Batches.Merging;
using Traceability.Batches.Splitting;
using Traceability.Licensing;
using Traceability.ReferenceData;
using static Traceability.Tests.Batches.Given;

namespace Traceability.Tests.Batches;

/// <summary>The lifecycle rules without a database: state + command + licences -> events or a refusal.</summary>
public sealed class LifecycleDecisionTests
{
    const string Holder = "91320200MA1AAAA01Y";

    static TransformBatch Sorting(Guid batch, params (string Category, decimal Kg)[] outputs) =>
        new(batch, Process.Sorting, Holder, [.. outputs.Select(o => new Output(Guid.CreateVersion7(), o.Category, new Mass(o.Kg), null, null))], [], Day2, null);

    static readonly BatchActor Sorter = Actor(Holder, "320200", Licences(Holder, "construction-waste", Activity.Sort, Activity.Dispose, Activity.Recycle));

    [Theory]
    [InlineData(995, true)]
    [InlineData(1005, true)]
    [InlineData(994.999, false)]
    [InlineData(1005.001, false)]
    public void sorting_balances_within_half_a_percent(decimal outputKg, bool accepted)
    {
        var batch = Held("decoration-waste", 1000m, Holder);

        var decision = TransformBatchDecision.Decide(batch, Sorting(batch.Id, ("recycled-aggregate", outputKg)), Sorter, Given.Categories, HeldIdentifiers.None, Now, Options);

        Assert.Equal(accepted, decision.Refusal is null);
        if (!accepted) Assert.Equal(400, decision.Refusal!.Status);
        else Assert.Equal(BatchStatus.Transformed, batch.Apply((BatchSorted)decision.Events[0]).Status);
    }

    [Fact]
    public void a_sorting_child_starts_with_its_parent_and_the_mass_it_gave()
    {
        var batch = Held("decoration-waste", 1000m, Holder);

        var decision = TransformBatchDecision.Decide(batch, Sorting(batch.Id, ("recycled-aggregate", 600m), ("scrap-steel", 400m)), Sorter, Given.Categories, HeldIdentifiers.None, Now, Options);

        var child = Batch.Create(decision.Children[1]);
        Assert.Equal((Process.Sorting, BatchStatus.Derived, Holder, "320200"), (child.Origin!.Value, child.Status, child.Holder, child.City));
        Assert.Equal(new ParentShare(batch.Id, new Mass(400m)), Assert.Single(child.Parents));
    }

    [Fact]
    public void the_licence_is_judged_on_the_china_date_of_the_operation()
    {
        var licences = new LicenceBook(Holder, [new Licence
        {
            EnterpriseId = Holder, Activity = Activity.Recycle, CategoryGroup = "power-battery",
            ValidFrom = new LocalDate(2026, 1, 1), ValidTo = new LocalDate(2026, 11, 21),
        }]);
        var battery = Category("battery-module");

        // 2026-11-21T15:59Z is 23:59 on the 21st in China: covered. A minute later it is the 22nd: not.
        Assert.Null(licences.Require(Activity.Recycle, battery, At("2026-11-21T15:59:00Z"), Options.Licensing));
        var refusal = licences.Require(Activity.Recycle, battery, At("2026-11-21T16:00:00Z"), Options.Licensing);
        Assert.Equal(403, refusal?.Status);
        Assert.Equal(["recycle × power-battery valid on 2026-11-22"], refusal!.Errors!["licence"]);
        Assert.NotNull(licences.Require(Activity.Dismantle, battery, At("2026-06-01T00:00:00Z"), Options.Licensing));
    }

    [Fact]
    public void with_licences_required_only_by_law_batteries_and_hazardous_waste_still_need_one()
    {
        var lenient = new LicensingRules(AllWaste: false);
        var none = new LicenceBook(Holder, []);

        Assert.Null(none.RequireReceiving(Category("decoration-waste"), Day2, lenient));
        Assert.NotNull(none.RequireReceiving(Category("power-battery"), Day2, lenient));
        Assert.NotNull(none.RequireReceiving(Category("hw08"), Day2, lenient));
        Assert.NotNull(none.RequireReceiving(Category("decoration-waste"), Day2, Options.Licensing));
        Assert.Null(none.RequireReceiving(Category("lithium-carbonate"), Day2, Options.Licensing));
    }

    [Fact]
    public void a_revoked_licence_covers_the_days_before_its_revocation_only()
    {
        var licence = new Licence { ValidFrom = new LocalDate(2026, 1, 1), ValidTo = new LocalDate(2026, 12, 31) };
        licence.Revocation = new Revocation(new LocalDate(2026, 6, 1), "suspended", Now, "admin");

        Assert.True(licence.Covers(new LocalDate(2026, 5, 31)));
        Assert.False(licence.Covers(new LocalDate(2026, 6, 1)));
        Assert.False(licence.Covers(new LocalDate(2027, 1, 1)));
    }

    static RecordFate Fate(Guid batch, Fate fate, decimal kg) =>
        new(batch, Guid.CreateVersion7(), fate, fate == ReferenceData.Fate.Disposal ? DisposalMethod.Landfill : null, new Mass(kg), null, [], [], null, Holder, Day2, null);

    [Fact]
    public void partial_fates_leave_a_remainder_and_one_within_the_tolerance_of_it_ends_the_batch()
    {
        var batch = Held("decoration-waste", 1000m, Holder);

        var first = RecordFateDecision.Decide(batch, Fate(batch.Id, ReferenceData.Fate.Disposal, 300m), Sorter, Category("decoration-waste"), HeldIdentifiers.None, Now, Options);
        var afterFirst = batch.Apply((FateRecorded)first.Events[0]);
        Assert.Equal((new Mass(700m), BatchStatus.Generated), (afterFirst.RemainingKg, afterFirst.Status));

        var last = RecordFateDecision.Decide(afterFirst, Fate(batch.Id, ReferenceData.Fate.Disposal, 698m), Sorter, Category("decoration-waste"), HeldIdentifiers.None, Now, Options);
        var ended = afterFirst.Apply((FateRecorded)last.Events[0]);
        Assert.Equal((default(Mass), BatchStatus.Ended, 2), (ended.RemainingKg, ended.Status, ended.Fates.Count));
        Assert.False(ended.IsLive);
    }

    [Fact]
    public void a_fate_needs_the_licence_for_its_activity()
    {
        var batch = Held("decoration-waste", 1000m, Holder);
        var reuseOnly = Actor(Holder, "320200", Licences(Holder, "construction-waste", Activity.Reuse));

        var decision = RecordFateDecision.Decide(batch, Fate(batch.Id, ReferenceData.Fate.Disposal, 1000m), reuseOnly, Category("decoration-waste"), HeldIdentifiers.None, Now, Options);

        Assert.Equal(["dispose × construction-waste valid on 2026-11-21"], decision.Refusal!.Errors!["licence"]);
    }

    [Fact]
    public void merging_sums_what_remains_and_names_every_parent()
    {
        var a = Held("agricultural-film", 300m, Holder);
        var b = Held("agricultural-film", 500m, Holder);
        var command = new MergeBatches(Guid.CreateVersion7(), [a.Id, b.Id], null, Holder, Day2);

        var decision = MergeBatchesDecision.Decide([a, b], command, Sorter, Given.Categories, Now, Options);

        var lot = Assert.Single(decision.Children);
        Assert.Equal((new Mass(800m), "agricultural-film", 2), (lot.MassKg, lot.Category, lot.Parents.Count));
        Assert.All(decision.Events.OfType<BatchMerged>(), m => Assert.Equal(command.LotId, m.LotId));
        Assert.Equal(BatchStatus.Merged, a.Apply((BatchMerged)decision.Events[0]).Status);
    }

    [Fact]
    public void batches_of_different_groups_are_not_merged()
    {
        var a = Held("agricultural-film", 300m, Holder);
        var b = Held("waste-plastics", 500m, Holder);

        var decision = MergeBatchesDecision.Decide([a, b], new MergeBatches(Guid.CreateVersion7(), [a.Id, b.Id], "agricultural-film", Holder, Day2), Sorter, Given.Categories, Now, Options);

        Assert.Contains("takes only group agricultural", decision.Refusal!.Errors!["batches"][0]);
    }

    [Fact]
    public void an_identified_unit_is_not_split()
    {
        var pack = Held("power-battery", 400m, Holder, units: 1, identifier: new UnitIdentifier(IdentifierKind.BatteryCode, "0CAPE0112345678N3F1234567"));
        var command = new SplitBatch(pack.Id, Holder, [new(200m, null), new(200m, null)], Day2, null);

        Assert.Equal(409, SplitBatchDecision.Decide(pack, command, Sorter, Category("power-battery"), Now, Options).Refusal?.Status);
    }

    [Fact]
    public void a_figure_is_corrected_only_while_the_batch_stands_on_it()
    {
        var generated = new BatchGenerated(Guid.CreateVersion7(), "decoration-waste", new Mass(1000m), null, null, Holder, "320200", null, Day1);
        var batch = Batch.Create(generated) with { Version = 1 };
        var command = new CorrectFigure(batch.Id, 1, CorrectableFields.MassKg, "950", "misread", Holder, null);

        var decision = CorrectFigureDecision.Decide(batch, [new StoredEvent(1, generated)], command, Now, Options);
        Assert.Equal(new Mass(950m), batch.Apply((FigureCorrected)decision.Events[0]).RemainingKg);

        var fate = new FateRecorded(batch.Id, Guid.CreateVersion7(), ReferenceData.Fate.Disposal, DisposalMethod.Landfill, Holder, "320200", new Mass(100m), null, [], [], new Mass(900m), null, Day2);
        var afterFate = batch.Apply(fate) with { Version = 2 };
        Assert.Equal(409, CorrectFigureDecision.Decide(afterFate, [new StoredEvent(1, generated), new StoredEvent(2, fate)], command, Now, Options).Refusal?.Status);
        Assert.Equal(403, CorrectFigureDecision.Decide(batch, [new StoredEvent(1, generated)], command with { By = "91320700MA1BBBB023" }, Now, Options).Refusal?.Status);
    }
}
