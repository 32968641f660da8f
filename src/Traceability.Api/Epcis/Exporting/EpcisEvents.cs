using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Traceability.Batches;
using Traceability.Batches.Correcting;
using Traceability.Hosting;
using Traceability.ReferenceData;

namespace Traceability.Epcis.Exporting;

/// <summary>
/// A batch's stream as EPCIS 2.0 events, one EPCIS event per product event (so each stored event has one EPCIS hash),
/// except a correction, which is the corrected event replayed with an error declaration plus the corrected event, as
/// EPCIS 2.0 corrects. The table in docs/epcis.md says which event type, business step and disposition each maps to.
/// Parties and places go in source and destination lists with the type before the identifier, masses stay JSON
/// numbers: the event hash depends on both.
/// </summary>
public sealed class EpcisEvents(EpcisNames names, Marten.ISerializer serializer)
{
    const string Trc = "trc:";

    /// <summary>Categories of every batch the events name, for the document's EPCClass master data.</summary>
    public Dictionary<string, string> Classes { get; } = new(StringComparer.Ordinal);

    /// <summary>Sites and the party and city each belongs to, for the BusinessLocation master data.</summary>
    public Dictionary<string, (string Party, string City)> Sites { get; } = new(StringComparer.Ordinal);

    /// <summary>The stream's EPCIS events, each with the stored event it comes from (a correction's two, the correction).</summary>
    public List<(Guid Source, JsonObject Event)> Map(IReadOnlyList<IEvent> stream)
    {
        var mapped = new List<(Guid, JsonObject)>();
        var state = new StreamState();
        var byVersion = stream.ToDictionary(e => e.Version);
        foreach (var e in stream)
        {
            if (e.Data is FigureCorrected correction)
            {
                if (!byVersion.TryGetValue(correction.CorrectsVersion, out var original) || Corrected(original.Data, correction) is not { } fixedData) continue;
                var replay = Event(original, original.Data, state.Before(original.Version));
                if (replay is null) continue;
                var correctiveId = $"urn:uuid:{e.Id}";
                replay["errorDeclaration"] = new JsonObject
                {
                    ["declarationTime"] = EpcisNames.Time(correction.OccurredAt),
                    ["reason"] = "incorrect_data",
                    ["correctiveEventIDs"] = new JsonArray(correctiveId),
                    [Trc + "correctionReason"] = correction.Reason,
                };
                var corrective = Event(e, fixedData, state.Before(original.Version))!;
                corrective["eventID"] = correctiveId;
                mapped.Add((e.Id, replay));
                mapped.Add((e.Id, corrective));
                continue;
            }
            state.Remember(e);
            if (Event(e, e.Data, state) is { } ev) mapped.Add((e.Id, ev));
        }
        return mapped;
    }

    /// <summary>What the mapping of a later event needs from earlier ones: the unit's identifier, each manifest's sender.</summary>
    sealed class StreamState
    {
        readonly List<IEvent> seen = [];
        public UnitIdentifier? Identifier { get; private set; }
        public Dictionary<Guid, BatchDispatched> Dispatches { get; } = [];

        public void Remember(IEvent e)
        {
            seen.Add(e);
            switch (e.Data)
            {
                case BatchGenerated g: Identifier = g.Identifier; break;
                case BatchDerived d: Identifier = d.Identifier; break;
                case BatchDispatched d: Dispatches[d.ManifestId] = d; break;
            }
        }

        public StreamState Before(long version)
        {
            var earlier = new StreamState();
            foreach (var e in seen.Where(e => e.Version <= version)) earlier.Remember(e);
            return earlier;
        }
    }

