using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Traceability.Access;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Access;

public sealed class AccessTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task requests_without_a_key_or_with_an_unknown_key_get_401_problems()
    {
        var none = await Api.ClientWithKey(null).PostAsJsonAsync("/api/enterprises", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(401, (await Chain.ProblemAsync(none)).GetProperty("status").GetInt32());

        var forged = await Api.ClientWithKey($"trc_{Guid.NewGuid():N}_not-a-secret").GetAsync($"/api/batches/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task a_key_of_the_wrong_role_gets_a_403_problem_naming_who_may_call()
    {
        var (_, enterprise) = await Api.EnterpriseAsync("320200", "generator");

        var response = await enterprise.PostAsJsonAsync("/api/api-keys", new { role = "regulator" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("administrator", (await Chain.ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task an_issued_key_is_stored_only_as_a_hash_and_stops_working_once_revoked()
    {
        var (enterpriseId, _) = await Api.EnterpriseAsync("320200", "generator");
        var issued = await Api.Admin().PostAsJsonAsync("/api/api-keys", new { role = "enterprise", enterpriseId }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var keyId = body.GetProperty("id").GetGuid();

        await using (var session = Api.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            var stored = await session.LoadAsync<ApiKey>(keyId);
            Assert.NotNull(stored);
            var json = await session.Json.FindByIdAsync<ApiKey>(keyId);
            Assert.DoesNotContain(key.Split('_', 3)[2], json);
            Assert.Equal(ApiKey.Hash(key.Split('_', 3)[2]), stored.SecretHash);
        }

        var client = Api.ClientWithKey(key);
        Assert.Equal(HttpStatusCode.Created, (await Chain.Register(client, new { category = "weee", massKg = 3m, occurredAt = Chain.Generated })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Api.Admin().DeleteAsync($"/api/api-keys/{keyId}")).StatusCode);
        var afterRevocation = await Chain.Register(client, new { category = "weee", massKg = 3m, occurredAt = Chain.Generated });
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevocation.StatusCode);
        Assert.Contains("revoked", (await Chain.ProblemAsync(afterRevocation)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Admin().DeleteAsync($"/api/api-keys/{Guid.NewGuid()}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"role": "enterprise"}""", "enterpriseId", "is required")]
    [InlineData("""{"role": "regulator", "city": "999999"}""", "city", "GB/T 2260")]
    [InlineData("""{"role": "statistician", "enterpriseId": "91320200MA1AAAA01Y"}""", "enterpriseId", "only for enterprise keys")]
    [InlineData("""{"city": "320200"}""", "role", "is required")]
    public async Task a_bad_key_request_is_a_problem_naming_the_field(string body, string field, string rule)
    {
        var response = await Api.Admin().PostAsync("/api/api-keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(rule, await Chain.FieldRuleAsync(response, field));
    }

    [Fact]
    public async Task a_key_for_an_unregistered_enterprise_is_refused()
    {
        var response = await Api.Admin().PostAsJsonAsync("/api/api-keys", new { role = "enterprise", enterpriseId = TestCodes.SocialCreditCode("320200") });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no enterprise", await Chain.FieldRuleAsync(response, "enterpriseId"));
    }
}
