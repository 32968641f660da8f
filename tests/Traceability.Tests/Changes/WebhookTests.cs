using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Changes;

/// <summary>A webhook receiver inside the test process, on Kestrel: it keeps what it was sent and answers as told.</summary>
public sealed class Receiver : IAsyncDisposable
{
    readonly WebApplication _app;
    public ConcurrentQueue<(string Signature, string Delivery, string Body)> Received { get; } = new();
    public ConcurrentQueue<string> Attempts { get; } = new();

    /// <summary>The status to answer an attempt, from its delivery id and the attempts of that id so far.</summary>
    public Func<string, int, int> Answer { get; set; } = (_, _) => 200;

    public string Url { get; private set; } = "";

    Receiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext http) =>
        {
            var delivery = http.Request.Headers["X-Traceability-Delivery"].ToString();
            Attempts.Enqueue(delivery);
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var status = Answer(delivery, Attempts.Count(a => a == delivery));
            if (status < 300) Received.Enqueue((http.Request.Headers["X-Traceability-Signature"].ToString(), delivery, body));
            return Results.StatusCode(status);
        });
    }

    public static async Task<Receiver> StartAsync()
    {
        var receiver = new Receiver();
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return receiver;
    }

    public async Task<List<(string Signature, string Delivery, JsonElement Body)>> WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(Received.Count >= count, $"the receiver got {Received.Count} of {count} deliveries");
        return [.. Received.Select(r => (r.Signature, r.Delivery, JsonDocument.Parse(r.Body).RootElement.Clone()))];
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>Webhooks over HTTP: visible events delivered signed and in order, retried, their state shown; refusals.</summary>
public sealed class WebhookTests(ApiFixture api) : ApiTest(api)
{
    static async Task<(Guid Id, string Secret)> RegisterAsync(HttpClient client, string url)
    {
        var response = await client.PostAsJsonAsync("/api/webhooks", new { url }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("webhook").GetProperty("id").GetGuid(), body.GetProperty("secret").GetString()!);
    }

