using System.Net;
using System.Net.Http.Json;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Batches;

public sealed class ConcurrencyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_write_with_a_stale_if_match_version_is_a_conflict()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, _) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);
        var etag = (await generator.GetAsync($"/api/batches/{id}")).Headers.ETag?.Tag;
        Assert.Equal("\"1\"", etag);

        using var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/batches/{id}/dispatches")
        {
            Content = JsonContent.Create(new { to = recyclerId, massKg = 1000m, occurredAt = Dispatched }, options: ApiFixture.Json),
        };
        stale.Headers.TryAddWithoutValidation("If-Match", "7");
        var conflict = await generator.SendAsync(stale);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("version 1", (await ProblemAsync(conflict)).GetProperty("detail").GetString());

        using var current = new HttpRequestMessage(HttpMethod.Post, $"/api/batches/{id}/dispatches")
        {
            Content = JsonContent.Create(new { to = recyclerId, massKg = 1000m, occurredAt = Dispatched }, options: ApiFixture.Json),
        };
        current.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.Equal(HttpStatusCode.Created, (await generator.SendAsync(current)).StatusCode);
    }

    [Fact]
    public async Task concurrent_dispatches_of_one_batch_let_exactly_one_win_and_the_rest_get_409()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var addressees = new List<string>();
        for (var i = 0; i < 6; i++) addressees.Add((await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle")).Id);
        var id = await RegisterAsync(generator);

        var responses = await Task.WhenAll(addressees.Select(to => Dispatch(generator, id, new { to, massKg = 1000m, occurredAt = Dispatched })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(2, (await StateAsync(generator, id)).GetProperty("version").GetInt64());
    }
}
