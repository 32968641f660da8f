using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Enterprises;

public sealed class RegisterEnterpriseTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task an_enterprise_is_registered_once_and_the_same_code_again_is_409()
    {
        var id = TestCodes.SocialCreditCode("320200");
        var body = new { id, name = "无锡市再生资源回收有限公司", city = "320200", roles = new[] { "collector", "recycler" } };

        var first = await Api.Admin().PostAsJsonAsync("/api/enterprises", body, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("320200", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("city").GetString());

        var again = await Api.Admin().PostAsJsonAsync("/api/enterprises", body with { name = "Another" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already registered", await Chain.FieldRuleAsync(again, "id"));
    }

    [Theory]
    [InlineData("91320200MA1AAAA01Z", "id", "does not use")]
    [InlineData("91320200MA1AAAA010", "id", "check character")]
    [InlineData("91320200", "id", "18 characters")]
    [InlineData("91320200MA1AAAA01Y", "city", "GB/T 2260")]
    [InlineData("91320200MA1AAAA01Y", "roles", "is not one of")]
    public async Task a_bad_registration_is_a_problem_naming_the_field_and_rule(string id, string field, string rule)
    {
        var body = new { id, name = "X", city = field == "city" ? "329999" : "320200", roles = field == "roles" ? new[] { "smelter" } : ["collector"] };

        var response = await Api.Admin().PostAsJsonAsync("/api/enterprises", body, ApiFixture.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(rule, await Chain.FieldRuleAsync(response, field));
    }
}
