using System.Collections.Immutable;
using System.Text.Json;

namespace Traceability.Epcis.Hashing;

/// <summary>
/// The CBV and GS1 terms a document's values expand to under the EPCIS 2.0.0 JSON-LD context: bizStep "shipping" is
/// https://ref.gs1.org/cbv/BizStep-shipping, a sensor type "Temperature" is https://gs1.org/voc/Temperature.
/// The reference hash generator expands the document with a JSON-LD processor, keeps the expanded values under those
/// two vocabularies, and then replaces any bare string value that exactly one of them ends with ("-shipping" or
/// "/shipping"). This does the same from the context's own term definitions (the properties typed <c>@vocab</c> and
/// the contexts scoped to them), without a general JSON-LD processor.
/// </summary>
sealed class Vocabulary
{
    static readonly string[] Kept = ["https://ref.gs1.org/cbv", "https://gs1.org/voc"];

    /// <summary>The 2.0.0 context, as GS1 serves it at the URL documents name; the hash is pinned to it.</summary>
    public const string ContextUrl = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

    readonly ImmutableDictionary<string, JsonElement> standard;

    Vocabulary(ImmutableDictionary<string, JsonElement> standard) => this.standard = standard;

    public static Vocabulary Standard { get; } = Load();

    static Vocabulary Load()
    {
        using var stream = typeof(Vocabulary).Assembly.GetManifestResourceStream("epcis-context-2.0.0.jsonld")
            ?? throw new InvalidOperationException("The EPCIS 2.0.0 context is not embedded in the assembly.");
        using var json = JsonDocument.Parse(stream);
        return new Vocabulary(Merge(ImmutableDictionary<string, JsonElement>.Empty, json.RootElement.GetProperty("@context").Clone()));
    }

    /// <summary>Every kept expanded value in the document (its header, every event), to match bare strings against.</summary>
    public IReadOnlySet<string> ExpandedValues(JsonElement document)
    {
        var context = standard;
        if (document.TryGetProperty("@context", out var own)) context = Merge(context, own);
        var found = new HashSet<string>(StringComparer.Ordinal);
        Walk(document, context, found);
        return found;
    }

    /// <summary>The one kept value that ends with "-value" or "/value", if exactly one does.</summary>
    public static string? Replacement(string value, IReadOnlySet<string> expanded)
    {
        string? match = null;
        foreach (var candidate in expanded)
        {
            if (!candidate.EndsWith("-" + value, StringComparison.Ordinal) && !candidate.EndsWith("/" + value, StringComparison.Ordinal)) continue;
            if (match is not null) return null;
            match = candidate;
        }
        return match;
    }

    static void Walk(JsonElement node, ImmutableDictionary<string, JsonElement> context, HashSet<string> found)
    {
        if (node.ValueKind != JsonValueKind.Object) return;
        foreach (var property in node.EnumerateObject())
        {
            if (property.Name == "@context") continue;
            var scoped = context;
            string? type = null;
            if (context.TryGetValue(property.Name, out var definition) && definition.ValueKind == JsonValueKind.Object)
            {
                if (definition.TryGetProperty("@context", out var inner)) scoped = Merge(context, inner);
                if (definition.TryGetProperty("@type", out var t) && t.ValueKind == JsonValueKind.String) type = t.GetString();
            }
            Visit(property.Value, scoped, type, found);
        }
    }

    static void Visit(JsonElement value, ImmutableDictionary<string, JsonElement> context, string? type, HashSet<string> found)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString()!;
                var expanded = type switch
                {
                    "@vocab" => Curie(context.TryGetValue(text, out var term) && term.ValueKind == JsonValueKind.String ? term.GetString()! : text, context),
                    "@id" => Curie(text, context),
                    _ => text,
                };
                if (Kept.Any(k => expanded.StartsWith(k, StringComparison.Ordinal))) found.Add(expanded);
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) Visit(item, context, type, found);
                break;
            case JsonValueKind.Object:
                Walk(value, context, found);
                break;
        }
    }

    static string Curie(string text, ImmutableDictionary<string, JsonElement> context)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || text.AsSpan(colon + 1).StartsWith("//")) return text;
        return context.TryGetValue(text[..colon], out var prefix) && prefix.ValueKind == JsonValueKind.String ? prefix.GetString() + text[(colon + 1)..] : text;
    }

    /// <summary>A context (object, array of them, or the 2.0.0 context's URL) laid over the active one.</summary>
    static ImmutableDictionary<string, JsonElement> Merge(ImmutableDictionary<string, JsonElement> active, JsonElement context)
    {
        switch (context.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in context.EnumerateArray()) active = Merge(active, item);
                return active;
            case JsonValueKind.Object:
                var builder = active.ToBuilder();
                foreach (var term in context.EnumerateObject()) builder[term.Name] = term.Value.Clone();
                return builder.ToImmutable();
            default:
                // A URL: the standard context is already the base; any other remote context is not fetched.
                return active;
        }
    }
}
