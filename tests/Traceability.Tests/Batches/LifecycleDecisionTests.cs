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
        var licences = new LicenceBook(Holder, [Grant(Holder, new { kind = "battery-white-list", whiteList = "recycling", validFrom = "2026-01-01", validTo = "2026-11-21", capacityTonnesPerYear = 100 })]);
        var battery = Category("battery-module");

        // 2026-11-21T15:59Z is 23:59 on the 21st in China: covered. A minute later it is the 22nd: not.
        Assert.Null(licences.Permit(Operation.Recycle, battery, null, 10m, At("2026-11-21T15:59:00Z"), Options.Licensing).Refusal);
        var refusal = licences.Permit(Operation.Recycle, battery, null, 10m, At("2026-11-21T16:00:00Z"), Options.Licensing).Refusal;
        Assert.Equal(403, refusal?.Status);
        Assert.Equal(["a power battery white-list entry of kind recycling, valid on 2026-11-22"], refusal!.Errors!["licence"]);
        // A recycling entry is not a cascade-use entry.
        Assert.NotNull(licences.Permit(Operation.CascadeUse, battery, null, 10m, At("2026-06-01T00:00:00Z"), Options.Licensing).Refusal);
    }

    [Fact]
    public void with_the_statutory_set_only_what_the_law_licenses_needs_a_licence()
    {
        var statutory = new LicensingRules(AllWaste: false);
        var none = new LicenceBook(Holder, []);
        bool Needs(Operation op, string category, LicensingRules rules) => none.Permit(op, Category(category), null, 1m, Day2, rules).Refusal is not null;

        Assert.True(Needs(Operation.Receive, "hw08", statutory));                 // 危险废物经营许可证, whatever the operation
        Assert.True(Needs(Operation.Receive, "scrapped-vehicle", statutory));     // only a qualified dismantler recovers a vehicle
        Assert.False(Needs(Operation.Receive, "vehicle-engine", statutory));      // its parts are not under that qualification
        Assert.True(Needs(Operation.Dismantle, "weee-television", statutory));    // treatment needs the WEEE qualification...
        Assert.False(Needs(Operation.Receive, "weee-television", statutory));     // ...collecting does not
        Assert.True(Needs(Operation.Receive, "decoration-waste", statutory));     // 城市建筑垃圾处置核准
        Assert.False(Needs(Operation.Receive, "power-battery", statutory));       // collection outlets are not on the white list...
        Assert.True(Needs(Operation.Recycle, "battery-cell", statutory));         // ...recyclers are
        Assert.False(Needs(Operation.Recycle, "waste-paper", statutory));         // no statutory licence for renewable resources
        Assert.True(Needs(Operation.Recycle, "waste-paper", Options.Licensing));  // unless the deployment licenses all waste
        Assert.False(Needs(Operation.Receive, "lithium-carbonate", Options.Licensing)); // secondary materials are goods
        Assert.False(Needs(Operation.Receive, "cascade-use-battery", Options.Licensing)); // a product in service too
    }

    [Fact]
    public void a_hazardous_waste_licence_permits_its_codes_or_classes_and_its_operations_only()
    {
        var oil = Category("hw08");
        var byCode = new LicenceBook(Holder, [Grant(Holder, new { kind = "hazardous-waste", wasteCodes = new[] { "900-249-08" }, operations = new[] { "collect", "store" }, validFrom = "2026-01-01", validTo = "2026-12-31", capacityTonnesPerYear = 100 })]);
        var byClass = new LicenceBook(Holder, [Grant(Holder, new { kind = "hazardous-waste", wasteCodes = new[] { "HW08" }, operations = new[] { "utilize" }, validFrom = "2026-01-01", validTo = "2026-12-31", capacityTonnesPerYear = 100 })]);

        Assert.Null(byCode.Permit(Operation.Receive, oil, "900-249-08", 1m, Day2, Options.Licensing).Refusal);
        var otherCode = byCode.Permit(Operation.Receive, oil, "900-214-08", 1m, Day2, Options.Licensing).Refusal;
        Assert.Contains("900-214-08", otherCode!.Errors!["licence"][0]);
        Assert.NotNull(byCode.Permit(Operation.Recycle, oil, "900-249-08", 1m, Day2, Options.Licensing).Refusal); // collect and store are not utilization
        Assert.Null(byClass.Permit(Operation.Recycle, oil, "900-214-08", 1m, Day2, Options.Licensing).Refusal);
        Assert.NotNull(byClass.Permit(Operation.Dispose, oil, "900-214-08", 1m, Day2, Options.Licensing).Refusal);  // utilization is not disposal
        Assert.NotNull(byClass.Permit(Operation.Receive, Category("hw34"), "900-000-34", 1m, Day2, Options.Licensing).Refusal);
    }

    [Fact]
    public void a_weee_qualification_permits_the_products_it_lists()
    {
        var tv = new LicenceBook(Holder, [Grant(Holder, new { kind = "weee-treatment", products = new[] { "weee-television" }, validFrom = "2026-01-01", validTo = "2026-12-31", capacityTonnesPerYear = 100 })]);

        Assert.Null(tv.Permit(Operation.Dismantle, Category("weee-television"), null, 1m, Day2, Options.Licensing).Refusal);
        Assert.Contains("listing weee-refrigerator", tv.Permit(Operation.Dismantle, Category("weee-refrigerator"), null, 1m, Day2, Options.Licensing).Refusal!.Detail);
    }

    [Fact]
    public void the_yearly_scale_refuses_an_operation_that_would_pass_it_naming_licence_scale_and_year_to_date()
    {
        var licence = Grant(Holder, new { kind = "battery-white-list", whiteList = "recycling", number = "JS-BAT-7", validFrom = "2026-01-01", validTo = "2027-12-31", capacityTonnesPerYear = 1 });
        var book = new LicenceBook(Holder, [licence], new Dictionary<(Guid, int), decimal> { [(licence.Id, 2026)] = 800m });
        var pack = Category("power-battery");

        var within = book.Permit(Operation.Recycle, pack, null, 200m, Day2, Options.Licensing);
        Assert.Equal(new LicenceUse(licence.Id, 2026, 200m), within.Use);
        var past = book.Permit(Operation.Recycle, pack, null, 200.001m, Day2, Options.Licensing).Refusal!;
        Assert.Equal(403, past.Status);
        Assert.Contains("JS-BAT-7", past.Detail);
        Assert.Contains("approved scale of 1 t for 2026: 0.8 t used", past.Detail);
        // The scale is per China calendar year: on 1 January 2027 (China time) the year starts again.
        Assert.Null(book.Permit(Operation.Recycle, pack, null, 900m, At("2026-12-31T16:00:00Z"), Options.Licensing).Refusal);
        // Where the deployment alerts instead, the operation is permitted and the breach recorded for the rule.
        var alerted = book.Permit(Operation.Recycle, pack, null, 300m, Day2, Options.Licensing with { AlertOnScaleExceeded = [LicenceKind.BatteryWhiteList] });
        Assert.Equal((null, new ScaleBreach(licence.Id, 2026, 1000m, 800m)), (alerted.Refusal, alerted.Breach));
    }

    [Fact]
    public void receipts_count_against_a_collect_only_licence_and_treatment_against_the_treating_one()
    {
        var collector = Grant(Holder, new { kind = "hazardous-waste", wasteCodes = new[] { "HW08" }, operations = new[] { "collect", "store" }, validFrom = "2026-01-01", validTo = "2026-12-31", capacityTonnesPerYear = 100 });
        var utilizer = Grant(Holder, new { kind = "hazardous-waste", wasteCodes = new[] { "HW08" }, operations = new[] { "utilize" }, validFrom = "2026-01-01", validTo = "2026-12-31", capacityTonnesPerYear = 100 });
        var oil = Category("hw08");

        Assert.Equal(collector.Id, new LicenceBook(Holder, [collector]).Permit(Operation.Receive, oil, "900-249-08", 5m, Day2, Options.Licensing).Use?.LicenceId);
        Assert.Null(new LicenceBook(Holder, [utilizer]).Permit(Operation.Receive, oil, "900-249-08", 5m, Day2, Options.Licensing).Use);
        Assert.Equal(utilizer.Id, new LicenceBook(Holder, [utilizer]).Permit(Operation.Recycle, oil, "900-249-08", 5m, Day2, Options.Licensing).Use?.LicenceId);
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
        var batch = Held("waste-plastics", 1000m, Holder);
        var reuseOnly = Actor(Holder, "320200", Licences(Holder, "renewable-resource", Activity.Reuse));

        var decision = RecordFateDecision.Decide(batch, Fate(batch.Id, ReferenceData.Fate.Disposal, 1000m), reuseOnly, Category("waste-plastics"), HeldIdentifiers.None, Now, Options);

        Assert.Equal(["a general licence to dispose renewable-resource, valid on 2026-11-21"], decision.Refusal!.Errors!["licence"]);
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
