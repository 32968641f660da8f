using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Hosting;
using Wolverine;

namespace Traceability.Tests.Hosting;

/// <summary>The real service, through the real ASP.NET pipeline, on the test run's PostgreSQL; one per collection.</summary>
public sealed class ApiFixture : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-for-the-throwaway-cluster";

    public static readonly JsonSerializerOptions Json = JsonConventions.Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public ApiFixture()
    {
        // Program reads these before the host is built, so they are process settings, not test-host settings.
        Environment.SetEnvironmentVariable("TRACEABILITY_DB", TestCluster.ConnectionString);
        Environment.SetEnvironmentVariable("TRACEABILITY_ADMIN_KEY", AdminKey);
        // One test host: it runs the projections itself rather than waiting to be elected.
        Environment.SetEnvironmentVariable("Traceability__DaemonMode", "Solo");
        // Late-reported dispatches are checked at once, so a test sees the in-transit rule without waiting out the grace.
        Environment.SetEnvironmentVariable("Traceability__Compliance__LateReportGraceMinutes", "0");
        // Construction waste past its licence's yearly scale is accepted with an alert; every other kind is refused.
        Environment.SetEnvironmentVariable("Traceability__AlertOnScaleExceededFor__0", "construction-waste");
        // The webhook tests' receiver listens on plain http on loopback, which a deployment refuses by default.
        Environment.SetEnvironmentVariable("Traceability__Webhooks__AllowHttp", "true");
        Environment.SetEnvironmentVariable("Traceability__Webhooks__AllowPrivateNetworks", "true");
        JasperFxEnvironment.AutoStartHost = true;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services =>
        {
            services.UseWolverineSoloMode();
            // Deadlines already due (a late-reported dispatch) run within a tenth of a second rather than at the
            // next five-second poll, so SettledAsync returns quickly.
            services.ConfigureWolverine(o =>
            {
                o.Durability.ScheduledJobFirstExecution = TimeSpan.FromMilliseconds(50);
                o.Durability.ScheduledJobPollingTime = TimeSpan.FromMilliseconds(100);
            });
        });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TestCluster.Remove();
    }

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Admin() => ClientWithKey(AdminKey);

    /// <summary>Waits until the Wolverine work in flight is done, then empties Marten's data (and restarts the daemon) the lineage edges and the licences' year-to-date masses.</summary>
    public async Task ResetAsync()
    {
        await SettledAsync();
        // Marten's reset truncates the event tables one after another; a reader or writer still finishing from the
        // previous test (a scheduled check falling due, the lag gauge) can take the same tables in the other order,
        // and PostgreSQL then aborts one side with a deadlock. The aborted reset changed nothing, so it runs again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Services.ResetAllMartenDataAsync();
                break;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                await Task.Delay(50 * attempt);
            }
        }
        // The lineage edge table is the service's own, beside Marten's: emptied with them. So are the deadlines the previous
        // test scheduled and that are not yet due: one falling due in the next test would act there (the full suite once saw a
        // second alert where a test expected one).
        await using var connection = new Npgsql.NpgsqlConnection(TestCluster.ConnectionString);
        await connection.OpenAsync();
        await using var truncate = new Npgsql.NpgsqlCommand(
            "truncate traceability.lineage_edges, traceability.licence_usage; delete from traceability.wolverine_incoming_envelopes where status = 'Scheduled'", connection);
        await truncate.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until the async projections (the statistics) have read every stored event.</summary>
    public Task ProjectionsCaughtUpAsync() =>
        Marten.Events.TestingExtensions.WaitForNonStaleProjectionDataAsync(Services.GetRequiredService<IDocumentStore>(), TimeSpan.FromSeconds(30));

    /// <summary>
    /// Waits until every message the committed writes sent is handled, deadlines already due included: the
    /// compliance rules and deadlines run on Wolverine's durable local queues after the write's commit, so a
    /// test reads their alerts once the inbox and outbox hold nothing but deadlines still to come. Checked
    /// against Wolverine's tables, not slept on.
    /// </summary>
    public async Task SettledAsync()
    {
        var source = Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var pause = 5; ; pause = Math.Min(pause * 2, 100))
        {
            await using var pending = source.CreateCommand(
                "select (select count(*) from traceability.wolverine_incoming_envelopes where status = 'Incoming' or status = 'Scheduled' and execution_time <= now())" +
                " + (select count(*) from traceability.wolverine_outgoing_envelopes)");
            if ((long)(await pending.ExecuteScalarAsync())! == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Wolverine still had messages in flight after 30 s");
            await Task.Delay(pause);
        }
    }

    /// <summary>Registers an enterprise and issues it a key; returns its code and a client that speaks for it.</summary>
    public async Task<(string Id, HttpClient Client)> EnterpriseAsync(string city, params string[] roles)
    {
        var id = TestCodes.SocialCreditCode(city);
        var admin = Admin();
        var registered = await admin.PostAsJsonAsync("/api/enterprises", new { id, name = $"Enterprise {id}", city, roles }, Json);
        registered.EnsureSuccessStatusCode();
        return (id, ClientWithKey(await IssueKeyAsync(new { role = "enterprise", enterpriseId = id })));
    }

    /// <summary>Registers an enterprise with one role and licences for <paramref name="activities"/> on <paramref name="group"/>, valid 2020-2030.</summary>
    public async Task<(string Id, HttpClient Client)> LicensedAsync(string city, string role, string group, params string[] activities)
    {
        var (id, client) = await EnterpriseAsync(city, role);
        foreach (var activity in activities) await GrantAsync(id, activity, group);
        return (id, client);
    }

    /// <summary>
    /// Grants the licence the law issues for <paramref name="activity"/> on <paramref name="group"/> (a white-list entry
    /// for battery recycling, a hazardous waste licence for every class with the matching operation, a dismantling
    /// qualification...), or a general licence where the law names none; valid 2020-2030 unless told.
    /// </summary>
    public async Task<JsonElement> GrantAsync(string enterpriseId, string activity, string group, string validFrom = "2020-01-01", string validTo = "2030-12-31", decimal capacity = 50_000m)
    {
        var response = await Admin().PostAsJsonAsync($"/api/enterprises/{enterpriseId}/licences", LicenceBody(activity, group, validFrom, validTo, capacity), Json);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    static readonly string[] HazardousClasses =
        ["HW01", "HW02", "HW04", "HW06", "HW08", "HW12", "HW17", "HW18", "HW22", "HW29", "HW31", "HW34", "HW35", "HW45", "HW46", "HW48", "HW49", "HW50"];

    static readonly string[] WeeeProducts =
        ["weee", "weee-television", "weee-refrigerator", "weee-washing-machine", "weee-air-conditioner", "weee-computer", "weee-phone", "weee-other"];

    public static object LicenceBody(string activity, string group, string validFrom, string validTo, decimal capacity) => (group, activity) switch
    {
        ("power-battery", "recycle" or "dismantle") => new { kind = "battery-white-list", whiteList = "recycling", validFrom, validTo, capacityTonnesPerYear = capacity },
        ("power-battery", "cascade-use") => new { kind = "battery-white-list", whiteList = "cascade-use", validFrom, validTo, capacityTonnesPerYear = capacity },
        ("hazardous-waste", _) => new
        {
            kind = "hazardous-waste", wasteCodes = HazardousClasses, validFrom, validTo, capacityTonnesPerYear = capacity,
            operations = new[] { activity switch { "collect" or "transport" => "collect", "store" => "store", "dispose" => "dispose", _ => "utilize" } },
        },
        ("scrapped-vehicle", "collect" or "store" or "dismantle") => new { kind = "vehicle-dismantling", validFrom, validTo, capacityTonnesPerYear = capacity },
        ("weee", "sort" or "dismantle" or "recycle" or "dispose") => new { kind = "weee-treatment", products = WeeeProducts, validFrom, validTo, capacityTonnesPerYear = capacity },
        ("construction-waste", _) => new { kind = "construction-waste", validFrom, validTo, capacityTonnesPerYear = capacity },
        _ => new { activity, categoryGroup = group, validFrom, validTo, capacityTonnesPerYear = capacity },
    };

    public async Task<string> IssueKeyAsync(object body)
    {
        var response = await Admin().PostAsJsonAsync("/api/api-keys", body, Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

/// <summary>Each integration test starts from empty Marten data.</summary>
[Collection(ApiCollection.Name)]
public abstract class ApiTest(ApiFixture api) : IAsyncLifetime
{
    protected ApiFixture Api { get; } = api;

    public Task InitializeAsync() => Api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
