using System.Globalization;
using System.Text.Json;
using NodaTime;
using Traceability.Batches;
using Traceability.Batches.Correcting;
using Traceability.Batches.Dismantling;
using Traceability.Batches.Dispatching;
using Traceability.Batches.Fates;
using Traceability.Batches.Manifests;
using Traceability.Batches.Merging;
using Traceability.Batches.Receiving;
using Traceability.Batches.Registering;
using Traceability.Batches.Rejecting;
using Traceability.Batches.Sorting;
using Traceability.Batches.Splitting;
using Traceability.Epcis.Exporting;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Epcis.Capturing;

/// <summary>What one EPCIS event of a capture becomes: a command, nothing to do (and why), or a refusal.</summary>
public sealed record CaptureStep(IBatchCommand? Command, string? Skipped, Refusal? Refusal)
{
    public static CaptureStep Run(IBatchCommand command) => new(command, null, null);
    public static CaptureStep Skip(string why) => new(null, why, null);
    public static implicit operator CaptureStep(Refusal refusal) => new(null, null, refusal);
}

/// <summary>
/// An EPCIS event as the product command it records, the inverse of the export's mapping (docs/epcis.md): each event
/// becomes the same request the HTTP API takes, validated by that request's own rules, with the identifiers the
/// document gives (batches, manifests, outputs, lots) kept, so a document the product exported imports back to the
/// same state. The event must be the capturing enterprise's own act: its readPoint is one of its sites.
/// What the product does not record (aggregation, transaction and association events, a regulator's storage
/// extension, cascade use, a correction of anything but a mass) is refused by name, never dropped.
/// </summary>
public sealed class CaptureMapping(EpcisNames names, Categories categories, string by, JsonElement document)
{
    readonly Dictionary<string, string> classCategories = ClassCategories(document);
    readonly List<JsonElement> events = [.. document.GetProperty("epcisBody").GetProperty("eventList").EnumerateArray()];

    /// <summary>Each captured event's batch and version once stored, by eventID: a correction in the same document names the event it corrects.</summary>
    public Dictionary<string, (Guid Batch, long Version)> Recorded { get; } = new(StringComparer.Ordinal);

    public int Count => events.Count;

    public JsonElement this[int index] => events[index];

    public CaptureStep Map(int i)
    {
        var ev = events[i];
        var at = $"epcisBody.eventList[{i}]";
        var type = Text(ev, "type") ?? "";
        if (type is "AggregationEvent" or "TransactionEvent" or "AssociationEvent")
            return Refusal.Invalid($"{at}.type", $"{type} is not something the product records (it keeps batches, their custody and their fates, not containment or business transactions); nothing of the document was stored");
        if (ev.TryGetProperty("errorDeclaration", out _)) return Correction(i, at);
        if (Text(ev, "eventID") is { } id && CorrectedBy(id) is { } declaration)
            return CaptureStep.Skip($"the corrected figure, recorded by the correction at epcisBody.eventList[{declaration}]");
        var step = Step(Text(ev, "bizStep"));
        if (step is null) return Refusal.Invalid($"{at}.bizStep", "is required: the business step says which operation the event records");

        var (party, city, siteRefusal) = ActingSite(ev, at);
        if (siteRefusal is not null) return siteRefusal;
        if (party != by)
            return Refusal.Forbidden($"{at}: the event was performed at a site of {party}, not of the capturing enterprise {by}; each enterprise captures its own events.",
                $"{at}.readPoint.id", $"is a site of {party}, not of {by}");
        var occurredAt = Time(ev);

        return (type, step) switch
        {
            ("ObjectEvent", "commissioning") when Ilmd(ev, "process") is not null =>
                CaptureStep.Skip("a derived batch is started by the transformation that made it"),
            ("ObjectEvent", "commissioning") => Register(ev, at, occurredAt),
            ("ObjectEvent", "shipping") => Dispatch(ev, at, occurredAt),
            ("ObjectEvent", "receiving") => Receive(ev, at, occurredAt),
            ("ObjectEvent", "inspecting") when Text(ev, "disposition") is "mismatch_quantity" =>
                CaptureStep.Skip("the receipt records the discrepancy itself when the weighed mass differs"),
            ("ObjectEvent", "inspecting") => Reject(ev, at, occurredAt),
            ("ObjectEvent", "holding") =>
                Refusal.Forbidden($"{at}: a storage extension is a regulator's approval (POST /api/batches/{{id}}/storage-extensions), not an enterprise's event.", $"{at}.bizStep", "holding is recorded by regulators"),
            ("ObjectEvent", _) when Extension(ev, "fate") is not null => Fate(ev, at, occurredAt),
            ("TransformationEvent", "sorting" or "disassembling") => Transform(ev, at, occurredAt, step),
            ("TransformationEvent", "recycling") => Fate(ev, at, occurredAt),
            ("TransformationEvent", "splitting") => Split(ev, at, occurredAt),
            ("TransformationEvent", "merging") => Merge(i, at, occurredAt),
            ("TransformationEvent", "cascade_use") =>
                Refusal.Invalid($"{at}.bizStep", "cascade use is captured through POST /api/batches/cascade-use, which names the product's new battery code"),
            _ => Refusal.Invalid($"{at}.bizStep", $"a {type} with business step {Text(ev, "bizStep")} is not an operation the product records (see docs/epcis.md for the ones it does)"),
        };
    }

