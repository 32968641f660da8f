using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Lifecycle;

/// <summary>Hazardous waste moves under a full transfer manifest (转移联单), checked field by field and read as one document.</summary>
public sealed class ManifestTests(ApiFixture api) : ApiTest(api)
{
    static object Manifest(string carrier, string? wasteCode = "900-214-08", string operation = "R9", string? approval = "HN-2026-0113", string? permit = "苏交运管许可锡字320200001234号") =>
        new { carrier, carrierPermit = permit, wasteCode, hazards = new[] { "T", "I" }, physicalForm = "liquid", packaging = "drum", packageCount = 10, intendedOperation = operation, approvalNumber = approval };

    [Fact]
    public async Task waste_oil_crossing_from_jiangsu_to_henan_needs_every_field_and_the_addressees_approval_and_is_read_by_its_parties_only()
    {
        var chain = new Chain(Api);
        var garage = await chain.PartyAsync("320200", "generator");
        var carrier = await chain.PartyAsync("320200", "transporter");
        var refinery = await chain.PartyAsync("410100", "recycler");
        var granted = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{refinery.Id}/licences", new
        {
            kind = "hazardous-waste", number = "HA4101OOD088", wasteCodes = new[] { "HW08" }, operations = new[] { "collect", "store", "utilize" },
            validFrom = "2024-01-01", validTo = "2028-12-31", capacityTonnesPerYear = 30_000,
        }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var oil = await chain.RegisterAsync(garage, "hw08", 2_000m);
        var state = await StateAsync(garage, oil);
        Assert.Equal("900-249-08", state.GetProperty("wasteCode").GetString());
        async Task<HttpResponseMessage> Send(object? manifest) => await garage.Client.PostAsJsonAsync($"/api/batches/{oil}/dispatches",
            new { to = refinery.Id, massKg = 2_000m, occurredAt = chain.Next(), vehiclePlate = "苏B12345", manifest }, ApiFixture.Json);

        Assert.Contains("is required: hazardous waste", await FieldRuleAsync(await Send(null), "manifest"));
        Assert.Contains("must be the batch's code 900-249-08", await FieldRuleAsync(await Send(Manifest(carrier.Id)), "manifest.wasteCode"));
        Assert.Contains("crosses from province 320000 to 410000", await FieldRuleAsync(await Send(Manifest(carrier.Id, "900-249-08", approval: null)), "manifest.approvalNumber"));
        Assert.Contains("dangerous goods", await FieldRuleAsync(await Send(Manifest(carrier.Id, "900-249-08", permit: null)), "manifest.carrierPermit"));
        var disposal = await Send(Manifest(carrier.Id, "900-249-08", operation: "D10"));
        Assert.Equal(HttpStatusCode.Forbidden, disposal.StatusCode);
        Assert.Equal("addressee's licence does not approve D10 of 900-249-08", await FieldRuleAsync(disposal, "manifest.intendedOperation"));
        var malformed = await Send(new { carrier = "not-a-code", hazards = new[] { "X" }, physicalForm = "paste", packageCount = 0, intendedOperation = "Z1" });
        var errors = (await ProblemAsync(malformed)).GetProperty("errors");
        foreach (var field in new[] { "manifest.carrier", "manifest.hazards", "manifest.physicalForm", "manifest.packaging", "manifest.packageCount", "manifest.intendedOperation" })
            Assert.True(errors.TryGetProperty(field, out _), field);
        // Refused six times, stored nothing: the batch is where it was.
        Assert.Equal(("generated", state.GetProperty("version").GetInt64()), (Status(await StateAsync(garage, oil)), (await StateAsync(garage, oil)).GetProperty("version").GetInt64()));

        var sent = await Send(Manifest(carrier.Id, "900-249-08"));
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var manifestId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("manifestId").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await Receive(refinery.Client, oil, manifestId, 1_990m, chain.Next())).StatusCode);

        var document = await carrier.Client.GetFromJsonAsync<JsonElement>($"/api/manifests/{manifestId}", ApiFixture.Json);
        Assert.Equal(("received", 2_000m, 1_990m, "320200", "410100"), (document.GetProperty("status").GetString(), document.GetProperty("sentKg").GetDecimal(),
            document.GetProperty("receivedKg").GetDecimal(), document.GetProperty("fromCity").GetString(), document.GetProperty("toCity").GetString()));
        var details = document.GetProperty("details");
        Assert.Equal(("900-249-08", "R9", "HN-2026-0113", 10), (details.GetProperty("wasteCode").GetString(), details.GetProperty("intendedOperation").GetString(),
            details.GetProperty("approvalNumber").GetString(), details.GetProperty("packageCount").GetInt32()));

        foreach (var reader in new[] { garage.Client, refinery.Client, await RegulatorAsync("410100"), await RegulatorAsync(null) })
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/manifests/{manifestId}")).StatusCode);
        var stranger = await chain.PartyAsync("320200", "recycler");
        foreach (var outsider in new[] { stranger.Client, await RegulatorAsync("320700") })
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/manifests/{manifestId}")).StatusCode);
        var statistician = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" }));
        Assert.Equal(HttpStatusCode.Forbidden, (await statistician.GetAsync($"/api/manifests/{manifestId}")).StatusCode);
    }

    [Fact]
    public async Task other_waste_may_carry_a_manifest_but_no_waste_code()
    {
        var chain = new Chain(Api);
        var site = await chain.PartyAsync("320200", "generator");
        var carrier = await chain.PartyAsync("320200", "transporter");
        var plant = await chain.PartyAsync("320200", "recycler", "construction-waste", "collect");
        var spoil = await chain.RegisterAsync(site, "construction-spoil", 20_000m);
        var body = new { carrier = carrier.Id, hazards = Array.Empty<string>(), physicalForm = "solid", packaging = "bulk", packageCount = 1, intendedOperation = "R5" };

        var coded = await site.Client.PostAsJsonAsync($"/api/batches/{spoil}/dispatches",
            new { to = plant.Id, massKg = 20_000m, occurredAt = chain.Next(), manifest = new { body.carrier, wasteCode = "900-000-49", body.hazards, body.physicalForm, body.packaging, body.packageCount, body.intendedOperation } }, ApiFixture.Json);
        Assert.Contains("only for hazardous waste", await FieldRuleAsync(coded, "manifest.wasteCode"));
        await PostAsync(site, $"/api/batches/{spoil}/dispatches", new { to = plant.Id, massKg = 20_000m, occurredAt = chain.Next(), manifest = body });
    }

    async Task<HttpClient> RegulatorAsync(string? city) => Api.ClientWithKey(await Api.IssueKeyAsync(city is null ? new { role = "regulator" } : new { role = "regulator", city }));

    static string? Status(JsonElement state) => state.GetProperty("status").GetString();
}
