using System.Net;

namespace Traceability.Tests.Hosting;

public sealed class HealthTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task live_and_ready_answer_anyone_without_a_key_and_ready_reads_the_database_and_the_daemon()
    {
        var anyone = Api.ClientWithKey(null);

        var live = await anyone.GetAsync("/health/live");
        var ready = await anyone.GetAsync("/health/ready");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
    }
}
