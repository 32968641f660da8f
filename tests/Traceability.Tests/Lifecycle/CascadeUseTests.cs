using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Lifecycle;

/// <summary>Cascade use (梯次利用) as the 2018 provisions have it: a re-coded product that keeps its ancestors and comes back to recycling.</summary>
public sealed class CascadeUseTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_cascade_use_product_is_followed_from_the_dealer_through_its_service_to_its_recycling()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("410100", "generator");
        var cascader = await chain.PartyAsync("320200", "recycler", "power-battery", "collect", "cascade-use");
        var storage = await chain.PartyAsync("320200", "generator");
        var recycler = await chain.PartyAsync("360700", "recycler", "power-battery", "recycle");
        var moduleCode = TestCodes.BatteryCode('M');
        var module = await chain.RegisterAsync(dealer, "battery-module", 40m, 1, new { kind = "battery-code", value = moduleCode });
        await chain.TransferAsync(dealer, cascader, module, 40m);
        var productCode = TestCodes.BatteryCode('M');
        var product = (await PostAsync(cascader, "/api/batches/cascade-use", new
        {
            batches = new[] { module }, product = new { massKg = 40m, identifier = new { kind = "battery-code", value = productCode } }, application = "grid energy storage", occurredAt = chain.Next(),
        })).GetProperty("productId").GetGuid();
        await chain.TransferAsync(cascader, storage, product, 40m);
        await chain.TransferAsync(storage, recycler, product, 40m);
        await chain.RecycleAsync(recycler, product, 40m, [Out("black-mass", 30m)], Lost("process", 10m, "casing"));

        var state = await StateAsync(recycler, product);
        Assert.Equal(("cascade-use", moduleCode), (state.GetProperty("origin").GetString(), Assert.Single(state.GetProperty("ancestorCodes").EnumerateArray()).GetString()));
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var origins = await regulator.GetFromJsonAsync<JsonElement>($"/api/batches/{product}/origins");
        Assert.Equal(dealer.Id, Assert.Single(origins.GetProperty("byGenerator").EnumerateArray()).GetProperty("key").GetString());
        var destinations = await regulator.GetFromJsonAsync<JsonElement>($"/api/batches/{module}/destinations");
        var ends = destinations.GetProperty("byEnd").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("percent").GetDecimal());
        // The black mass out of the retired product is still waste, held by the recycler.
        Assert.Equal((75m, 25m), (ends["in-chain"], ends["declared-loss"]));
    }

    [Fact]
    public async Task cascade_use_needs_the_white_list_a_new_code_coded_inputs_and_a_balance()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var recyclerOnly = await chain.PartyAsync("320200", "recycler", "power-battery", "collect", "recycle");
        var cascader = await chain.PartyAsync("320200", "recycler", "power-battery", "collect", "cascade-use");
        var takenCode = TestCodes.BatteryCode('M');
        var module = await chain.RegisterAsync(dealer, "battery-module", 40m, 1, new { kind = "battery-code", value = takenCode });
        var other = await chain.RegisterAsync(dealer, "battery-module", 40m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode('M') });
        var blackMass = await chain.RegisterAsync(dealer, "black-mass", 40m);
        await chain.TransferAsync(dealer, recyclerOnly, module, 40m);
        await chain.TransferAsync(dealer, cascader, other, 40m);
        await chain.TransferAsync(dealer, cascader, blackMass, 40m);
        object Body(Guid batch, string code, decimal kg = 40m) => new { batches = new[] { batch }, product = new { massKg = kg, identifier = new { kind = "battery-code", value = code } }, occurredAt = chain.Next() };

        var unlisted = await recyclerOnly.Client.PostAsJsonAsync("/api/batches/cascade-use", Body(module, TestCodes.BatteryCode('M')), ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, unlisted.StatusCode);
        Assert.StartsWith("a power battery white-list entry of kind cascade-use", await FieldRuleAsync(unlisted, "licence"));
        var reusedCode = await cascader.Client.PostAsJsonAsync("/api/batches/cascade-use", Body(other, takenCode), ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, reusedCode.StatusCode);
        Assert.Equal(module, (await ProblemAsync(reusedCode)).GetProperty("heldBy").GetGuid());
        Assert.Contains("only coded packs, modules and cells", await FieldRuleAsync(
            await cascader.Client.PostAsJsonAsync("/api/batches/cascade-use", Body(blackMass, TestCodes.BatteryCode('M')), ApiFixture.Json), "batches"));
        Assert.Contains("mass-balance", await FieldRuleAsync(
            await cascader.Client.PostAsJsonAsync("/api/batches/cascade-use", Body(other, TestCodes.BatteryCode('M'), 30m), ApiFixture.Json), "product"));
        Assert.Equal("received", (await StateAsync(cascader, other)).GetProperty("status").GetString());
    }
}
