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

    [Fact]
    public async Task metrics_are_prometheus_text_with_requests_events_appended_and_projection_lag()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        await Lifecycle.Chain.RegisterAsync(generator);

        var metrics = await Api.ClientWithKey(null).GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("traceability_events_appended", text);
        Assert.Contains("type=\"BatchGenerated\"", text);
        Assert.Contains("http_server_request_duration_seconds", text);
        Assert.Contains("traceability_projection_lag", text);
    }
}
