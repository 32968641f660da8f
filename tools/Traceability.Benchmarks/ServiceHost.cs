using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Traceability.Benchmarks;

/// <summary>
/// The service in process, on the benchmark's database: through the in-memory test server, or on Kestrel with real
/// sockets (<paramref name="port"/>) when the figure is meant to include HTTP itself. Wolverine looks for handlers
/// in the entry assembly, which here is the benchmark's: it is pointed at the service's.
/// </summary>
public sealed class ServiceHost : WebApplicationFactory<Traceability.Batches.Batch>
{
    public const string AdminKey = "benchmark-admin-key";

    public ServiceHost(string connectionString, int? port = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        Environment.SetEnvironmentVariable("TRACEABILITY_DB", connectionString);
        Environment.SetEnvironmentVariable("TRACEABILITY_ADMIN_KEY", AdminKey);
        Environment.SetEnvironmentVariable("Traceability__DaemonMode", "Solo");
        Environment.SetEnvironmentVariable("Integrity__RootMinutes", "0");
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) Environment.SetEnvironmentVariable(name, value);
        // The service runs its JasperFx command line; hosted in process, it must simply start.
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
        // The service's content root is where it runs from here: its seeds and settings are copied beside the benchmark.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TRACEABILITY_API", AppContext.BaseDirectory);
        if (port is { } p)
        {
            UseKestrel(p);
            StartServer();
        }
    }

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureServices(services => Wolverine.HostBuilderExtensions.ConfigureWolverine(services,
            o => o.ApplicationAssembly = typeof(Traceability.Batches.Batch).Assembly));

    public HttpClient Client(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        client.Timeout = TimeSpan.FromMinutes(10);
        return client;
    }

    /// <summary>Registers an enterprise and answers a key for it.</summary>
    public async Task<string> EnterpriseAsync(string id, string city, params string[] roles)
    {
        var admin = Client(AdminKey);
        (await admin.PostAsJsonAsync("/api/enterprises", new { id, name = $"Benchmark {id}", city, roles })).EnsureSuccessStatusCode();
        return await KeyAsync(new { role = "enterprise", enterpriseId = id });
    }

    public async Task<string> KeyAsync(object body)
    {
        var response = await Client(AdminKey).PostAsJsonAsync("/api/api-keys", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    public async Task GrantAsync(string enterprise, object licence) =>
        (await Client(AdminKey).PostAsJsonAsync($"/api/enterprises/{enterprise}/licences", licence)).EnsureSuccessStatusCode();
}
