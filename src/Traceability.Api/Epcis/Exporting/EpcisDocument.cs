using System.Text.Json.Nodes;
using JasperFx.Events;
using NodaTime;
using Traceability.Epcis.Hashing;

namespace Traceability.Epcis.Exporting;

/// <summary>An EPCIS 2.0 JSON-LD document of events, with the master data that names their classes and sites.</summary>
public static class EpcisDocument
{
    public static JsonObject Of(EpcisNames names, IEnumerable<JsonObject> events, EpcisEvents mapped, Instant now)
    {
        var classes = new JsonArray([.. mapped.Classes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Key,
            ["attributes"] = new JsonArray(new JsonObject { ["id"] = names.Namespace + "category", ["attribute"] = c.Value }),
        })]);
        var sites = new JsonArray([.. mapped.Sites.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (JsonNode)new JsonObject
        {
            ["id"] = s.Key,
            ["attributes"] = new JsonArray(
                new JsonObject { ["id"] = names.Namespace + "party", ["attribute"] = s.Value.Party },
                new JsonObject { ["id"] = names.Namespace + "cityCode", ["attribute"] = s.Value.City }),
        })]);
        var vocabularies = new JsonArray();
        if (classes.Count > 0) vocabularies.Add(new JsonObject { ["type"] = "urn:epcglobal:epcis:vtype:EPCClass", ["vocabularyElementList"] = classes });
        if (sites.Count > 0) vocabularies.Add(new JsonObject { ["type"] = "urn:epcglobal:epcis:vtype:BusinessLocation", ["vocabularyElementList"] = sites });

        var document = new JsonObject
        {
            ["@context"] = new JsonArray(Vocabulary.ContextUrl, new JsonObject { ["trc"] = names.Namespace }),
            ["type"] = "EPCISDocument",
            ["schemaVersion"] = "2.0",
            ["creationDate"] = EpcisNames.Time(now),
        };
        if (vocabularies.Count > 0) document["epcisHeader"] = new JsonObject { ["epcisMasterData"] = new JsonObject { ["vocabularyList"] = vocabularies } };
        document["epcisBody"] = new JsonObject { ["eventList"] = new JsonArray([.. events]) };
        return document;
    }
}
