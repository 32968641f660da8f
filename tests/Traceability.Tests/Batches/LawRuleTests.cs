using NodaTime;
using Traceability.Batches;
using Traceability.Batches.Fates;
using Traceability.Batches.Manifests;
using Traceability.Batches.Registering;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.ReferenceData;
using static Traceability.Tests.Batches.Given;

namespace Traceability.Tests.Batches;

/// <summary>The manifest, code-for-life and assembly rules as pure decisions.</summary>
public sealed class LawRuleTests
{
    const string Garage = "91320200MA1AAAA01Y";
    const string Refinery = "91410100MA1CCCC03X";
    static readonly Batch Oil = Held("hw08", 2_000m, Garage) with { WasteCode = "900-249-08" };
    static readonly LicenceBook Utilizer = new(Refinery, [Grant(Refinery, new
    {
        kind = "hazardous-waste", wasteCodes = new[] { "900-249-08" }, operations = new[] { "utilize" }, validFrom = "2026-01-01", validTo = "2026-12-31", capacityTonnesPerYear = 100,
    })]);

    static ManifestDetails Details(string? wasteCode = "900-249-08", string operation = "R9", string? approval = null, string? permit = "P-1", string[]? hazards = null) =>
        new(Refinery, permit, wasteCode, hazards ?? ["T"], "liquid", "drum", 4, operation, approval);

    static string? Field(ManifestDetails? details, string toCity = "320200") =>
        ManifestRules.Check(details, Oil, Category("hw08"), "320200", toCity, Utilizer, Day2)?.Errors?.Keys.Single();

    [Fact]
    public void a_hazardous_manifest_needs_the_batchs_code_a_hazard_a_permit_the_approval_between_provinces_and_an_approved_operation()
    {
        Assert.Null(Field(Details()));
        Assert.Equal("manifest", Field(null));
        Assert.Equal("manifest.wasteCode", Field(Details(wasteCode: "900-214-08")));
        Assert.Equal("manifest.hazards", Field(Details(hazards: [])));
        Assert.Equal("manifest.carrierPermit", Field(Details(permit: null)));
        Assert.Equal("manifest.approvalNumber", Field(Details(), toCity: "410100"));
        Assert.Null(Field(Details(approval: "HN-1"), toCity: "410100"));
        Assert.Equal("manifest.intendedOperation", Field(Details(operation: "D1")));
        Assert.Null(ManifestRules.Check(null, Held("waste-paper", 10m, Garage), Category("waste-paper"), "320200", "410100", null, Day2));
    }

    [Fact]
    public void a_code_whose_batch_is_gone_is_refused_with_its_status_and_kept_as_evidence_of_reuse()
    {
        var vin = new UnitIdentifier(IdentifierKind.Vin, "LSVAU2180N2183294");
        var dismantled = Guid.CreateVersion7();
        var held = new HeldIdentifiers([new IdentifierClaim { Id = IdentifierClaim.KeyOf(vin), BatchId = dismantled }], new Dictionary<Guid, BatchStatus> { [dismantled] = BatchStatus.Transformed });
        var generator = new Enterprise { Id = Garage, City = "320200", Roles = [EnterpriseRoles.Generator] };

        var decision = RegisterBatchDecision.Decide(new RegisterBatch(Guid.CreateVersion7(), "scrapped-vehicle", new Mass(1_200m), 1, vin, Day1, null, Garage), generator, held, Now, Options);

        Assert.Equal(409, decision.Refusal?.Status);
        Assert.Equal("transformed", decision.Refusal!.Extensions!["holderStatus"]);
        Assert.Equal(BatchStatus.Transformed, Assert.Single(decision.Evidence!).HolderStatus);
    }

    [Fact]
    public void a_major_assembly_is_remanufactured_only_by_a_registered_remanufacturer()
    {
        var engine = Held("vehicle-engine", 180m, Garage);
        var licences = Licences(Garage, "scrapped-vehicle", Activity.Remanufacture);
        var dismantler = new BatchActor(new Enterprise { Id = Garage, City = "320200", Roles = [EnterpriseRoles.Dismantler] }, licences);
        var remanufacturer = dismantler with { Enterprise = new Enterprise { Id = Garage, City = "320200", Roles = [EnterpriseRoles.Remanufacturer] } };
        RecordFate Remanufacture() => new(engine.Id, Guid.CreateVersion7(), Fate.Remanufacture, null, new Mass(180m), 1, [], [], null, Garage, Day2, null);

        Assert.Equal(["remanufacturer"], RecordFateDecision.Decide(engine with { Units = 1 }, Remanufacture(), dismantler, Category("vehicle-engine"), HeldIdentifiers.None, Now, Options).Refusal!.Errors!["licence"]);
        Assert.Null(RecordFateDecision.Decide(engine with { Units = 1 }, Remanufacture(), remanufacturer, Category("vehicle-engine"), HeldIdentifiers.None, Now, Options).Refusal);
    }
}
