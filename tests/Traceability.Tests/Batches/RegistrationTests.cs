using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Batches;

public sealed class RegistrationTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_vehicle_is_registered_with_its_vin_and_the_generators_city()
    {
        var (generatorId, generator) = await Api.EnterpriseAsync("410100", "generator");
        var vin = TestCodes.Vin();

        var response = await Register(generator, new { category = "scrapped-vehicle", massKg = 1450m, identifier = new { kind = "vin", value = vin }, occurredAt = Generated });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var state = await StateAsync(generator, id);
        Assert.Equal("410100", state.GetProperty("city").GetString());
        Assert.Equal(generatorId, state.GetProperty("holder").GetString());
        Assert.Equal(vin, state.GetProperty("identifier").GetProperty("value").GetString());
        Assert.Equal(1, state.GetProperty("units").GetInt32());
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { """{"massKg": 10, "occurredAt": "2026-11-20T08:00:00Z"}""", "category", "is required" },
        { """{"category": "glass-bottles", "massKg": 10, "occurredAt": "2026-11-20T08:00:00Z"}""", "category", "is not a category code" },
        { """{"category": "weee", "massKg": 0, "occurredAt": "2026-11-20T08:00:00Z"}""", "massKg", "greater than 0" },
        { """{"category": "weee", "massKg": -5, "occurredAt": "2026-11-20T08:00:00Z"}""", "massKg", "greater than 0" },
        { """{"category": "weee", "massKg": 1.0001, "occurredAt": "2026-11-20T08:00:00Z"}""", "massKg", "3 decimal places" },
        { """{"category": "weee", "massKg": 10}""", "occurredAt", "is required" },
        { """{"category": "scrapped-vehicle", "massKg": 1400, "occurredAt": "2026-11-20T08:00:00Z", "identifier": {"kind": "vin", "value": "VIN"}}""".Replace("VIN", VinWithWrongCheckDigit()), "identifier.value", "check digit" },
        { """{"category": "weee", "massKg": 10, "occurredAt": "2026-11-20T08:00:00Z", "identifier": {"kind": "vin", "value": "LSVAB4187E2123456"}}""", "identifier.kind", "carries no unit identifier" },
        { """{"category": "construction-waste", "massKg": 10, "units": 3, "occurredAt": "2026-11-20T08:00:00Z"}""", "units", "not counted" },
    };

    static string VinWithWrongCheckDigit()
    {
        var vin = TestCodes.Vin().ToCharArray();
        vin[8] = vin[8] == '0' ? '1' : '0';
        return new string(vin);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task bad_input_is_a_problem_naming_the_field_and_rule_and_stores_nothing(string body, string field, string rule)
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");

        var response = await generator.PostAsync("/api/batches", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(rule, await FieldRuleAsync(response, field));
        await AssertNoBatchesAsync();
    }

    [Fact]
    public async Task a_malformed_body_is_a_problem_naming_the_field()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");

        var response = await generator.PostAsync("/api/batches",
            new StringContent("""{"category": "weee", "massKg": "heavy", "occurredAt": "2026-11-20T08:00:00Z"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("massKg:", (await ProblemAsync(response)).GetProperty("detail").GetString());
        await AssertNoBatchesAsync();
    }

    [Fact]
    public async Task a_future_occurredAt_beyond_the_skew_is_refused()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");

        var response = await Register(generator, new { category = "weee", massKg = 10m, occurredAt = DateTimeOffset.UtcNow.AddMinutes(30).ToString("yyyy-MM-ddTHH:mm:ssZ") });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ahead of the server clock", await FieldRuleAsync(response, "occurredAt"));
        await AssertNoBatchesAsync();
    }

    [Fact]
    public async Task only_a_registered_generator_may_register_a_batch()
    {
        var (_, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");

        var response = await Register(recycler, new { category = "weee", massKg = 10m, occurredAt = Generated });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("generator", (await ProblemAsync(response)).GetProperty("detail").GetString());
        await AssertNoBatchesAsync();
    }

    [Fact]
    public async Task a_retry_with_the_same_idempotency_key_returns_the_first_result_and_appends_nothing()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var body = new { category = "weee", massKg = 12.5m, occurredAt = Generated };

        async Task<HttpResponseMessage> Send(object content)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = JsonContent.Create(content, options: ApiFixture.Json) };
            request.Headers.Add("Idempotency-Key", "register-weee-1");
            return await generator.SendAsync(request);
        }

        var first = await Send(body);
        var retry = await Send(body);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(),
            (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal(1, await BatchCountAsync());

        var reused = await Send(new { category = "weee", massKg = 99m, occurredAt = Generated });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal(1, await BatchCountAsync());
    }

    [Fact]
    public async Task visibility_follows_custody_city_and_role_and_others_get_404()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var (_, stranger) = await Api.LicensedAsync("320200", "collector", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);

        var wuxiRegulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320200" }));
        var lygRegulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320700" }));
        var zzRegulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "410100" }));
        var nationalRegulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var statistician = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "statistician" }));

        Assert.Equal(HttpStatusCode.OK, (await generator.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await wuxiRegulator.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await nationalRegulator.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await statistician.GetAsync($"/api/batches/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/batches/{id}/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await recycler.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lygRegulator.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await generator.GetAsync($"/api/batches/{Guid.CreateVersion7()}")).StatusCode);

        // Once it is on its way to Lianyungang, the addressee and that city's regulators see it; Zhengzhou still does not.
        await DispatchAsync(generator, id, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await recycler.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lygRegulator.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await zzRegulator.GetAsync($"/api/batches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.Admin().GetAsync($"/api/batches/{id}")).StatusCode);
    }

    async Task<int> BatchCountAsync()
    {
        await using var session = Api.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        return await Marten.QueryableExtensions.CountAsync(session.Query<Traceability.Batches.Batch>());
    }

    async Task AssertNoBatchesAsync()
    {
        Assert.Equal(0, await BatchCountAsync());
        await using var session = Api.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        Assert.Equal(0, await Marten.QueryableExtensions.CountAsync(session.Events.QueryAllRawEvents().Where(e => e.EventTypeName.StartsWith("batch_"))));
    }
}
