using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.Events.Daemon;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Traceability.Tests.Lifecycle;

namespace Traceability.Tests.Hosting;

/// <summary>One API node of a deployment of several on one database: projections elected (HotCold), Wolverine balanced.</summary>
public sealed class Node(string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Traceability", connectionString);
        builder.UseSetting("Traceability:DaemonMode", "HotCold");
    }

    public HttpClient Client(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>How many projection agents this node's daemon runs: the elected node runs them all, the other none.</summary>
    public int Agents => Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>().DaemonForMainDatabase().CurrentAgents().Count;
}

/// <summary>
/// Two nodes on one database of their own: writes on both, the projections run on one, a revocation heard on the
/// other at once, and the node that is stopped mid-load loses nothing of what it acknowledged while the other takes
/// the projections over.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TwoNodeTests(ApiFixture api)
{
    [Fact]
    public async Task two_nodes_share_the_writes_elect_one_projection_runner_and_survive_losing_one()
    {
        _ = api; // the cluster the api collection started
        var database = $"two_nodes_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestCluster.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connection = new NpgsqlConnectionStringBuilder(TestCluster.ConnectionString) { Database = database }.ConnectionString;
        await using var a = new Node(connection);
        await using var b = new Node(connection);
        var adminA = a.Client(ApiFixture.AdminKey);
        var adminB = b.Client(ApiFixture.AdminKey);

        // Reference data written on one node is read on the other.
        var generatorId = TestCodes.SocialCreditCode("320200");
        (await adminA.PostAsJsonAsync("/api/enterprises", new { id = generatorId, name = "G", city = "320200", roles = new[] { "generator" } }, ApiFixture.Json)).EnsureSuccessStatusCode();
        var key = (await (await adminB.PostAsJsonAsync("/api/api-keys", new { role = "enterprise", enterpriseId = generatorId }, ApiFixture.Json))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var statistician = (await (await adminA.PostAsJsonAsync("/api/api-keys", new { role = "statistician" }, ApiFixture.Json))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var (onA, onB) = (a.Client(key), b.Client(key));

        // Writes on both nodes; each reads what the other wrote.
        var written = new List<Guid>();
        for (var i = 0; i < 10; i++) written.Add(await Chain.RegisterAsync(i % 2 == 0 ? onA : onB, 10m + i));
        foreach (var id in written) Assert.Equal(HttpStatusCode.OK, (await (written.IndexOf(id) % 2 == 0 ? onB : onA).GetAsync($"/api/batches/{id}")).StatusCode);

        // One node runs the projections, not both.
        await Eventually(() => a.Agents + b.Agents > 0, "no node took the projections");
        Assert.True(a.Agents == 0 || b.Agents == 0, $"both nodes run projections ({a.Agents} and {b.Agents})");

        // A key revoked through one node is refused by the other.
        var doomed = (await (await adminA.PostAsJsonAsync("/api/api-keys", new { role = "regulator" }, ApiFixture.Json)).Content.ReadFromJsonAsync<JsonElement>());
        var doomedOnB = b.Client(doomed.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await doomedOnB.GetAsync($"/api/batches/{written[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await adminA.DeleteAsync($"/api/api-keys/{doomed.GetProperty("id").GetGuid()}")).StatusCode);
        await Eventually(async () => (await doomedOnB.GetAsync($"/api/batches/{written[0]}")).StatusCode == HttpStatusCode.Unauthorized,
            "node B still accepts a key revoked through node A", TimeSpan.FromSeconds(2));

        // Load on both; the elected node is stopped in the middle of it. Every write either node acknowledged is kept,
        // and the survivor takes the projections over and counts them all.
        var (leader, survivor, onLeader, onSurvivor) = a.Agents > 0 ? (a, b, onA, onB) : (b, a, onB, onA);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<Guid>(written);
        using var stop = new CancellationTokenSource();
        async Task WriteAsync(HttpClient client)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var response = await client.PostAsJsonAsync("/api/batches", new { category = "construction-waste", massKg = 5m, occurredAt = Chain.Generated }, ApiFixture.Json);
                    if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
                {
                    // The stopped node's requests fail; what failed was not acknowledged, and is not counted.
                    if (client == onSurvivor) throw;
                    return;
                }
            }
        }
        var load = new[] { WriteAsync(onLeader), WriteAsync(onSurvivor) };
        await Task.Delay(1500);
        await leader.DisposeAsync();
        await Task.Delay(1000);
        stop.Cancel();
        await Task.WhenAll(load);

        await Eventually(() => survivor.Agents > 0, "the surviving node did not take the projections over", TimeSpan.FromSeconds(60));
        var survivorClient = survivor.Client(key);
        foreach (var id in acknowledged) Assert.Equal(HttpStatusCode.OK, (await survivorClient.GetAsync($"/api/batches/{id}")).StatusCode);
        var stats = survivor.Client(statistician);
        await Eventually(async () =>
        {
            var freshness = await stats.GetFromJsonAsync<JsonElement>("/api/statistics/freshness");
            return freshness.GetProperty("lagEvents").GetInt64() == 0 && freshness.GetProperty("lastEvent").GetInt64() >= acknowledged.Count;
        }, "the survivor's projections did not catch up with every acknowledged write", TimeSpan.FromSeconds(60));
    }

    static Task Eventually(Func<bool> condition, string failure, TimeSpan? within = null) => Eventually(() => Task.FromResult(condition()), failure, within);

    static async Task Eventually(Func<Task<bool>> condition, string failure, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }
}
