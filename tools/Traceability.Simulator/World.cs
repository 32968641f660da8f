using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Enterprises;

namespace Traceability.Simulator;

/// <summary>
/// The simulated enterprises, registered through the administrator's API with the licences the law asks of them:
/// per city, generators (sites, dealers, collection points), a construction-waste sorter that also recycles scrap
/// metal, a WEEE treatment plant; and white-listed battery recyclers in the first two cities.
/// </summary>
public sealed class World
{
    readonly List<Party> _parties = [];

    public IReadOnlyList<Party> Parties => _parties;

    public Party Pick(Random random, string role, string? city = null)
    {
        var candidates = _parties.Where(p => p.Role == role && (city is null || p.City == city)).ToList();
        if (candidates.Count == 0) candidates = [.. _parties.Where(p => p.Role == role)];
        return candidates[random.Next(candidates.Count)];
    }

    const string CodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    static string SocialCreditCode(string city, Random random)
    {
        var stem = $"91{city}MA{new string([.. Enumerable.Range(0, 7).Select(_ => CodeAlphabet[random.Next(CodeAlphabet.Length)])])}";
        return stem + Enterprises.SocialCreditCode.CheckCharacter(stem);
    }

    /// <summary>A GB/T 34014 pack code with a real production date (March 2022).</summary>
    public static string BatteryCode(Random random) => $"0CAPE01{random.Next(1_000_000, 9_999_999)}N3F{random.Next(1_000_000, 9_999_999)}";

    static readonly string[] WeeeProducts = ["weee", "weee-television", "weee-refrigerator", "weee-washing-machine", "weee-air-conditioner", "weee-computer", "weee-phone", "weee-other"];

    public static async Task<World> BuildAsync(HttpClient admin, IReadOnlyList<string> cities, Random random)
    {
        var world = new World();
        async Task<Party> Enterprise(string city, string role, string[] roles, params object[] licences)
        {
            // Codes not from the seeded random: a second run against the same service registers enterprises of its own.
            var id = SocialCreditCode(city, Random.Shared);
            await Ok(admin.PostAsJsonAsync("/api/enterprises", new { id, name = $"Simulated {role} {id[8..14]}", city, roles }));
            foreach (var licence in licences) await Ok(admin.PostAsJsonAsync($"/api/enterprises/{id}/licences", licence));
            var key = await Ok(admin.PostAsJsonAsync("/api/api-keys", new { role = "enterprise", enterpriseId = id }));
            var party = new Party(id, city, role, key.GetProperty("key").GetString()!);
            world._parties.Add(party);
            return party;
        }
        const string from = "2020-01-01", to = "2035-12-31";
        const decimal scale = 10_000_000m;
        foreach (var (city, i) in cities.Select((c, i) => (c, i)))
        {
            for (var g = 0; g < 3; g++) await Enterprise(city, "generator", ["generator"]);
            await Enterprise(city, "sorter", ["collector", "sorter", "recycler"],
                new { kind = "construction-waste", validFrom = from, validTo = to, capacityTonnesPerYear = scale },
                new { activity = "recycle", categoryGroup = "renewable-resource", validFrom = from, validTo = to, capacityTonnesPerYear = scale });
            await Enterprise(city, "weee-plant", ["collector", "dismantler", "recycler"],
                new { kind = "weee-treatment", products = WeeeProducts, validFrom = from, validTo = to, capacityTonnesPerYear = scale });
            if (i < 2)
                await Enterprise(city, "battery-recycler", ["collector", "dismantler", "recycler"],
                    new { kind = "battery-white-list", whiteList = "recycling", validFrom = from, validTo = to, capacityTonnesPerYear = scale });
        }
        return world;
    }

    static async Task<JsonElement> Ok(Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static HttpClient Client(Uri service, string key)
    {
        var client = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
