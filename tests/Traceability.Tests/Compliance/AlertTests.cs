using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Compliance;

/// <summary>Each compliance rule raised by what enterprises post (or by the deadline it set), listed and closed by regulators.</summary>
public sealed class AlertTests(ApiFixture api) : ApiTest(api)
{
    static readonly Instant Now = SystemClock.Instance.GetCurrentInstant();

    static string Ago(Duration duration) => InstantPattern.General.Format(Now - duration);

    async Task<HttpClient> NationalRegulatorAsync() => Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));

    /// <summary>The alerts of a rule on a batch, once the rules the committed events set off have run.</summary>
    async Task<JsonElement[]> AlertsAsync(HttpClient regulator, string rule, Guid batch)
    {
        await Api.SettledAsync();
        return [.. (await regulator.GetFromJsonAsync<JsonElement>($"/api/alerts?rule={rule}")).EnumerateArray().Where(a => a.GetProperty("batchId").GetGuid() == batch)];
    }

    /// <summary>The one alert a deadline already past raised: <see cref="ApiFixture.SettledAsync"/> waits for due scheduled messages too.</summary>
    async Task<JsonElement> EventuallyAsync(HttpClient regulator, string rule, Guid batch) => Assert.Single(await AlertsAsync(regulator, rule, batch));

    [Fact]
    public async Task a_dispatch_open_beyond_72_hours_is_raised_by_its_scheduled_deadline_and_one_within_is_not()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, _) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        async Task<Guid> RegisterAsync(Duration ago) => (await (await Chain.Register(generator, new { category = "construction-spoil", massKg = 1000m, occurredAt = Ago(ago) }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var stale = await RegisterAsync(Duration.FromHours(100));
        var fresh = await RegisterAsync(Duration.FromHours(2));
        // Dispatched 73 hours ago (a late report): its deadline has passed. The other an hour ago: 71 hours to go.
        Assert.Equal(HttpStatusCode.Created, (await Chain.Dispatch(generator, stale, new { to = recyclerId, massKg = 1000m, occurredAt = Ago(Duration.FromHours(73)), vehiclePlate = "苏B12345" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Chain.Dispatch(generator, fresh, new { to = recyclerId, massKg = 1000m, occurredAt = Ago(Duration.FromHours(1)) })).StatusCode);
        var regulator = await NationalRegulatorAsync();

        var alert = await EventuallyAsync(regulator, "in-transit-too-long", stale);

        Assert.Contains("neither received nor rejected after 72 hours", alert.GetProperty("evidence").GetString());
        Assert.Contains("苏B12345", alert.GetProperty("evidence").GetString());
        Assert.Contains(recyclerId, alert.GetProperty("enterprises").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["320200", "320700"], alert.GetProperty("cities").EnumerateArray().Select(c => c.GetString()));
        Assert.Empty(await AlertsAsync(regulator, "in-transit-too-long", fresh));
    }

    [Fact]
    public async Task a_receipt_discrepancy_is_an_alert_regulators_of_the_cities_it_touches_see_and_close_once()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var batch = await Chain.RegisterAsync(generator);
        var manifest = await Chain.DispatchAsync(generator, batch, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await Chain.Receive(recycler, batch, manifest, 900m)).StatusCode);
        var lianyungang = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320700" }));
        var zhengzhou = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "410100" }));

        var alert = Assert.Single(await AlertsAsync(lianyungang, "receipt-discrepancy", batch));
        Assert.Contains("weighed 900 kg", alert.GetProperty("evidence").GetString());
        Assert.Empty(await AlertsAsync(zhengzhou, "receipt-discrepancy", batch));
        Assert.Equal(HttpStatusCode.BadRequest, (await zhengzhou.GetAsync("/api/alerts?city=320700")).StatusCode);

        var id = alert.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await zhengzhou.PostAsJsonAsync($"/api/alerts/{id}/resolution", new { note = "not mine" })).StatusCode);
        var resolved = await lianyungang.PostAsJsonAsync($"/api/alerts/{id}/resolution", new { note = "weighbridge recalibrated; 100 kg of water drained in transit" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await lianyungang.PostAsJsonAsync($"/api/alerts/{id}/resolution", new { note = "again" })).StatusCode);
        var closed = Assert.Single((await lianyungang.GetFromJsonAsync<JsonElement>("/api/alerts?status=resolved")).EnumerateArray());
        Assert.Equal("weighbridge recalibrated; 100 kg of water drained in transit", closed.GetProperty("resolution").GetProperty("note").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await recycler.GetAsync("/api/alerts")).StatusCode);
    }

    [Fact]
    public async Task hazardous_waste_stored_beyond_a_year_is_raised_when_its_deadline_comes()
    {
        var (_, plant) = await Api.EnterpriseAsync("320200", "generator");
        var registered = await Chain.Register(plant, new { category = "hw49", massKg = 800m, occurredAt = Ago(Duration.FromDays(366)), wasteCode = "900-041-49" });
        var batch = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var alert = await EventuallyAsync(await NationalRegulatorAsync(), "storage-too-long", batch);

        Assert.Contains("beyond the 365-day limit for hw49", alert.GetProperty("evidence").GetString());
    }

    [Fact]
    public async Task a_power_battery_disposed_of_without_passing_a_licensed_recycler_is_raised()
    {
        var chain = new Chain(Api);
        var dealer = await chain.PartyAsync("320200", "generator");
        var disposer = await chain.PartyAsync("320700", "disposer", "power-battery", "dispose");
        var pack = await chain.RegisterAsync(dealer, "power-battery", 400m, 1, new { kind = "battery-code", value = TestCodes.BatteryCode() });
        await chain.TransferAsync(dealer, disposer, pack, 400m);
        await chain.FateAsync(disposer, pack, "disposal", 400m, method: "landfill");

        var alert = Assert.Single(await AlertsAsync(await NationalRegulatorAsync(), "left-chain-unrecycled", pack));
        Assert.Contains("licence to recycle power-battery", alert.GetProperty("evidence").GetString());
    }

    [Fact]
    public async Task repeated_registrations_of_a_held_vin_are_raised_on_the_second_refusal()
    {
        var (_, owner) = await Api.EnterpriseAsync("410100", "generator");
        var (_, other) = await Api.EnterpriseAsync("320200", "generator");
        var vin = TestCodes.Vin();
        var body = new { category = "scrapped-vehicle", massKg = 1200m, identifier = new { kind = "vin", value = vin }, occurredAt = Chain.Generated };
        var vehicle = (await (await Chain.Register(owner, body)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var regulator = await NationalRegulatorAsync();

        Assert.Equal(HttpStatusCode.Conflict, (await Chain.Register(other, body)).StatusCode);
        Assert.Empty(await AlertsAsync(regulator, "repeated-identifier", vehicle));
        Assert.Equal(HttpStatusCode.Conflict, (await Chain.Register(other, body)).StatusCode);

        var alert = Assert.Single(await AlertsAsync(regulator, "repeated-identifier", vehicle));
        Assert.Contains($"2 refused registrations of vin:{vin}", alert.GetProperty("evidence").GetString());
    }

    [Fact]
    public async Task a_late_report_let_in_by_a_licence_that_has_since_expired_is_raised()
    {
        var today = Now.InZone(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).Date;
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.EnterpriseAsync("320700", "recycler");
        await Api.GrantAsync(recyclerId, "recycle", "construction-waste", "2020-01-01", today.PlusDays(-10).ToString("yyyy-MM-dd", null));
        var batch = (await (await Chain.Register(generator, new { category = "construction-spoil", massKg = 500m, occurredAt = Ago(Duration.FromDays(20)) }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var sent = await Chain.Dispatch(generator, batch, new { to = recyclerId, massKg = 500m, occurredAt = Ago(Duration.FromDays(15)) });
        var manifest = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("manifestId").GetGuid();

        // Received 14 days ago, within the licence; reported today, after it expired.
        Assert.Equal(HttpStatusCode.OK, (await Chain.Receive(recycler, batch, manifest, 500m, Ago(Duration.FromDays(14)))).StatusCode);

        var alert = Assert.Single(await AlertsAsync(await NationalRegulatorAsync(), "recorded-after-licence-expiry", batch));
        Assert.Equal(recyclerId, Assert.Single(alert.GetProperty("enterprises").EnumerateArray()).GetString());
    }
}

public sealed class StorageLimitTests(ApiFixture api) : ApiTest(api)
{
    static string Ago(Duration duration) => InstantPattern.General.Format(SystemClock.Instance.GetCurrentInstant() - duration);

    async Task<Guid> MedicalWasteAsync(HttpClient hospital, Duration ago) =>
        (await (await Chain.Register(hospital, new { category = "hw01", massKg = 40m, wasteCode = "841-001-01", occurredAt = Ago(ago) })).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("id").GetGuid();

    async Task<JsonElement[]> StorageAlertsAsync(HttpClient regulator, Guid batch)
    {
        await Api.SettledAsync();
        return [.. (await regulator.GetFromJsonAsync<JsonElement>("/api/alerts?rule=storage-too-long")).EnumerateArray().Where(a => a.GetProperty("batchId").GetGuid() == batch)];
    }

    [Fact]
    public async Task medical_waste_may_be_stored_two_days_not_a_year()
    {
        var (_, hospital) = await Api.EnterpriseAsync("320200", "generator");
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var old = await MedicalWasteAsync(hospital, Duration.FromDays(3));
        var fresh = await MedicalWasteAsync(hospital, Duration.FromDays(1));

        var alert = Assert.Single(await StorageAlertsAsync(regulator, old));
        Assert.Contains("beyond the 2-day limit for hw01", alert.GetProperty("evidence").GetString());
        Assert.Empty(await StorageAlertsAsync(regulator, fresh));
    }

    [Fact]
    public async Task an_approved_extension_holds_the_storage_check_until_its_last_day()
    {
        var (_, hospital) = await Api.EnterpriseAsync("320200", "generator");
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320200" }));
        var extended = await MedicalWasteAsync(hospital, Duration.FromDays(1));
        var plain = await MedicalWasteAsync(hospital, Duration.FromDays(1));
        var until = Traceability.ReferenceData.ChinaTime.DateOf(SystemClock.Instance.GetCurrentInstant()).PlusDays(5);

        var refused = await regulator.PostAsJsonAsync($"/api/batches/{extended}/storage-extensions", new { until = "2030-01-01", approvalNumber = "锡环危延〔2026〕7号", reason = "incinerator overhaul" }, ApiFixture.Json);
        Assert.Contains("at most a year past", await Chain.FieldRuleAsync(refused, "until"));
        var approved = await regulator.PostAsJsonAsync($"/api/batches/{extended}/storage-extensions",
            new { until = until.ToString("yyyy-MM-dd", null), approvalNumber = "锡环危延〔2026〕7号", reason = "incinerator overhaul" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var elsewhere = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator", city = "320700" }));
        Assert.Equal(HttpStatusCode.NotFound, (await elsewhere.PostAsJsonAsync($"/api/batches/{plain}/storage-extensions",
            new { until = until.ToString("yyyy-MM-dd", null), approvalNumber = "x", reason = "y" }, ApiFixture.Json)).StatusCode);

        // The two-day deadline comes (delivered here at once, as the durable schedule would tomorrow): only the batch without an extension is raised.
        using var scope = Api.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<Wolverine.IMessageBus>();
        foreach (var batch in new[] { extended, plain })
        {
            var state = await Chain.StateAsync(hospital, batch);
            await bus.InvokeAsync(new Traceability.Compliance.Rules.CheckStorage(batch, state.GetProperty("holder").GetString()!,
                InstantPattern.General.Parse(state.GetProperty("storedSince").GetString()!).Value.ToUnixTimeMilliseconds()));
        }
        var national = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        Assert.Empty(await StorageAlertsAsync(national, extended));
        Assert.Single(await StorageAlertsAsync(national, plain));
    }
}
