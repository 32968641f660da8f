using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Traceability.ReferenceData;
using Traceability.Tests.Hosting;
using Traceability.Tests.Lifecycle;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Compliance;

public sealed class WorkingDayTests
{
    static readonly WorkingDays Calendar = WorkingDays.Load(Path.Combine(AppContext.BaseDirectory, "seeds"));

    [Theory]
    [InlineData("2026-10-10", true)]  // a Saturday made a working day for National Day
    [InlineData("2026-09-20", true)]  // a Sunday made a working day
    [InlineData("2026-10-05", false)] // National Day
    [InlineData("2026-02-16", false)] // Spring Festival
    [InlineData("2025-10-08", false)] // the eighth day of the joint National Day and Mid-Autumn holiday
    [InlineData("2026-11-21", false)] // an ordinary Saturday
    public void working_days_follow_the_state_councils_notices(string day, bool working) =>
        Assert.Equal(working, Calendar.IsWorkingDay(LocalDatePattern.Iso.Parse(day).Value));

    [Fact]
    public void fifteen_working_days_from_before_mid_autumn_run_past_national_day()
    {
        // From Thursday 24 September 2026: 25-27 Mid-Autumn, 1-7 October National Day, Saturday 10 October worked.
        Assert.Equal(new LocalDate(2026, 10, 22), Calendar.AddWorkingDays(new LocalDate(2026, 9, 24), 15));
        Assert.Equal(new LocalDate(2026, 11, 4), Calendar.AddWorkingDays(new LocalDate(2026, 9, 24), 24));
    }
}

public sealed class LateReportTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task battery_reports_past_15_working_days_are_raised_and_a_recycler_has_30()
    {
        var dealer = await Api.EnterpriseAsync("320200", "generator");
        var collector = await Api.LicensedAsync("320200", "collector", "power-battery", "collect");
        var recycler = await Api.LicensedAsync("320700", "recycler", "power-battery", "collect", "recycle");
        var start = SystemClock.Instance.GetCurrentInstant() - Duration.FromDays(35);
        string At(int hours) => InstantPattern.General.Format(start + Duration.FromHours(hours));
        var registered = await Register(dealer.Client, new { category = "power-battery", massKg = 300m, identifier = new { kind = "battery-code", value = TestCodes.BatteryCode() }, occurredAt = At(0) });
        var pack = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        async Task HandOverAsync(HttpClient from, (string Id, HttpClient Client) to, int hours)
        {
            var sent = await Dispatch(from, pack, new { to = to.Id, massKg = 300m, occurredAt = At(hours) });
            var manifest = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("manifestId").GetGuid();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await Receive(to.Client, pack, manifest, 300m, At(hours + 1))).StatusCode);
        }

        await HandOverAsync(dealer.Client, collector, 1);
        await HandOverAsync(collector.Client, recycler, 3);

        await Api.SettledAsync();
        var regulator = Api.ClientWithKey(await Api.IssueKeyAsync(new { role = "regulator" }));
        var late = (await regulator.GetFromJsonAsync<JsonElement>("/api/alerts?rule=late-report")).EnumerateArray().ToList();
        var byEnterprise = late.GroupBy(a => a.GetProperty("enterprises")[0].GetString()!).ToDictionary(g => g.Key, g => g.Count());
        // The collector's receipt and dispatch, and the dealer's dispatch, are 35 days old: past 15 working days.
        Assert.Equal(2, byEnterprise[collector.Id]);
        Assert.Equal(1, byEnterprise[dealer.Id]);
        // 35 calendar days are at most 27 working days: the recycler's receipt is on time.
        Assert.False(byEnterprise.ContainsKey(recycler.Id));
        var receipt = late.Single(a => a.GetProperty("evidence").GetString()!.Contains("reported the receipt", StringComparison.Ordinal));
        Assert.Contains("within 15 working days", receipt.GetProperty("evidence").GetString());
        Assert.Equal("320200", receipt.GetProperty("city").GetString());
    }
}