    // ---- One mapping per operation -------------------------------------------------------------------

    CaptureStep Register(JsonElement ev, string at, Instant occurredAt)
    {
        if (Ilmd(ev, "category") is not { } category)
            return Refusal.Invalid($"{at}.ilmd", "trc:category is required: a new batch needs its waste category (https://ns.traceability.example/epcis/category)");
        var (batch, kg, refusal) = OneQuantity(ev, "quantityList", at);
        if (refusal is not null) return refusal;
        var (identifier, idRefusal) = Identifier(ev, "epcList", at);
        if (idRefusal is not null) return idRefusal;
        var request = new RegisterBatchRequest(category, kg, IntIlmd(ev, "units"), identifier, occurredAt, Ilmd(ev, "externalRef"), Ilmd(ev, "wasteCode"));
        var (command, invalid) = request.Validate(by, categories);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command with { BatchId = batch });
    }

    CaptureStep Dispatch(JsonElement ev, string at, Instant occurredAt)
    {
        var (batch, kg, manifest, refusal) = UnderManifest(ev, at);
        if (refusal is not null) return refusal;
        var to = PossessingParty(ev, "destinationList", "destination");
        if (to is null) return Refusal.Invalid($"{at}.destinationList", "must name the addressee as a possessing_party (a party URI of this service)");
        ManifestRequest? details = null;
        if (Extension(ev, "physicalForm") is not null)
            details = new ManifestRequest(PartyOf(Extension(ev, "carrier")), Extension(ev, "carrierPermit"), Extension(ev, "wasteCode"),
                ev.TryGetProperty("trc:hazards", out var hazards) && hazards.ValueKind == JsonValueKind.Array ? [.. hazards.EnumerateArray().Select(h => h.GetString()!)] : [],
                Extension(ev, "physicalForm"), Extension(ev, "packaging"), IntExtension(ev, "packageCount"), Extension(ev, "intendedOperation"), Extension(ev, "approvalNumber"));
        var request = new DispatchBatchRequest(to, kg, occurredAt, Extension(ev, "vehiclePlate"), details);
        var (command, invalid) = request.Validate(batch, by, null);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command with { ManifestId = manifest });
    }

    CaptureStep Receive(JsonElement ev, string at, Instant occurredAt)
    {
        var (batch, kg, manifest, refusal) = UnderManifest(ev, at);
        if (refusal is not null) return refusal;
        var (command, invalid) = new ReceiveBatchRequest(kg, occurredAt).Validate(batch, manifest, by, null);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command);
    }

    CaptureStep Reject(JsonElement ev, string at, Instant occurredAt)
    {
        var (batch, _, manifest, refusal) = UnderManifest(ev, at);
        if (refusal is not null) return refusal;
        var (command, invalid) = new RejectDispatchRequest(Extension(ev, "rejectionReason"), occurredAt).Validate(batch, manifest, by, null);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command);
    }

    CaptureStep Transform(JsonElement ev, string at, Instant occurredAt, string step)
    {
        var (batch, _, refusal) = OneQuantity(ev, "inputQuantityList", at);
        if (refusal is not null) return refusal;
        var (outputs, ids, outputsRefusal) = Outputs(ev, at);
        if (outputsRefusal is not null) return outputsRefusal;
        var losses = Losses(ev);
        var (command, invalid) = step == "sorting"
            ? new SortBatchRequest(outputs, losses, occurredAt).Validate(batch, by, null, categories)
            : new DismantleBatchRequest(outputs, losses, occurredAt).Validate(batch, by, null, categories);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command with { Outputs = [.. command.Outputs.Select((o, k) => o with { BatchId = ids[k] })] });
    }

    CaptureStep Fate(JsonElement ev, string at, Instant occurredAt)
    {
        var recycling = Text(ev, "type") == "TransformationEvent";
        var (batch, kg, refusal) = OneQuantity(ev, recycling ? "inputQuantityList" : "quantityList", at);
        if (refusal is not null) return refusal;
        var fateName = Extension(ev, "fate") ?? (recycling ? "recycling" : null);
        if (EnumNames.Parse<Fate>(fateName) is not { } fate) return Refusal.Invalid($"{at}.trc:fate", $"must be one of {string.Join(", ", EnumNames.All<Fate>())}");
        List<OutputRequest>? outputs = null;
        List<Guid> ids = [];
        if (recycling)
        {
            (outputs, ids, var outputsRefusal) = Outputs(ev, at);
            if (outputsRefusal is not null) return outputsRefusal;
        }
        var method = EnumNames.Parse<DisposalMethod>(Extension(ev, "disposalMethod"));
        var request = new RecordFateRequest(fate, kg, IntExtension(ev, "units"), method, outputs, recycling ? Losses(ev) : null, Extension(ev, "note"), occurredAt,
            fate == ReferenceData.Fate.EnergyRecovery ? Extension(ev, "operationCode") : null);
        var (command, invalid) = request.Validate(batch, by, null, categories);
        if (command is null) return Field(invalid!, at);
        var fateId = Guid.TryParse(Extension(ev, "fateId")?.Replace("urn:uuid:", "", StringComparison.Ordinal), out var kept) ? kept : command.FateId;
        return CaptureStep.Run(command with { FateId = fateId, Outputs = [.. command.Outputs.Select((o, k) => o with { BatchId = ids[k] })] });
    }

    CaptureStep Split(JsonElement ev, string at, Instant occurredAt)
    {
        var (batch, _, refusal) = OneQuantity(ev, "inputQuantityList", at);
        if (refusal is not null) return refusal;
        var (outputs, ids, outputsRefusal) = Outputs(ev, at);
        if (outputsRefusal is not null) return outputsRefusal;
        var (command, invalid) = new SplitBatchRequest([.. outputs.Select(o => new SplitPartRequest(o.MassKg, o.Units))], occurredAt).Validate(batch, by, null);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command with { PartIds = ids });
    }

    /// <summary>The export writes a merge as one event per merged batch, each naming the lot; the lot is made at the last of them.</summary>
    CaptureStep Merge(int i, string at, Instant occurredAt)
    {
        var lot = LotOf(events[i]);
        if (lot is null) return Refusal.Invalid($"{at}.outputQuantityList", "must name the lot as one epcClass of this service");
        var members = events.Select((e, k) => (e, k)).Where(x => Text(x.e, "type") == "TransformationEvent" && Step(Text(x.e, "bizStep")) == "merging" && LotOf(x.e) == lot).ToList();
        if (members[^1].k != i) return CaptureStep.Skip($"merged into lot {lot} with the document's other merging events for it");
        var inputs = new List<Guid>();
        foreach (var (member, k) in members)
        {
            var (batch, _, refusal) = OneQuantity(member, "inputQuantityList", $"epcisBody.eventList[{k}]");
            if (refusal is not null) return refusal;
            inputs.Add(batch);
        }
        var category = classCategories.GetValueOrDefault(names.Batch(lot.Value));
        var (command, invalid) = new MergeBatchesRequest(inputs, category, occurredAt).Validate(by, categories);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command with { LotId = lot.Value });
    }

    /// <summary>An error declaration replays the event it corrects; the corrective event after it carries the corrected mass.</summary>
    CaptureStep Correction(int i, string at)
    {
        var replay = events[i];
        var original = Text(replay, "eventID");
        if (original is null || !Recorded.TryGetValue(original, out var corrected))
            return Refusal.Invalid($"{at}.eventID", "must be an event captured earlier in this document: only those can be corrected by a capture (else POST /api/batches/{id}/corrections)");
        var declaration = replay.GetProperty("errorDeclaration");
        var correctiveId = declaration.TryGetProperty("correctiveEventIDs", out var ids) && ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() == 1 ? ids[0].GetString() : null;
        var corrective = events.Skip(i + 1).FirstOrDefault(e => Text(e, "eventID") == correctiveId);
        if (corrective.ValueKind != JsonValueKind.Object)
            return Refusal.Invalid($"{at}.errorDeclaration.correctiveEventIDs", "must name exactly one corrective event that follows in the document");
        var list = replay.TryGetProperty("quantityList", out _) ? "quantityList" : "inputQuantityList";
        var (_, before, r1) = OneQuantity(replay, list, at);
        var (_, after, r2) = OneQuantity(corrective, list, at);
        if (r1 is not null || r2 is not null || before == after)
            return Refusal.Invalid($"{at}.errorDeclaration", "a capture corrects a mass only: the corrective event must differ from the declared one in its quantity");
        var reason = declaration.TryGetProperty("trc:correctionReason", out var why) ? why.GetString() : Text(declaration, "reason");
        using var value = JsonDocument.Parse(after.ToString(CultureInfo.InvariantCulture));
        var (command, invalid) = new CorrectFigureRequest(corrected.Version, CorrectableFields.MassKg, value.RootElement.Clone(), reason).Validate(corrected.Batch, by, null);
        return command is null ? Field(invalid!, at) : CaptureStep.Run(command);
    }

    /// <summary>The index of the error declaration that names this event as its corrective one, if one does.</summary>
    int? CorrectedBy(string eventId)
    {
        for (var k = 0; k < events.Count; k++)
            if (events[k].TryGetProperty("errorDeclaration", out var declaration) && declaration.TryGetProperty("correctiveEventIDs", out var ids)
                && ids.ValueKind == JsonValueKind.Array && ids.EnumerateArray().Any(x => x.ValueKind == JsonValueKind.String && x.GetString() == eventId))
                return k;
        return null;
    }

    // ---- Reading the event ---------------------------------------------------------------------------

    (string? Party, string? City, Refusal? Refusal) ActingSite(JsonElement ev, string at)
    {
        var site = ev.TryGetProperty("readPoint", out var readPoint) ? Text(readPoint, "id") : null;
        if (site is null) return (null, null, Refusal.Invalid($"{at}.readPoint", "is required: it names the site, and so the enterprise, that acted"));
        var parts = site.StartsWith(SiteBase, StringComparison.Ordinal) ? site[SiteBase.Length..].Split('/') : [];
        return parts.Length == 2 && parts[0].Length > 0
            ? (parts[0], parts[1], null)
            : (null, null, Refusal.Invalid($"{at}.readPoint.id", $"is not a site of this service: a site is {SiteBase}{{enterprise code}}/{{city code}}"));
    }

    /// <summary>{base}site/: a site URI is {base}site/{enterprise}/{city}.</summary>
    string SiteBase => names.Site("", "")[..^1];

    string? PartyOf(string? uri) => uri is not null && uri.StartsWith(names.Party(""), StringComparison.Ordinal) ? uri[names.Party("").Length..] : uri;

    string? PossessingParty(JsonElement ev, string list, string key) =>
        ev.TryGetProperty(list, out var entries) && entries.ValueKind == JsonValueKind.Array
            ? entries.EnumerateArray().Where(e => Step(Text(e, "type")) is "possessing_party" or "SDT-possessing_party").Select(e => PartyOf(Text(e, key))).FirstOrDefault()
            : null;

    /// <summary>The batch, its mass and the manifest a dispatch, receipt or rejection is under.</summary>
    (Guid Batch, decimal Kg, Guid Manifest, Refusal? Refusal) UnderManifest(JsonElement ev, string at)
    {
        var (batch, kg, refusal) = OneQuantity(ev, "quantityList", at);
        if (refusal is not null) return (batch, kg, Guid.Empty, refusal);
        var manifest = Manifest(ev, at, out var manifestRefusal);
        return (batch, kg, manifest, manifestRefusal);
    }

    Guid Manifest(JsonElement ev, string at, out Refusal? refusal)
    {
        refusal = null;
        var uri = ev.TryGetProperty("bizTransactionList", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(t => Text(t, "bizTransaction")).FirstOrDefault(t => t?.StartsWith(names.Manifest(Guid.Empty)[..^36], StringComparison.Ordinal) == true)
            : null;
        if (uri is not null && Guid.TryParse(uri[^36..], out var id)) return id;
        refusal = Refusal.Invalid($"{at}.bizTransactionList", $"must carry the transfer manifest as a desadv transaction ({names.Manifest(Guid.Empty)[..^36]}{{id}})");
        return Guid.Empty;
    }

    (Guid Batch, decimal Kg, Refusal? Refusal) OneQuantity(JsonElement ev, string list, string at)
    {
        if (!ev.TryGetProperty(list, out var quantities) || quantities.ValueKind != JsonValueKind.Array || quantities.GetArrayLength() != 1)
            return (default, 0, Refusal.Invalid($"{at}.{list}", "must hold exactly one quantity element: the batch, as an epcClass of this service, with its mass"));
        var element = quantities[0];
        var batch = names.BatchIdOf(Text(element, "epcClass") ?? "");
        if (batch is null) return (default, 0, Refusal.Invalid($"{at}.{list}[0].epcClass", $"is not a batch of this service ({names.Batch(Guid.Empty)[..^36]}{{uuid}})"));
        var (kg, refusal) = Kilograms(element, $"{at}.{list}[0]");
        return (batch.Value, kg ?? 0, refusal);
    }

    static (decimal? Kg, Refusal? Refusal) Kilograms(JsonElement element, string at)
    {
        if (!element.TryGetProperty("quantity", out var quantity)) return (null, null);
        var uom = Text(element, "uom");
        var factor = uom switch { "KGM" => 1m, "TNE" => 1000m, _ => 0m };
        if (factor == 0m) return (null, Refusal.Invalid($"{at}.uom", "must be KGM (kilograms) or TNE (tonnes): the product records masses"));
        return quantity.TryGetDecimal(out var value)
            ? (value * factor, null)
            : (null, Refusal.Invalid($"{at}.quantity", "must be a number of at most 28 significant digits"));
    }

    (UnitIdentifier? Unit, Refusal? Refusal) UnitOf(string uri, string field)
    {
        foreach (var kind in new[] { IdentifierKind.Vin, IdentifierKind.BatteryCode })
        {
            var prefix = names.Unit(new UnitIdentifier(kind, ""));
            if (uri.StartsWith(prefix, StringComparison.Ordinal)) return (new UnitIdentifier(kind, uri[prefix.Length..]), null);
        }
        return (null, Refusal.Invalid(field, $"is not a unit identifier of this service ({names.Unit(new UnitIdentifier(IdentifierKind.Vin, ""))}{{VIN}} or {names.Unit(new UnitIdentifier(IdentifierKind.BatteryCode, ""))}{{code}})"));
    }

    (IdentifierRequest? Identifier, Refusal? Refusal) Identifier(JsonElement ev, string list, string at)
    {
        if (!ev.TryGetProperty(list, out var epcs) || epcs.GetArrayLength() == 0) return (null, null);
        if (epcs.GetArrayLength() > 1) return (null, Refusal.Invalid($"{at}.{list}", "must name at most one unit: a batch is one vehicle or battery, or an unidentified mass"));
        var (unit, refusal) = UnitOf(epcs[0].GetString()!, $"{at}.{list}[0]");
        return (unit is null ? null : new IdentifierRequest(unit.Kind, unit.Value), refusal);
    }

    (List<OutputRequest> Outputs, List<Guid> Ids, Refusal? Refusal) Outputs(JsonElement ev, string at)
    {
        var outputs = new List<OutputRequest>();
        var ids = new List<Guid>();
        if (!ev.TryGetProperty("outputQuantityList", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            return (outputs, ids, Refusal.Invalid($"{at}.outputQuantityList", "must list the new batches, each an epcClass of this service with its mass"));
        var details = ev.TryGetProperty("trc:outputs", out var extra) && extra.ValueKind == JsonValueKind.Array ? [.. extra.EnumerateArray()] : new List<JsonElement>();
        var k = 0;
        foreach (var element in list.EnumerateArray())
        {
            var field = $"{at}.outputQuantityList[{k++}]";
            var uri = Text(element, "epcClass") ?? "";
            if (names.BatchIdOf(uri) is not { } id) return (outputs, ids, Refusal.Invalid($"{field}.epcClass", $"is not a batch of this service ({names.Batch(Guid.Empty)[..^36]}{{uuid}})"));
            var (kg, refusal) = Kilograms(element, field);
            if (refusal is not null) return (outputs, ids, refusal);
            var detail = details.FirstOrDefault(d => Text(d, "trc:batch") == uri);
            var category = detail.ValueKind == JsonValueKind.Object ? Text(detail, "trc:category") : classCategories.GetValueOrDefault(uri);
            IdentifierRequest? identifier = null;
            if (detail.ValueKind == JsonValueKind.Object && Text(detail, "trc:identifier") is { } unitUri)
            {
                var (unit, unitRefusal) = UnitOf(unitUri, $"{at}.trc:outputs");
                if (unitRefusal is not null) return (outputs, ids, unitRefusal);
                identifier = new IdentifierRequest(unit!.Kind, unit.Value);
            }
            int? units = detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("trc:units", out var u) && u.TryGetInt32(out var n) ? n : null;
            outputs.Add(new OutputRequest(category, kg, units, identifier, detail.ValueKind == JsonValueKind.Object ? Text(detail, "trc:wasteCode") : null));
            ids.Add(id);
        }
        return (outputs, ids, null);
    }

    static List<LossRequest>? Losses(JsonElement ev) =>
        ev.TryGetProperty("trc:losses", out var losses) && losses.ValueKind == JsonValueKind.Array
            ? [.. losses.EnumerateArray().Select(l => new LossRequest(EnumNames.Parse<LossKind>(Text(l, "trc:kind")),
                l.TryGetProperty("trc:massKg", out var kg) && kg.TryGetDecimal(out var value) ? value : null, Text(l, "trc:reason")))]
            : null;

    Guid? LotOf(JsonElement ev) =>
        ev.TryGetProperty("outputQuantityList", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 1
            ? names.BatchIdOf(Text(list[0], "epcClass") ?? "")
            : null;

    static Instant Time(JsonElement ev) => Instant.FromDateTimeOffset(DateTimeOffset.Parse(ev.GetProperty("eventTime").GetString()!, CultureInfo.InvariantCulture));

    /// <summary>A CBV word however written (bare, Web URI, URN); the product's own steps by their last segment.</summary>
    static string? Step(string? value) => value switch
    {
        null => null,
        _ when value.StartsWith("https://ref.gs1.org/cbv/", StringComparison.Ordinal) => value[(value.IndexOf('-', StringComparison.Ordinal) + 1)..],
        _ when value.StartsWith("urn:epcglobal:cbv:", StringComparison.Ordinal) => value[(value.LastIndexOf(':') + 1)..],
        _ when value.Contains('/', StringComparison.Ordinal) => value[(value.LastIndexOf('/') + 1)..],
        _ => value,
    };

    static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static string? Extension(JsonElement ev, string name) => Text(ev, "trc:" + name);

    static int? IntExtension(JsonElement ev, string name) =>
        ev.TryGetProperty("trc:" + name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    static string? Ilmd(JsonElement ev, string name) => ev.TryGetProperty("ilmd", out var ilmd) ? Text(ilmd, "trc:" + name) : null;

    static int? IntIlmd(JsonElement ev, string name) =>
        ev.TryGetProperty("ilmd", out var ilmd) && ilmd.TryGetProperty("trc:" + name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    /// <summary>The categories the document's master data gives its EPC classes (attribute .../category).</summary>
    static Dictionary<string, string> ClassCategories(JsonElement document)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!document.TryGetProperty("epcisHeader", out var header) || !header.TryGetProperty("epcisMasterData", out var master)
            || !master.TryGetProperty("vocabularyList", out var vocabularies)) return map;
        foreach (var vocabulary in vocabularies.EnumerateArray().Where(v => Text(v, "type") == "urn:epcglobal:epcis:vtype:EPCClass"))
            foreach (var element in vocabulary.GetProperty("vocabularyElementList").EnumerateArray())
                if (Text(element, "id") is { } id && element.TryGetProperty("attributes", out var attributes))
                    foreach (var attribute in attributes.EnumerateArray().Where(a => Text(a, "id")?.EndsWith("/category", StringComparison.Ordinal) == true))
                        if (Text(attribute, "attribute") is { } category) map[id] = category;
        return map;
    }

    /// <summary>A request's refusal, its fields named under the event they came from.</summary>
    internal static Refusal Field(Refusal refusal, string at) => refusal with
    {
        Detail = $"{at}: {refusal.Detail}",
        Errors = refusal.Errors?.ToDictionary(e => $"{at}.{e.Key}", e => e.Value) ?? new Dictionary<string, string[]> { [at] = [refusal.Detail] },
    };
}