    JsonObject? Event(IEvent e, object data, StreamState state)
    {
        var batch = e.StreamId;
        var ev = data switch
        {
            BatchGenerated g => Generated(batch, g),
            BatchDerived d => Derived(batch, d),
            BatchDispatched d => Dispatched(batch, d, state),
            BatchReceived r => Received(batch, r, state),
            ReceiptDiscrepancyRecorded d => Discrepancy(batch, d, state),
            DispatchRejected r => Rejected(batch, r, state),
            BatchSorted s => Transformation(batch, s.OccurredAt, "sorting", true, s.By, s.City, s.InputKg, s.Fractions, s.Losses, state),
            BatchDismantled d => Transformation(batch, d.OccurredAt, "disassembling", false, d.By, d.City, d.InputKg, d.Outputs, d.Losses, state),
            BatchSplit s => Transformation(batch, s.OccurredAt, "splitting", true, s.By, s.City, s.InputKg, s.Parts, [], state),
            BatchMerged m => Merged(batch, m, state),
            BatchCascadeUsed c => CascadeUsed(batch, c, state),
            FateRecorded f => Fate(batch, f, state),
            StorageExtended s => StorageExtended(batch, s, state),
            _ => null,
        };
        if (ev is null) return null;
        ev["eventID"] = $"urn:uuid:{e.Id}";
        ev["recordTime"] = EpcisNames.RecordTime(NodaTime.Instant.FromDateTimeOffset(e.Timestamp));
        return ev;
    }

    // ---- One mapping per product event ------------------------------------------------------------

    JsonObject Generated(Guid batch, BatchGenerated g)
    {
        var ev = Object(g.OccurredAt, g.Identifier, "ADD", "commissioning", "active", Quantity(batch, g.MassKg, g.Category));
        Where(ev, g.Generator, g.City, location: true);
        var ilmd = new JsonObject { [Trc + "category"] = g.Category };
        if (g.Identifier is { } id) ilmd[Trc + "identifierKind"] = EnumNames.Of(id.Kind);
        if (g.Units is { } units) ilmd[Trc + "units"] = units;
        if (g.WasteCode is { } code) ilmd[Trc + "wasteCode"] = code;
        if (g.ExternalRef is { } reference) ilmd[Trc + "externalRef"] = reference;
        ev["ilmd"] = ilmd;
        return ev;
    }

    JsonObject Derived(Guid batch, BatchDerived d)
    {
        var ev = Object(d.OccurredAt, d.Identifier, "ADD", "commissioning", "active", Quantity(batch, d.MassKg, d.Category));
        Where(ev, d.Producer, d.City, location: true);
        var ilmd = new JsonObject
        {
            [Trc + "category"] = d.Category,
            [Trc + "process"] = EnumNames.Of(d.Process),
            [Trc + "parents"] = new JsonArray([.. d.Parents.Select(p => (JsonNode)new JsonObject { [Trc + "batch"] = names.Batch(p.BatchId), [Trc + "massKg"] = p.MassKg.Kilograms })]),
        };
        if (d.Identifier is { } id) ilmd[Trc + "identifierKind"] = EnumNames.Of(id.Kind);
        if (d.WasteCode is { } code) ilmd[Trc + "wasteCode"] = code;
        ev["ilmd"] = ilmd;
        return ev;
    }

    JsonObject Dispatched(Guid batch, BatchDispatched d, StreamState state)
    {
        var fromCity = d.FromCity ?? "";
        var ev = Object(d.OccurredAt, state.Identifier, "OBSERVE", "shipping", "in_transit", Quantity(batch, d.MassKg));
        ev["readPoint"] = new JsonObject { ["id"] = SiteOf(d.From, fromCity) };
        Parties(ev, d.ManifestId, d.From, fromCity, d.To, d.ToCity);
        ev[Trc + "manifestNumber"] = d.ManifestNumber;
        if (d.VehiclePlate is { } plate) ev[Trc + "vehiclePlate"] = plate;
        if (d.Manifest is { } m)
        {
            ev[Trc + "carrier"] = names.Party(m.Carrier);
            if (m.CarrierPermit is { } permit) ev[Trc + "carrierPermit"] = permit;
            if (m.WasteCode is { } code) ev[Trc + "wasteCode"] = code;
            ev[Trc + "hazards"] = new JsonArray([.. m.Hazards.Select(h => (JsonNode)h)]);
            ev[Trc + "physicalForm"] = m.PhysicalForm;
            ev[Trc + "packaging"] = m.Packaging;
            ev[Trc + "packageCount"] = m.PackageCount;
            ev[Trc + "intendedOperation"] = m.IntendedOperation;
            if (m.ApprovalNumber is { } approval) ev[Trc + "approvalNumber"] = approval;
        }
        return ev;
    }

