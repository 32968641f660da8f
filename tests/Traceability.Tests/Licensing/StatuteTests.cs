using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Licensing;

/// <summary>The licences the law issues, over HTTP: each operation checks its kind, and the yearly scale holds.</summary>
public sealed class StatuteTests(ApiFixture api) : ApiTest(api)
{
    static Dictionary<string, object> Licence(object scope, decimal tonnes = 100m) =>
        JsonSerializer.Deserialize<Dictionary<string, object>>(JsonSerializer.Serialize(scope))!
            .Concat(new Dictionary<string, object> { ["validFrom"] = "2020-01-01", ["validTo"] = "2030-12-31", ["capacityTonnesPerYear"] = tonnes })
            .ToDictionary();

    async Task<Party> HoldingAsync(Chain chain, string city, string role, params object[] licences)
    {
        var party = await chain.PartyAsync(city, role);
        foreach (var licence in licences)
        {
            var granted = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{party.Id}/licences", licence, ApiFixture.Json);
            Assert.True(granted.StatusCode == HttpStatusCode.Created, await granted.Content.ReadAsStringAsync());
        }
        return party;
    }

    [Fact]
    public async Task a_general_licence_to_recycle_batteries_is_not_the_white_list_the_law_asks_for()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var workshop = await HoldingAsync(chain, "320200", "recycler", Licence(new { activity = "recycle", categoryGroup = "power-battery" }));
        var pack = await chain.RegisterAsync(dealer, "power-battery", 300m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode() });
        await chain.TransferAsync(dealer, workshop, pack, 300m);

        var refused = await workshop.Client.PostAsJsonAsync($"/api/batches/{pack}/fates",
            new { fate = "recycling", massKg = 300m, outputs = new[] { Out("black-mass", 300m) }, occurredAt = chain.Next() }, ApiFixture.Json);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("a power battery white-list entry of kind recycling", await FieldRuleAsync(refused, "licence"));
        var state = await StateAsync(workshop, pack);
        Assert.Equal(("received", 300m, 0), (state.GetProperty("status").GetString(), state.GetProperty("remainingKg").GetDecimal(), state.GetProperty("fates").GetArrayLength()));
    }

    [Fact]
    public async Task a_vehicle_goes_only_to_a_qualified_dismantler_and_weee_is_treated_only_under_a_qualification_listing_the_product()
    {
        var chain = new Chain(Api);
        var owner = await chain.PartyAsync("410100", "generator");
        var scrapyard = await HoldingAsync(chain, "410100", "dismantler", Licence(new { activity = "dismantle", categoryGroup = "scrapped-vehicle" }));
        var vehicle = await chain.RegisterAsync(owner, "scrapped-vehicle", 1_300m, 1, new { kind = "vin", value = TestCodes.Vin() });

        var toScrapyard = await owner.Client.PostAsJsonAsync($"/api/batches/{vehicle}/dispatches", new { to = scrapyard.Id, massKg = 1_300m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, toScrapyard.StatusCode);
        Assert.StartsWith("a scrapped motor vehicle recovery and dismantling qualification", await FieldRuleAsync(toScrapyard, "licence"));

        var household = await chain.PartyAsync("410100", "generator");
        var tvPlant = await HoldingAsync(chain, "410100", "dismantler",
            Licence(new { activity = "collect", categoryGroup = "weee" }), Licence(new { kind = "weee-treatment", products = new[] { "weee-television" } }));
        var fridge = await chain.RegisterAsync(household, "weee-refrigerator", 60m, 1);
        await chain.TransferAsync(household, tvPlant, fridge, 60m);
        var dismantled = await tvPlant.Client.PostAsJsonAsync($"/api/batches/{fridge}/dismantling", new { outputs = new[] { Out("scrap-steel", 60m) }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, dismantled.StatusCode);
        Assert.Contains("listing weee-refrigerator", await FieldRuleAsync(dismantled, "licence"));
    }

    [Fact]
    public async Task an_operation_past_the_yearly_scale_is_refused_naming_licence_scale_and_year_to_date_and_stores_nothing()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var recycler = await HoldingAsync(chain, "320700", "recycler",
            Licence(new { activity = "collect", categoryGroup = "power-battery" }), Licence(new { kind = "battery-white-list", whiteList = "recycling", number = "GX-2026-017" }, tonnes: 1m));
        var first = await chain.RegisterAsync(dealer, "power-battery", 600m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode() });
        var second = await chain.RegisterAsync(dealer, "power-battery", 600m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode() });
        await chain.TransferAsync(dealer, recycler, first, 600m);
        await chain.TransferAsync(dealer, recycler, second, 600m);
        await chain.RecycleAsync(recycler, first, 600m, [Out("black-mass", 600m)]);

        var past = await recycler.Client.PostAsJsonAsync($"/api/batches/{second}/fates",
            new { fate = "recycling", massKg = 600m, outputs = new[] { Out("black-mass", 600m) }, occurredAt = chain.Next() }, ApiFixture.Json);

        Assert.Equal(HttpStatusCode.Forbidden, past.StatusCode);
        var problem = await ProblemAsync(past);
        Assert.Contains("GX-2026-017", problem.GetProperty("detail").GetString());
        Assert.Equal((1m, 2026, 0.6m), (problem.GetProperty("scaleTonnes").GetDecimal(), problem.GetProperty("year").GetInt32(), problem.GetProperty("yearToDateTonnes").GetDecimal()));
        Assert.Equal(600m, (await StateAsync(recycler, second)).GetProperty("remainingKg").GetDecimal());
        // 400 kg still fit this year.
        await chain.RecycleAsync(recycler, second, 400m, [Out("black-mass", 400m)]);
    }

    [Fact]
    public async Task where_the_deployment_alerts_for_a_kind_an_operation_past_its_scale_is_accepted_and_raised()
    {
        var chain = new Chain(Api);
        var site = await chain.PartyAsync("320700", "generator");
        var plant = await HoldingAsync(chain, "320700", "recycler", Licence(new { kind = "construction-waste", number = "LYG-CW-9" }, tonnes: 1m));
        var spoil = await chain.RegisterAsync(site, "construction-spoil", 1_500m);
        await chain.TransferAsync(site, plant, spoil, 1_500m);

        await chain.FateAsync(plant, spoil, "disposal", 1_500m, method: "landfill");

        await Api.SettledAsync();
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320700" }));
        var alert = Assert.Single((await regulator.GetFromJsonAsync<JsonElement>("/api/alerts?rule=licence-scale-exceeded")).EnumerateArray());
        Assert.Contains("LYG-CW-9", alert.GetProperty("evidence").GetString());
        Assert.Contains("1.5 t in 2026, past its approved scale of 1 t", alert.GetProperty("evidence").GetString());
    }

    [Fact]
    public async Task each_licence_kind_takes_only_its_own_scope_and_names_what_is_wrong()
    {
        var (id, _) = await Api.EnterpriseAsync("320700", "recycler");
        async Task<JsonElement> Refused(object body)
        {
            var response = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{id}/licences", body, ApiFixture.Json);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await ProblemAsync(response)).GetProperty("errors");
        }

        var noScope = await Refused(Licence(new { kind = "hazardous-waste" }));
        Assert.Equal("must list at least one", noScope.GetProperty("wasteCodes")[0].GetString());
        Assert.Equal("must list at least one", noScope.GetProperty("operations")[0].GetString());
        var mixed = await Refused(Licence(new { kind = "hazardous-waste", activity = "recycle", wasteCodes = new[] { "HW08", "900-999-08" }, operations = new[] { "utilize" } }));
        Assert.Equal("is not part of a hazardous-waste licence", mixed.GetProperty("activity")[0].GetString());
        Assert.StartsWith("'900-999-08' is neither a class", mixed.GetProperty("wasteCodes[1]")[0].GetString());
        var whiteList = await Refused(Licence(new { kind = "battery-white-list" }));
        Assert.True(whiteList.TryGetProperty("whiteList", out _));
        var weee = await Refused(Licence(new { kind = "weee-treatment", products = new[] { "power-battery" } }));
        Assert.Contains("is not a weee category", weee.GetProperty("products[0]")[0].GetString());
    }
}
