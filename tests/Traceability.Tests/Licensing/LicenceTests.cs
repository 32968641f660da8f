using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Licensing;

public sealed class LicenceTests(ApiFixture api) : ApiTest(api)
{
    static object Body(string activity = "recycle", string group = "power-battery", string validFrom = "2026-01-01", string validTo = "2026-12-31", decimal capacity = 20_000m) =>
        new { activity, categoryGroup = group, validFrom, validTo, capacityTonnesPerYear = capacity };

    [Fact]
    public async Task a_granted_licence_is_listed_with_its_terms_and_a_revocation_keeps_it_on_the_list()
    {
        var (id, enterprise) = await Api.EnterpriseAsync("320700", "recycler");
        var granted = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{id}/licences", Body(), ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var licenceId = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var revoked = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{id}/licences/{licenceId}/revocation",
            new { reason = "capacity inspection failed", effectiveFrom = "2026-06-01" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var again = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{id}/licences/{licenceId}/revocation", new { reason = "twice" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var listed = Assert.Single((await enterprise.GetFromJsonAsync<JsonElement>($"/api/enterprises/{id}/licences")).EnumerateArray());
        Assert.Equal(("recycle", "power-battery", "2026-01-01", "2026-12-31", 20_000m),
            (listed.GetProperty("activity").GetString(), listed.GetProperty("categoryGroup").GetString(), listed.GetProperty("validFrom").GetString(),
             listed.GetProperty("validTo").GetString(), listed.GetProperty("capacityTonnesPerYear").GetDecimal()));
        Assert.Equal("2026-06-01", listed.GetProperty("revocation").GetProperty("effectiveFrom").GetString());
    }

    [Fact]
    public async Task bad_licence_terms_are_refused_naming_each_field()
    {
        var (id, _) = await Api.EnterpriseAsync("320700", "recycler");
        var response = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{id}/licences",
            Body(group: "batteries", validFrom: "2026-12-31", validTo: "2026-01-01", capacity: 0), ApiFixture.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Chain.ProblemAsync(response);
        var errors = problem.GetProperty("errors");
        Assert.Contains("is not one of", errors.GetProperty("categoryGroup")[0].GetString());
        Assert.Contains("must not precede", errors.GetProperty("validTo")[0].GetString());
        Assert.Contains("greater than 0", errors.GetProperty("capacityTonnesPerYear")[0].GetString());
        var unknownActivity = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{id}/licences", new { activity = "melt", categoryGroup = "weee" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.BadRequest, unknownActivity.StatusCode);
        Assert.StartsWith("activity:", (await Chain.ProblemAsync(unknownActivity)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task a_city_regulator_keeps_only_its_citys_licences_and_the_register_is_public_to_every_key()
    {
        var (wuxi, _) = await Api.EnterpriseAsync("320200", "recycler");
        var (lyg, lygClient) = await Api.EnterpriseAsync("320700", "recycler");
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320200" }));

        Assert.Equal(HttpStatusCode.Created, (await regulator.PostAsJsonAsync($"/api/enterprises/{wuxi}/licences", Body(), ApiFixture.Json)).StatusCode);
        var elsewhere = await regulator.PostAsJsonAsync($"/api/enterprises/{lyg}/licences", Body(), ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        Assert.Contains("320700", (await Chain.ProblemAsync(elsewhere)).GetProperty("detail").GetString());

        // Licence registers are public in China: another enterprise reads them, as the dispatch refusal would tell it anyway.
        var register = await lygClient.GetFromJsonAsync<JsonElement>($"/api/enterprises/{wuxi}/licences");
        Assert.Equal(wuxi, Assert.Single(register.EnumerateArray()).GetProperty("enterpriseId").GetString());
        var statistician = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" }));
        Assert.Equal(HttpStatusCode.OK, (await statistician.GetAsync($"/api/enterprises/{wuxi}/licences")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lygClient.GetAsync("/api/enterprises/91320200MA1AAAA01Y/licences")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await lygClient.PostAsJsonAsync($"/api/enterprises/{lyg}/licences", Body(), ApiFixture.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Admin().PostAsJsonAsync("/api/enterprises/91320200MA1AAAA01Y/licences", Body(), ApiFixture.Json)).StatusCode);
    }

    [Fact]
    public async Task operations_are_judged_by_the_licence_valid_on_the_day_they_occurred()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var recycler = await chain.PartyAsync("320700", "recycler");
        // Valid only through 31 October 2026 (China dates); the chain's steps are in November.
        await Api.GrantAsync(recycler.Id, "recycle", "power-battery", "2026-01-01", "2026-10-31");
        var pack = await chain.RegisterAsync(dealer, "power-battery", 400m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode() });

        var refused = await dealer.Client.PostAsJsonAsync($"/api/batches/{pack}/dispatches", new { to = recycler.Id, massKg = 400m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var missing = await Chain.FieldRuleAsync(refused, "licence");
        Assert.Contains("a general licence to collect or store", missing);
        Assert.Contains("power-battery, valid on 2026-11-01", missing);

        var current = await Api.GrantAsync(recycler.Id, "recycle", "power-battery", "2026-11-01", "2027-10-31");
        await chain.TransferAsync(dealer, recycler, pack, 400m);
        // Revoked from 1 November: the recycler still holds the pack but may no longer recycle it.
        var revoke = await Api.Admin().PostAsJsonAsync($"/api/enterprises/{recycler.Id}/licences/{current.GetProperty("id").GetGuid()}/revocation",
            new { reason = "workshop-style dismantling found", effectiveFrom = "2026-11-01" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var recycle = await recycler.Client.PostAsJsonAsync($"/api/batches/{pack}/fates",
            new { fate = "recycling", massKg = 400m, outputs = new[] { Chain.Out("black-mass", 400m) }, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, recycle.StatusCode);
        Assert.Equal("a power battery white-list entry of kind recycling, valid on 2026-11-01", await Chain.FieldRuleAsync(recycle, "licence"));
    }
}