    JsonObject Received(Guid batch, BatchReceived r, StreamState state)
    {
        var ev = Object(r.OccurredAt, state.Identifier, "OBSERVE", "receiving", "in_progress", Quantity(batch, r.MassKg));
        Where(ev, r.By, r.City, location: true);
        if (state.Dispatches.TryGetValue(r.ManifestId, out var d)) Parties(ev, d.ManifestId, d.From, d.FromCity ?? "", d.To, d.ToCity);
        return ev;
    }

    JsonObject Discrepancy(Guid batch, ReceiptDiscrepancyRecorded d, StreamState state)
    {
        var ev = Object(d.OccurredAt, state.Identifier, "OBSERVE", "inspecting", "mismatch_quantity", Quantity(batch, d.WeighedKg));
        if (state.Dispatches.TryGetValue(d.ManifestId, out var dispatch)) Where(ev, d.By, dispatch.ToCity, location: true);
        Transaction(ev, d.ManifestId);
        ev[Trc + "dispatchedMassKg"] = d.SentKg.Kilograms;
        ev[Trc + "discrepancyKg"] = d.WeighedKg.Kilograms - d.SentKg.Kilograms;
        ev[Trc + "tolerancePercent"] = d.TolerancePercent;
        return ev;
    }

    JsonObject Rejected(Guid batch, DispatchRejected r, StreamState state)
    {
        var ev = Object(r.OccurredAt, state.Identifier, "OBSERVE", "inspecting", "non_conformant", null);
        if (state.Dispatches.TryGetValue(r.ManifestId, out var d))
        {
            ev["quantityList"] = Quantity(batch, d.MassKg);
            ev["readPoint"] = new JsonObject { ["id"] = SiteOf(r.By, d.ToCity) };
            Parties(ev, d.ManifestId, d.From, d.FromCity ?? "", d.To, d.ToCity);
        }
        ev[Trc + "rejectionReason"] = r.Reason;
        return ev;
    }

    JsonObject Transformation(Guid batch, NodaTime.Instant at, string step, bool isPrivate, string by, string city, Mass input, IReadOnlyList<Output> outputs,
        IReadOnlyList<Loss> losses, StreamState state)
    {
        var ev = TransformationOf(batch, at, input, state);
        var identified = outputs.Where(o => o.Identifier is not null).Select(o => (JsonNode)names.Unit(o.Identifier!)).ToArray();
        if (identified.Length > 0) ev["outputEPCList"] = new JsonArray(identified);
        ev["outputQuantityList"] = new JsonArray([.. outputs.Select(o => (JsonNode)QuantityElement(o.BatchId, o.MassKg, o.Category))]);
        Step(ev, step, isPrivate, "active");
        Where(ev, by, city, location: true);
        Losses(ev, losses);
        // What EPCIS has no field for, per output: its category, units, unit identifier and waste code (a capture reads them back).
        ev[Trc + "outputs"] = new JsonArray([.. outputs.Select(o =>
        {
            var output = new JsonObject { [Trc + "batch"] = names.Batch(o.BatchId), [Trc + "category"] = o.Category };
            if (o.Units is { } units) output[Trc + "units"] = units;
            if (o.Identifier is { } id) output[Trc + "identifier"] = names.Unit(id);
            if (o.WasteCode is { } code) output[Trc + "wasteCode"] = code;
            return (JsonNode)output;
        })]);
        return ev;
    }