    static bool Signed(string secret, string signature, JsonElement body)
    {
        var parts = signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{body.GetRawText()}"));
        return Convert.ToHexString(expected).Equals(parts["v1"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task every_visible_event_is_posted_signed_in_order_and_the_state_shows_it()
    {
        await using var receiver = await Receiver.StartAsync();
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (collectorId, _) = await Api.LicensedAsync("320500", "collector", "construction-waste", "collect");
        var (_, stranger) = await Api.EnterpriseAsync("320200", "generator");
        var (hook, secret) = await RegisterAsync(generator, receiver.Url);

        var a = await Chain.RegisterAsync(generator, 100m);
        await Chain.RegisterAsync(stranger, 300m);
        var b = await Chain.RegisterAsync(generator, 200m);
        await Chain.DispatchAsync(generator, a, collectorId, 100m);

        var delivered = await receiver.WaitForAsync(3);
        await Task.Delay(500);
        Assert.Equal(3, receiver.Received.Count);
        Assert.Equal([(a, "batch_generated"), (b, "batch_generated"), (a, "batch_dispatched")],
            delivered.Select(d => (d.Body.GetProperty("event").GetProperty("batchId").GetGuid(), d.Body.GetProperty("event").GetProperty("type").GetString())));
        Assert.All(delivered, d => Assert.True(Signed(secret, d.Signature, d.Body), $"bad signature {d.Signature}"));
        Assert.False(Signed("whsec_another", delivered[0].Signature, delivered[0].Body));
        Assert.All(delivered, d => Assert.Equal(hook, d.Body.GetProperty("subscriptionId").GetGuid()));
        Assert.Equal(delivered.Select(d => d.Delivery), delivered.Select(d => $"{hook}:{d.Body.GetProperty("event").GetProperty("cursor").GetString()}"));

        var state = await generator.GetFromJsonAsync<JsonElement>($"/api/webhooks/{hook}");
        Assert.Equal("up-to-date", state.GetProperty("state").GetString());
        Assert.Equal(3, state.GetProperty("deliveredCount").GetInt64());
        Assert.False(state.TryGetProperty("secret", out _));
        Assert.Equal(hook, Assert.Single((await generator.GetFromJsonAsync<JsonElement>("/api/webhooks")).EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task a_refusing_receiver_is_retried_and_nothing_overtakes_the_event_it_refused()
    {
        await using var receiver = await Receiver.StartAsync();
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (hook, _) = await RegisterAsync(generator, receiver.Url);
        string? refused = null;
        // The first event is refused twice, then taken.
        receiver.Answer = (delivery, attempt) => (refused ??= delivery) == delivery && attempt <= 2 ? 503 : 200;

        var first = await Chain.RegisterAsync(generator, 1m);
        var second = await Chain.RegisterAsync(generator, 2m);
        var third = await Chain.RegisterAsync(generator, 3m);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        JsonElement state;
        do state = await generator.GetFromJsonAsync<JsonElement>($"/api/webhooks/{hook}");
        while (state.GetProperty("failures").GetInt32() == 0 && receiver.Received.IsEmpty && DateTime.UtcNow < deadline);
        Assert.Equal("retrying", state.GetProperty("state").GetString());
        Assert.Equal(503, state.GetProperty("lastStatus").GetInt32());
        Assert.Contains("503", state.GetProperty("lastError").GetString());

        var delivered = await receiver.WaitForAsync(3);
        Assert.Equal([first, second, third], delivered.Select(d => d.Body.GetProperty("event").GetProperty("batchId").GetGuid()));
        Assert.Equal(3, receiver.Attempts.Count(a => a == refused));
        state = await generator.GetFromJsonAsync<JsonElement>($"/api/webhooks/{hook}");
        Assert.Equal(0, state.GetProperty("failures").GetInt32());
    }

    [Theory]
    [InlineData(null, "url", "is required")]
    [InlineData("ftp://example.org/hook", "url", "https")]
    [InlineData("not a url", "url", "absolute")]
    [InlineData("https://user:pass@example.org/hook", "url", "user name")]
    [InlineData("LONG", "url", "2000")]
    public async Task a_bad_url_is_a_400_naming_it(string? url, string field, string rule)
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var response = await generator.PostAsJsonAsync("/api/webhooks", new { url = url == "LONG" ? "https://example.org/" + new string('a', 2000) : url }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(rule, await Chain.FieldRuleAsync(response, field));
    }

    [Fact]
    public async Task webhooks_are_their_owners_alone_bounded_in_number_and_closed_to_the_administrator()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (_, other) = await Api.EnterpriseAsync("320200", "generator");
        var (hook, _) = await RegisterAsync(generator, "http://127.0.0.1:9/hook");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/webhooks/{hook}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/webhooks/{hook}")).StatusCode);
        Assert.Equal(0, (await other.GetFromJsonAsync<JsonElement>("/api/webhooks")).GetArrayLength());
        var badCursor = await generator.PostAsJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/hook", after = "x" }, ApiFixture.Json);
        Assert.Contains("cursor", await Chain.FieldRuleAsync(badCursor, "after"));

        for (var i = 1; i < 10; i++) await RegisterAsync(generator, $"http://127.0.0.1:9/hook{i}");
        var eleventh = await generator.PostAsJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/more" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, eleventh.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await generator.DeleteAsync($"/api/webhooks/{hook}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await generator.GetAsync($"/api/webhooks/{hook}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.Admin().PostAsJsonAsync("/api/webhooks", new { url = "https://example.org/h" })).StatusCode);
    }
}

public sealed class WebhookAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void private_addresses_are_told_apart_from_public_ones(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, Traceability.Changes.Webhooks.WebhookEndpoints.IsPrivate(IPAddress.Parse(address)));
}
