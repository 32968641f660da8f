using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Traceability.Epcis.Hashing;

/// <summary>One event's hash (CBV 2.0 "EPCIS Event Hash ID"), the pre-hash string it is the SHA-256 of, and the event's own eventID if it has one.</summary>
public sealed record EventHashed(int Index, string Hash, string PreHash, string? EventId = null);

/// <summary>
/// The EPCIS event hash of every event in an EPCIS 2.0 JSON-LD document. It follows the reference implementation
/// (RalphTro/epcis-event-hash-generator@5d2f1c3, MIT) rather than the prose, because integrators compare against
/// that code's output: the document becomes a tree of (name, value, children) as its json_to_py and
/// json_xml_model_mismatch_correction build it, the standard fields are written in the fixed order, and everything
/// else (source, destination and transaction lists, ILMD, extensions) is written after them, each serialised and the
/// whole sorted by code point. The steps and their quirks are described in docs/epcis.md.
/// </summary>
public static class EventHash
{
    public static IReadOnlyList<EventHashed> Of(JsonElement document)
    {
        var events = Events(document);
        var expanded = Vocabulary.Standard.ExpandedValues(document);
        var namespaces = Namespaces(document);
        var hashed = new List<EventHashed>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var tree = Correct(new Reader(namespaces, expanded).Read(events[i]));
            var preHash = PreHash(tree);
            var eventId = events[i].TryGetProperty("eventID", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            hashed.Add(new EventHashed(i, Hash(preHash), preHash, eventId));
        }
        return hashed;
    }