    JsonObject Merged(Guid batch, BatchMerged m, StreamState state)
    {
        var ev = TransformationOf(batch, m.OccurredAt, m.MassKg, state);
        // The lot's own mass is the sum over every merged batch's event; this one says only that the lot came of it.
        Classes[names.Batch(m.LotId)] = m.LotCategory;
        ev["outputQuantityList"] = new JsonArray(new JsonObject { ["epcClass"] = names.Batch(m.LotId) });
        Step(ev, "merging", true, "active");
        Where(ev, m.By, m.City, location: true);
        return ev;
    }

    JsonObject CascadeUsed(Guid batch, BatchCascadeUsed c, StreamState state)
    {
        var ev = TransformationOf(batch, c.OccurredAt, c.InputKg, state);
        ev["outputQuantityList"] = Quantity(c.ProductId, c.MassKg, c.ProductCategory);
        Step(ev, "cascade_use", true, "active");
        Where(ev, c.By, c.City, location: true);
        if (c.LossKg.Kilograms != 0) ev[Trc + "lossKg"] = c.LossKg.Kilograms;
        if (c.Application is { } application) ev[Trc + "application"] = application;
        return ev;
    }

    JsonObject Fate(Guid batch, FateRecorded f, StreamState state)
    {
        JsonObject ev;
        if (f.Fate == ReferenceData.Fate.Recycling)
        {
            ev = Transformation(batch, f.OccurredAt, "recycling", true, f.By, f.City, f.MassKg, f.Outputs, f.Losses, state);
        }
        else
        {
            var (action, step, isPrivate, disposition) = f.Fate switch
            {
                ReferenceData.Fate.Reuse => ("OBSERVE", "reusing", true, "available"),
                ReferenceData.Fate.Remanufacture => ("OBSERVE", "remanufacturing", true, "available"),
                ReferenceData.Fate.CascadeUse => ("OBSERVE", "cascade_use", true, "available"),
                ReferenceData.Fate.EnergyRecovery => ("DELETE", "destroying", false, "destroyed"),
                _ => ("DELETE", "destroying", false, f.Method == DisposalMethod.Landfill ? "disposed" : "destroyed"),
            };
            ev = new JsonObject { ["type"] = "ObjectEvent" };
            Times(ev, f.OccurredAt);
            if (state.Identifier is { } id) ev["epcList"] = new JsonArray(names.Unit(id));
            ev["quantityList"] = Quantity(batch, f.MassKg);
            ev["action"] = action;
            Step(ev, step, isPrivate, disposition);
            Where(ev, f.By, f.City, location: true);
            Losses(ev, f.Losses);
        }
        ev[Trc + "fate"] = EnumNames.Of(f.Fate);
        if (f.Units is { } fateUnits) ev[Trc + "units"] = fateUnits;
        ev[Trc + "fateId"] = $"urn:uuid:{f.FateId}";
        if (f.OperationCode is { } code) ev[Trc + "operationCode"] = code;
        if (f.Method is { } method) ev[Trc + "disposalMethod"] = EnumNames.Of(method);
        if (f.Note is { } note) ev[Trc + "note"] = note;
        return ev;
    }

    JsonObject StorageExtended(Guid batch, StorageExtended s, StreamState state)
    {
        var ev = Object(s.OccurredAt, state.Identifier, "OBSERVE", "holding", null, Quantity(batch, null));
        ev[Trc + "holder"] = names.Party(s.Holder);
        ev[Trc + "storageExtendedUntil"] = s.Until.ToString("uuuu'-'MM'-'dd", CultureInfo.InvariantCulture);
        ev[Trc + "approvalNumber"] = s.ApprovalNumber;
        ev[Trc + "reason"] = s.Reason;
        return ev;
    }

    // ---- Pieces -----------------------------------------------------------------------------------

    /// <summary>A TransformationEvent whose input is this batch (and its unit, if it is one).</summary>
    JsonObject TransformationOf(Guid batch, NodaTime.Instant at, Mass input, StreamState state)
    {
        var ev = new JsonObject { ["type"] = "TransformationEvent" };
        Times(ev, at);
        if (state.Identifier is { } id) ev["inputEPCList"] = new JsonArray(names.Unit(id));
        ev["inputQuantityList"] = Quantity(batch, input);
        return ev;
    }

