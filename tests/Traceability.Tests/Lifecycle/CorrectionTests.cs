using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Batches;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Lifecycle;

public sealed class CorrectionTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_corrected_mass_shows_beside_the_original_and_later_figures_use_it()
    {
        var chain = new Chain(Api);
        var generator = await chain.PartyAsync("320200", "generator");
        var recycler = await chain.PartyAsync("320700", "recycler", "construction-waste", "recycle");
        var batch = await chain.RegisterAsync(generator, "construction-spoil", 1_000m);

        var corrected = await PostAsync(generator, $"/api/batches/{batch}/corrections", new { eventVersion = 1, field = "massKg", value = 980.5m, reason = "weighbridge misread" });
        Assert.Equal(("1000", "980.5"), (corrected.GetProperty("previous").GetString(), corrected.GetProperty("corrected").GetString()));

        var history = await generator.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batch}/events");
        Assert.Equal(1_000m, history[0].GetProperty("data").GetProperty("massKg").GetDecimal());
        Assert.Equal([2L], history[0].GetProperty("correctedBy").EnumerateArray().Select(v => v.GetInt64()));
        Assert.Equal(("figure_corrected", "weighbridge misread"), (history[1].GetProperty("type").GetString(), history[1].GetProperty("data").GetProperty("reason").GetString()));
        var state = await StateAsync(generator, batch);
        Assert.Equal((980.5m, 980.5m), (state.GetProperty("massKg").GetDecimal(), state.GetProperty("remainingKg").GetDecimal()));

        // The dispatch is now checked against the corrected mass.
        var stale = await generator.Client.PostAsJsonAsync($"/api/batches/{batch}/dispatches", new { to = recycler.Id, massKg = 1_000m, occurredAt = chain.Next() }, ApiFixture.Json);
        Assert.Contains("980.5 kg", await Chain.FieldRuleAsync(stale, "massKg"));
        await chain.TransferAsync(generator, recycler, batch, 980.5m);

        // Received since: the generation figure no longer stands; the receipt's does, and only its reporter corrects it.
        var superseded = await generator.Client.PostAsJsonAsync($"/api/batches/{batch}/corrections", new { eventVersion = 1, field = "massKg", value = 990m, reason = "again" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Conflict, superseded.StatusCode);
        var notTheirs = await generator.Client.PostAsJsonAsync($"/api/batches/{batch}/corrections", new { eventVersion = 4, field = "massKg", value = 900m, reason = "mine" }, ApiFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, notTheirs.StatusCode);

        var receipt = await PostAsync(recycler, $"/api/batches/{batch}/corrections", new { eventVersion = 4, field = "massKg", value = 900m, reason = "tare not deducted" });
        Assert.Equal("980.5", receipt.GetProperty("previous").GetString());
        var after = await StateAsync(recycler, batch);
        Assert.Equal((900m, true), (after.GetProperty("massKg").GetDecimal(), after.GetProperty("hasDiscrepancy").GetBoolean()));
        var types = (await recycler.Client.GetFromJsonAsync<JsonElement>($"/api/batches/{batch}/events")).EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["batch_generated", "figure_corrected", "batch_dispatched", "batch_received", "figure_corrected", "receipt_discrepancy_recorded"], types);
    }

    [Fact]
    public async Task a_correction_names_the_field_and_rule_it_breaks()
    {
        var chain = new Chain(Api);
        var generator = await chain.PartyAsync("320200", "generator");
        var batch = await chain.RegisterAsync(generator, "construction-spoil", 1_000m);

        var unknownField = await generator.Client.PostAsJsonAsync($"/api/batches/{batch}/corrections", new { eventVersion = 1, field = "category", value = "weee", reason = "x" }, ApiFixture.Json);
        Assert.Contains("massKg, units, vehiclePlate or externalRef", await Chain.FieldRuleAsync(unknownField, "field"));
        var wrongType = await generator.Client.PostAsJsonAsync($"/api/batches/{batch}/corrections", new { eventVersion = 1, field = "massKg", value = "heavy", reason = "x" }, ApiFixture.Json);
        Assert.Contains("a number", await Chain.FieldRuleAsync(wrongType, "value"));
        var noEvent = await generator.Client.PostAsJsonAsync($"/api/batches/{batch}/corrections", new { eventVersion = 7, field = "massKg", value = 10m, reason = "x" }, ApiFixture.Json);
        Assert.Contains("no event at version 7", await Chain.FieldRuleAsync(noEvent, "eventVersion"));
        var notCounted = await generator.Client.PostAsJsonAsync($"/api/batches/{batch}/corrections", new { eventVersion = 1, field = "vehiclePlate", value = "苏B12345", reason = "x" }, ApiFixture.Json);
        Assert.Contains("batch_generated has no correctable field vehiclePlate", await Chain.FieldRuleAsync(notCounted, "field"));
        Assert.Equal(1, (await StateAsync(generator, batch)).GetProperty("version").GetInt64());
    }
}
