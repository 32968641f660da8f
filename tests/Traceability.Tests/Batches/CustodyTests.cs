using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Tests.Hosting;
using static Traceability.Tests.Lifecycle.Chain;

namespace Traceability.Tests.Batches;

public sealed class CustodyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_batch_is_registered_dispatched_received_with_a_discrepancy_and_read_back()
    {
        var (generatorId, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");

        var registered = await Register(generator, new { category = "construction-waste", massKg = 1000.5m, occurredAt = Generated, externalRef = "WX-001" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal($"/api/batches/{id}", registered.Headers.Location?.ToString());
        Assert.Equal(7, id.Version);

        var dispatched = await Dispatch(generator, id, new { to = recyclerId, massKg = 1000.5m, occurredAt = Dispatched, vehiclePlate = "苏B12345" });
        Assert.Equal(HttpStatusCode.Created, dispatched.StatusCode);
        var manifest = await dispatched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches("^TM-20261121-320200-[0-9A-F]{8}$", manifest.GetProperty("manifestNumber").GetString());
        var manifestId = manifest.GetProperty("manifestId").GetGuid();

        var inTransit = await StateAsync(generator, id);
        Assert.Equal("in-transit", inTransit.GetProperty("status").GetString());
        Assert.Equal(recyclerId, inTransit.GetProperty("openManifest").GetProperty("to").GetString());

        var received = await Receive(recycler, id, manifestId, 950m);
        Assert.Equal(HttpStatusCode.OK, received.StatusCode);
        var receipt = await received.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(receipt.GetProperty("discrepancy").GetBoolean());
        Assert.Equal(-50.5m, receipt.GetProperty("differenceKg").GetDecimal());

        var state = await StateAsync(recycler, id);
        Assert.Equal("received", state.GetProperty("status").GetString());
        Assert.Equal(recyclerId, state.GetProperty("holder").GetString());
        Assert.Equal(generatorId, state.GetProperty("generator").GetString());
        Assert.Equal(950m, state.GetProperty("massKg").GetDecimal());
        Assert.True(state.GetProperty("hasDiscrepancy").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("openManifest").ValueKind);
        Assert.Equal(4, state.GetProperty("version").GetInt64());

        var history = await recycler.GetFromJsonAsync<JsonElement>($"/api/batches/{id}/events");
        Assert.Equal(new[] { "batch_generated", "batch_dispatched", "batch_received", "receipt_discrepancy_recorded" },
            history.EnumerateArray().Select(e => e.GetProperty("type").GetString()!).ToList());
        Assert.Equal(new[] { generatorId, generatorId, recyclerId, recyclerId },
            history.EnumerateArray().Select(e => e.GetProperty("actedBy").GetString()!).ToList());
        Assert.Equal(Received, history[2].GetProperty("occurredAt").GetString());
        Assert.Equal(1000.5m, history[3].GetProperty("data").GetProperty("sentKg").GetDecimal());
        Assert.True(history.EnumerateArray().All(e => e.GetProperty("recordedAt").GetString()!.EndsWith('Z')));
    }

    [Fact]
    public async Task a_weighed_mass_within_the_tolerance_records_no_discrepancy()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator, 1000m);
        var manifest = await DispatchAsync(generator, id, recyclerId);

        var received = await Receive(recycler, id, manifest, 991m); // 0.9% off, inside the 1% default

        Assert.Equal(HttpStatusCode.OK, received.StatusCode);
        var state = await StateAsync(recycler, id);
        Assert.False(state.GetProperty("hasDiscrepancy").GetBoolean());
        Assert.Equal(991m, state.GetProperty("massKg").GetDecimal());
        Assert.Equal(3, state.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_rejected_dispatch_leaves_custody_with_the_sender_who_may_dispatch_again()
    {
        var (generatorId, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var (otherId, _) = await Api.LicensedAsync("410100", "collector", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);
        var manifest = await DispatchAsync(generator, id, recyclerId);

        var rejected = await recycler.PostAsJsonAsync($"/api/batches/{id}/dispatches/{manifest}/rejection", new { reason = "not licensed for this load" }, ApiFixture.Json);

        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var state = await StateAsync(generator, id);
        Assert.Equal(generatorId, state.GetProperty("holder").GetString());
        Assert.Equal("generated", state.GetProperty("status").GetString());
        var beforeRejection = await Dispatch(generator, id, new { to = otherId, massKg = 1000m, occurredAt = Received });
        Assert.Equal(HttpStatusCode.BadRequest, beforeRejection.StatusCode); // the rejection was recorded at the server's now
        Assert.Contains("must not precede", await FieldRuleAsync(beforeRejection, "occurredAt"));
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
        Assert.Equal(HttpStatusCode.Created, (await Dispatch(generator, id, new { to = otherId, massKg = 1000m, occurredAt = now })).StatusCode);
    }

    [Fact]
    public async Task dispatching_a_batch_in_transit_is_a_conflict_and_appends_nothing()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, _) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);
        await DispatchAsync(generator, id, recyclerId);

        var again = await Dispatch(generator, id, new { to = recyclerId, massKg = 1000m, occurredAt = Dispatched });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("in transit to", (await ProblemAsync(again)).GetProperty("detail").GetString());
        Assert.Equal(2, (await StateAsync(generator, id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task receipt_by_someone_other_than_the_addressee_is_refused_and_appends_nothing()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, _) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var (_, stranger) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);
        var manifest = await DispatchAsync(generator, id, recyclerId);

        // A stranger never held the batch: it must not even learn that it exists.
        Assert.Equal(HttpStatusCode.NotFound, (await Receive(stranger, id, manifest, 1000m)).StatusCode);
        // The sender sees the batch but is not the addressee.
        var bySender = await Receive(generator, id, manifest, 1000m);
        Assert.Equal(HttpStatusCode.Forbidden, bySender.StatusCode);
        Assert.Contains(recyclerId, (await ProblemAsync(bySender)).GetProperty("detail").GetString());
        Assert.Equal(2, (await StateAsync(generator, id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task only_the_current_holder_may_dispatch()
    {
        var (generatorId, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);
        var manifest = await DispatchAsync(generator, id, recyclerId);
        Assert.Equal(HttpStatusCode.OK, (await Receive(recycler, id, manifest, 1000m)).StatusCode);

        var byFormerHolder = await Dispatch(generator, id, new { to = recyclerId, massKg = 1000m, occurredAt = Received });

        Assert.Equal(HttpStatusCode.Forbidden, byFormerHolder.StatusCode);
        Assert.Equal(recyclerId, (await StateAsync(recycler, id)).GetProperty("holder").GetString());
        Assert.NotEqual(generatorId, recyclerId);
    }

    [Fact]
    public async Task a_receipt_before_its_dispatch_or_far_in_the_future_is_refused_naming_occurredAt()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, recycler) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator);
        var manifest = await DispatchAsync(generator, id, recyclerId);

        var early = await Receive(recycler, id, manifest, 1000m, "2026-11-21T07:59:59Z");
        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        Assert.Contains("must not precede the dispatch", await FieldRuleAsync(early, "occurredAt"));

        var future = await Receive(recycler, id, manifest, 1000m, DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ"));
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Contains("ahead of the server clock", await FieldRuleAsync(future, "occurredAt"));
        Assert.Equal("in-transit", (await StateAsync(generator, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task dispatch_to_an_unknown_or_generator_only_enterprise_is_refused()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (otherGeneratorId, _) = await Api.EnterpriseAsync("320200", "generator");
        var id = await RegisterAsync(generator);

        var unknown = await Dispatch(generator, id, new { to = TestCodes.SocialCreditCode("320200"), massKg = 1000m, occurredAt = Dispatched });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("is registered", await FieldRuleAsync(unknown, "to"));

        var badCheck = await Dispatch(generator, id, new { to = otherGeneratorId[..17] + (otherGeneratorId[17] == '0' ? '1' : '0'), massKg = 1000m, occurredAt = Dispatched });
        Assert.Equal(HttpStatusCode.BadRequest, badCheck.StatusCode);
        Assert.Contains("check character", await FieldRuleAsync(badCheck, "to"));

        var toGenerator = await Dispatch(generator, id, new { to = otherGeneratorId, massKg = 1000m, occurredAt = Dispatched });
        Assert.Equal(HttpStatusCode.Forbidden, toGenerator.StatusCode);
        Assert.Equal(1, (await StateAsync(generator, id)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task a_dispatch_must_hand_over_all_that_remains_and_name_a_valid_plate()
    {
        var (_, generator) = await Api.EnterpriseAsync("320200", "generator");
        var (recyclerId, _) = await Api.LicensedAsync("320700", "recycler", "construction-waste", "recycle");
        var id = await RegisterAsync(generator, 1000m);

        var partial = await Dispatch(generator, id, new { to = recyclerId, massKg = 500m, occurredAt = Dispatched });
        Assert.Equal(HttpStatusCode.BadRequest, partial.StatusCode);
        Assert.Contains("all that remains", await FieldRuleAsync(partial, "massKg"));

        var plate = await Dispatch(generator, id, new { to = recyclerId, massKg = 1000m, occurredAt = Dispatched, vehiclePlate = "ABC-123" });
        Assert.Equal(HttpStatusCode.BadRequest, plate.StatusCode);
        Assert.Contains("Chinese plate", await FieldRuleAsync(plate, "vehiclePlate"));
        Assert.Equal("generated", (await StateAsync(generator, id)).GetProperty("status").GetString());
    }
}