    JsonObject Object(NodaTime.Instant at, UnitIdentifier? identifier, string action, string bizStep, string? disposition, JsonArray? quantities)
    {
        var ev = new JsonObject { ["type"] = "ObjectEvent" };
        Times(ev, at);
        if (identifier is { } id) ev["epcList"] = new JsonArray(names.Unit(id));
        if (quantities is not null) ev["quantityList"] = quantities;
        ev["action"] = action;
        Step(ev, bizStep, false, disposition);
        return ev;
    }

    static void Times(JsonObject ev, NodaTime.Instant at)
    {
        ev["eventTime"] = EpcisNames.Time(at);
        ev["eventTimeZoneOffset"] = "+08:00";
    }

    void Step(JsonObject ev, string step, bool isPrivate, string? disposition)
    {
        ev["bizStep"] = isPrivate ? names.PrivateStep(step) : step;
        if (disposition is not null) ev["disposition"] = disposition;
    }

    void Where(JsonObject ev, string party, string city, bool location)
    {
        var site = SiteOf(party, city);
        ev["readPoint"] = new JsonObject { ["id"] = site };
        if (location) ev["bizLocation"] = new JsonObject { ["id"] = site };
    }

    string SiteOf(string party, string city)
    {
        var site = names.Site(party, city);
        Sites[site] = (names.Party(party), city);
        return site;
    }

    void Parties(JsonObject ev, Guid manifest, string from, string fromCity, string to, string toCity)
    {
        Transaction(ev, manifest);
        ev["sourceList"] = new JsonArray(Party("location", "source", SiteOf(from, fromCity)), Party("possessing_party", "source", names.Party(from)));
        ev["destinationList"] = new JsonArray(Party("location", "destination", SiteOf(to, toCity)), Party("possessing_party", "destination", names.Party(to)));
    }

    void Transaction(JsonObject ev, Guid manifest) =>
        ev["bizTransactionList"] = new JsonArray(new JsonObject { ["type"] = "desadv", ["bizTransaction"] = names.Manifest(manifest) });

    // The type is written before the identifier: the reference hash keeps these two in document order.
    static JsonObject Party(string type, string key, string id) => new() { ["type"] = type, [key] = id };

    void Losses(JsonObject ev, IReadOnlyList<Loss> losses)
    {
        if (losses.Count == 0) return;
        ev[Trc + "lossKg"] = losses.Sum(l => l.MassKg.Kilograms);
        ev[Trc + "losses"] = new JsonArray([.. losses.Select(l => (JsonNode)new JsonObject
        {
            [Trc + "kind"] = EnumNames.Of(l.Kind), [Trc + "massKg"] = l.MassKg.Kilograms, [Trc + "reason"] = l.Reason,
        })]);
    }

    JsonArray Quantity(Guid batch, Mass? mass, string? category = null) => new(QuantityElement(batch, mass, category));

    JsonObject QuantityElement(Guid batch, Mass? mass, string? category)
    {
        var epcClass = names.Batch(batch);
        if (category is not null) Classes[epcClass] = category;
        var element = new JsonObject { ["epcClass"] = epcClass };
        if (mass is { } kg)
        {
            element["quantity"] = kg.Kilograms;
            element["uom"] = "KGM";
        }
        return element;
    }

    /// <summary>The event as the correction says it should have read: the one field replaced, through the event's own stored JSON.</summary>
    object? Corrected(object original, FigureCorrected correction)
    {
        if (JsonNode.Parse(serializer.ToJson(original)) is not JsonObject json) return null;
        var key = json.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, correction.Field, StringComparison.OrdinalIgnoreCase));
        if (key is null) return null;
        json[key] = correction.Field is CorrectableFields.MassKg or CorrectableFields.Units
            ? JsonNode.Parse(correction.Corrected)
            : JsonValue.Create(correction.Corrected);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        return serializer.FromJson(original.GetType(), stream);
    }
}