    /// <summary><c>ni:///sha-256;{hex}?ver=CBV2.0</c> of the UTF-8 bytes.</summary>
    public static string Hash(string preHash) =>
        "ni:///sha-256;" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(preHash))) + "?ver=CBV2.0";

    /// <summary>The events of a capture document, a query document's results, or a single-event body.</summary>
    static List<JsonElement> Events(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("epcisBody", out var body) || body.ValueKind != JsonValueKind.Object)
            throw new EpcisFormatException("epcisBody", "the document has no epcisBody object");
        if (body.TryGetProperty("eventList", out var list)) return Array(list, "epcisBody.eventList");
        if (body.TryGetProperty("queryResults", out var results)
            && results.TryGetProperty("resultsBody", out var resultsBody) && resultsBody.TryGetProperty("eventList", out var queried))
            return Array(queried, "epcisBody.queryResults.resultsBody.eventList");
        if (body.TryGetProperty("event", out var single) && single.ValueKind == JsonValueKind.Object) return [single];
        throw new EpcisFormatException("epcisBody", "has neither eventList, queryResults.resultsBody.eventList nor event");

        static List<JsonElement> Array(JsonElement list, string field) => list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Object ? e : throw new EpcisFormatException($"{field}[{i}]", "must be an object"))]
            : throw new EpcisFormatException(field, "must be an array");
    }

    /// <summary>Prefixes the document's own <c>@context</c> declares, as <c>{iri}</c>; keys and values written <c>prefix:local</c> use them.</summary>
    static Dictionary<string, string> Namespaces(JsonElement document)
    {
        var namespaces = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!document.TryGetProperty("@context", out var context) || context.ValueKind != JsonValueKind.Array) return namespaces;
        foreach (var entry in context.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.String) namespaces[entry.GetString()!] = "{" + entry.GetString() + "}";
            else if (entry.ValueKind == JsonValueKind.Object)
                foreach (var prefix in entry.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                    namespaces[prefix.Name] = "{" + prefix.Value.GetString() + "}";
        }
        return namespaces;
    }

    // ---- The tree --------------------------------------------------------------------------------

    /// <summary>A child of the tree: a named node, or a source/destination/bizTransaction entry kept as its two fields in document order.</summary>
    abstract class Item;

    sealed class Node(string name, string value, List<Item> children) : Item
    {
        public string Name { get; } = name;
        public string Value { get; } = value;
        public List<Item> Children { get; } = children;
    }

    sealed class Pair(Node first, Node second) : Item
    {
        public Node First { get; } = first;
        public Node Second { get; } = second;
    }

    static readonly string[] Unsorted = ["bizTransaction", "source", "destination"];
    static readonly string[] Ignored = ["#text", "rdfs:comment", "comment"];

    /// <summary>json_to_py: keys and values with their namespaces written out, bare CBV words replaced, children sorted.</summary>
    sealed class Reader(Dictionary<string, string> namespaces, IReadOnlySet<string> expanded)
    {
        public Node Read(JsonElement json)
        {
            var name = "";
            var value = "";
            var children = new List<Item>();
            switch (json.ValueKind)
            {
                case JsonValueKind.Array:
                    foreach (var item in json.EnumerateArray()) children.Add(Read(item));
                    if (!json.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && Unsorted.Contains(e.GetString())))
                        children.Sort(Compare);
                    return new Node(name, value, children);
                case JsonValueKind.Object:
                    if (json.TryGetProperty("type", out var type)) name = type.ValueKind == JsonValueKind.String ? type.GetString()! : type.GetRawText();
                    if (json.TryGetProperty("#text", out var text) && text.ValueKind == JsonValueKind.String) value = text.GetString()!;
                    foreach (var property in json.EnumerateObject())
                    {
                        if (Ignored.Contains(property.Name)) continue;
                        if (property.Name.StartsWith("@xmlns", StringComparison.Ordinal))
                        {
                            namespaces[property.Name[Math.Min(7, property.Name.Length)..]] = "{" + Scalar(property.Value) + "}";
                            name = Prefixed(name, false);
                            continue;
                        }
                        var child = Read(property.Value);
                        var key = Prefixed(property.Name, false);
                        if (property.Value.ValueKind == JsonValueKind.Array)
                            foreach (var element in child.Children.Cast<Node>()) children.Add(new Node(key, element.Value, element.Children));
                        else children.Add(new Node(key, child.Value, child.Children));
                    }
                    if (!Unsorted.Any(k => json.TryGetProperty(k, out _))) children.Sort(Compare);
                    return new Node(name, value, children);
                default:
                    return new Node("", Scalar(json), children);
            }
        }

        /// <summary>A scalar as Python's str() writes what json.loads read: True, False, None, ints exactly, floats by repr.</summary>
        string Scalar(JsonElement json) => json.ValueKind switch
        {
            JsonValueKind.String => Prefixed(Vocabulary.Replacement(json.GetString()!, expanded) ?? json.GetString()!, true),
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            JsonValueKind.Null => "None",
            JsonValueKind.Number => PythonNumber(json.GetRawText()),
            _ => json.GetRawText(),
        };

        string Prefixed(string text, bool isValue)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !namespaces.TryGetValue(text[..colon], out var iri)) return text;
            return (isValue ? iri.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal) : iri) + text[(colon + 1)..];
        }
    }

    /// <summary>json_xml_model_mismatch_correction: lists named as their XML elements, quantity elements, childEPCs.</summary>
    static Node Correct(Node node)
    {
        var children = node.Children;
        var lists = new List<(string Name, List<Node> Elements)>();
        foreach (var element in children.OfType<Node>().Where(n => n.Name.EndsWith("List", StringComparison.Ordinal)).ToList())
        {
            var entry = lists.FirstOrDefault(l => l.Name == element.Name);
            if (entry.Elements is null) lists.Add(entry = (element.Name, []));
            entry.Elements.Add(new Node(element.Name[..^4], element.Value, element.Children));
            children.Remove(element);
        }
        foreach (var (name, elements) in lists)
        {
            if (name is "sourceList" or "destinationList" or "bizTransactionList")
                children.Add(new Node(name, "", [.. elements.Select(e => e.Children.Count >= 2
                    ? new Pair((Node)e.Children[0], (Node)e.Children[1])
                    : throw new EpcisFormatException(name, "every entry needs a type and an identifier"))]));
            else children.Add(new Node(name, "", [.. elements]));
        }
        var childEpcs = children.OfType<Node>().Where(n => n.Name == "childEPCs").ToList();
        foreach (var epc in childEpcs) children.Remove(epc);
        if (childEpcs.Count > 0) children.Add(new Node("childEPCs", "", [.. childEpcs.Select(e => (Item)new Node("epc", e.Value, []))]));

        var corrected = children.Select(c => c is Node n && n.Name is not ("sourceList" or "destinationList" or "bizTransactionList") ? Correct(n) : c).ToList();
        var renamed = node.Name switch
        {
            "inputEPC" or "outputEPC" => "epc",
            "inputQuantity" or "outputQuantity" or "childQuantity" => "quantityElement",
            "quantity" when corrected.Count > 0 => "quantityElement",
            _ => node.Name,
        };
        return new Node(renamed, node.Value, corrected);
    }

    // ---- The pre-hash string ----------------------------------------------------------------------

    /// <summary>A field of the fixed order, with the order of its own children (null for a leaf).</summary>
    sealed record Field(string Name, Field[]? Children = null);

    static readonly Field[] Quantity = [new("epcClass"), new("quantity"), new("uom")];
    static readonly Field[] Epc = [new("epc")];

    // The reference's order also names bizTransactionList, sourceList and destinationList, but with a child order that
    // never matches, so they are always written with the other fields after it; they are left out here to the same effect.
    static readonly Field[] Order =
    [
        new("eventTime"), new("eventTimeZoneOffset"), new("certificationInfo"), new("parentID"),
        new("epcList", Epc), new("inputEPCList", Epc), new("childEPCs", Epc),
        new("quantityList", [new("quantityElement", Quantity)]), new("childQuantityList", [new("quantityElement", Quantity)]),
        new("inputQuantityList", [new("quantityElement", Quantity)]), new("outputEPCList", Epc),
        new("outputQuantityList", [new("quantityElement", Quantity)]),
        new("action"), new("transformationID"), new("bizStep"), new("disposition"),
        new("persistentDisposition", [new("set"), new("unset")]),
        new("readPoint", [new("id")]), new("bizLocation", [new("id")]),
        new("sensorElementList",
        [
            new("sensorElement",
            [
                new("sensorMetadata", [.. new[] { "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules" }.Select(n => new Field(n))]),
                new("sensorReport", [.. new[]
                {
                    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time", "microorganism", "chemicalSubstance",
                    "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev",
                    "percRank", "percValue", "uom", "coordinateReferenceSystem",
                }.Select(n => new Field(n))]),
            ]),
        ]),
    ];

    static readonly string[] NotHashed = ["recordTime", "eventID", "type", "errorDeclaration"];

    static string PreHash(Node ev)
    {
        var ordered = InOrder(ev.Children, Order);
        var rest = Generic([.. ev.Children.Where(c => c is not Node n || !NotHashed.Contains(n.Name))]);
        return "eventType=" + ev.Name + ordered + rest;
    }

    /// <summary>The ordered fields, each consumed from the tree once written; an element's extensions follow its standard fields.</summary>
    static string InOrder(List<Item> children, Field[] order)
    {
        var extensions = Extensions(children);
        var text = new StringBuilder();
        foreach (var field in order)
        {
            var values = new List<string>();
            foreach (var child in children.OfType<Node>().Where(n => n.Name == field.Name).ToList())
            {
                var written = Written(child, field.Children);
                if (written.Length > 0) values.Add(written);
                if (child.Children.Count == 0) children.Remove(child);
            }
            values.Sort(CodePoints);
            foreach (var value in values) text.Append(value);
        }
        if (extensions.Count > 0) text.Append(Generic(extensions));
        return text.ToString();
    }

    /// <summary>Extensions inside an element (not the event itself: it has an eventTime or action), taken out to be written last.</summary>
    static List<Item> Extensions(List<Item> children)
    {
        if (children.Count <= 1) return [];
        if (children.OfType<Node>().Any(n => n.Name.Contains("eventTime", StringComparison.Ordinal) || n.Name.Contains("action", StringComparison.Ordinal))) return [];
        var extensions = children.Where(c => c is Node n && n.Name.Contains('{', StringComparison.Ordinal) && n.Name.Contains("/}", StringComparison.Ordinal)).ToList();
        foreach (var extension in extensions) children.Remove(extension);
        return extensions;
    }

    static string Written(Node child, Field[]? order)
    {
        var grandChildren = order is null ? "" : InOrder(child.Children, order);
        var text = "";
        if (child.Value.Length > 0)
        {
            text = child.Value.Trim();
            var lower = child.Name.ToLowerInvariant();
            text = lower.Contains("time", StringComparison.Ordinal) && !lower.Contains("offset", StringComparison.Ordinal) ? Timestamp(text) : Canonical(text);
            if (text.Length > 0) text = "=" + text;
        }
        return text.Length > 0 || grandChildren.Length > 0 ? child.Name + text + grandChildren : "";
    }

    /// <summary>Everything outside the fixed order: each child serialised, the list sorted unless it is one entry's type and identifier.</summary>
    static string Generic(List<Item> children)
    {
        var values = new List<string>(children.Count);
        foreach (var child in children)
        {
            if (child is Pair pair)
            {
                values.Add(Generic([pair.First, pair.Second]));
                continue;
            }
            var node = (Node)child;
            var text = node.Value.Trim();
            if (text.Length > 0) text = "=" + Canonical(text);
            values.Add(node.Name + text + Generic(node.Children));
        }
        if (children.Count > 1 && !children.Any(c => c is Node n && Unsorted.Contains(n.Name))) values.Sort(CodePoints);
        return string.Concat(values);
    }

    // ---- Values -----------------------------------------------------------------------------------

    static readonly (string Urn, string Web)[] CbvUrns =
    [
        ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"), ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
        ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"), ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
        ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
    ];

    static string Canonical(string text)
    {
        foreach (var (urn, web) in CbvUrns) text = text.Replace(urn, web, StringComparison.Ordinal);
        text = Numeric(text);
        return DigitalLink.Normalise(text) ?? text;
    }

    // Python's float(): optional sign, digits with single underscores between them, a point, an exponent; or inf/nan.
    static readonly Regex PythonFloat = new(@"^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$", RegexOptions.CultureInvariant);

    /// <summary>A number without trailing zeros or ".0" (318.0 is 318), as the reference's float round trip writes it.</summary>
    static string Numeric(string text)
    {
        if (!PythonFloat.IsMatch(text)) return text;
        var number = double.Parse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(number)) return text;
        return Math.Floor(number) == number ? new BigInteger(number).ToString(CultureInfo.InvariantCulture) : PythonRepr(number);
    }

    /// <summary>A JSON number as Python's str() of what json.loads gives: an int exactly, a float by repr.</summary>
    static string PythonNumber(string raw)
    {
        if (!raw.Contains('.', StringComparison.Ordinal) && !raw.Contains('e', StringComparison.OrdinalIgnoreCase)) return raw.TrimStart('+');
        var number = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(number)) return number > 0 ? "inf" : "-inf";
        var repr = PythonRepr(number);
        return Math.Floor(number) == number && Math.Abs(number) < 1e16 ? new BigInteger(number).ToString(CultureInfo.InvariantCulture) + ".0" : repr;
    }

    /// <summary>The shortest round-trip digits, as both runtimes choose them; Python writes the exponent in lower case.</summary>
    static string PythonRepr(double number) =>
        number.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);

    /// <summary>A time as UTC with exactly three fractional digits, rounded half to even at the millisecond; unparseable text stays.</summary>
    static string Timestamp(string text)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return text;
        var utc = parsed.ToUniversalTime();
        var ticks = utc.Ticks % TimeSpan.TicksPerSecond;
        var microseconds = ticks / 10;
        var milliseconds = (long)Math.Round(microseconds / 1000m, MidpointRounding.ToEven);
        var rounded = utc.AddTicks(-ticks).AddMilliseconds(milliseconds);
        return rounded.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    static int Compare(Item a, Item b)
    {
        if (a is not Node x || b is not Node y) return 0;
        var byName = CodePoints(x.Name, y.Name);
        if (byName != 0) return byName;
        var byValue = CodePoints(x.Value, y.Value);
        if (byValue != 0) return byValue;
        for (var i = 0; i < Math.Min(x.Children.Count, y.Children.Count); i++)
            if (Compare(x.Children[i], y.Children[i]) is var c and not 0) return c;
        return x.Children.Count.CompareTo(y.Children.Count);
    }

    /// <summary>Python orders strings by code point; UTF-16 ordinal order differs for characters beyond the BMP.</summary>
    internal static int CodePoints(string? a, string? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var hasA = ea.MoveNext();
            var hasB = eb.MoveNext();
            if (!hasA || !hasB) return hasA ? 1 : hasB ? -1 : 0;
            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0) return c;
        }
    }
}

/// <summary>A document the hash (or the capture) cannot read, with the field at fault.</summary>
public sealed class EpcisFormatException(string field, string rule) : Exception($"{field}: {rule}")
{
    public string Field { get; } = field;
    public string Rule { get; } = rule;
}
