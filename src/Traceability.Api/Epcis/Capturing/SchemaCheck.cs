using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Traceability.Epcis.Capturing;

/// <summary>A place in the document (<c>epcisBody.eventList[3].action</c>) and the schema rule it breaks.</summary>
public sealed record SchemaError(string Path, string Rule);

/// <summary>
/// JSON Schema draft-07, the keywords the EPCIS 2.0.1 schema uses: $ref, type, enum, required, properties,
/// additionalProperties, propertyNames, items, minItems, uniqueItems, pattern, format (uri: has a scheme; date-time:
/// RFC 3339), allOf, anyOf, oneOf, not, if/then/else. Written here because NJsonSchema, the validator the registry
/// has, ignores if/then, and the EPCIS schema selects each event type's rules with it: every invalid sample would pass.
/// </summary>
public sealed class SchemaCheck
{
    /// <summary>Errors past this many are not collected: the first ones say enough, and a hostile document cannot make the answer huge.</summary>
    public const int MaxErrors = 50;

    readonly JsonElement root;

    SchemaCheck(JsonElement root) => this.root = root;

    public static SchemaCheck Epcis { get; } = Load("epcis-json-schema.json");

    static SchemaCheck Load(string resource)
    {
        using var stream = typeof(SchemaCheck).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The schema {resource} is not embedded in the assembly.");
        return new SchemaCheck(JsonDocument.Parse(stream).RootElement.Clone());
    }

    public List<SchemaError> Check(JsonElement document)
    {
        var errors = new List<SchemaError>();
        Validate(root, document, "", errors);
        return errors;
    }

    bool Validate(JsonElement schema, JsonElement value, string path, List<SchemaError>? errors)
    {
        if (schema.ValueKind == JsonValueKind.True) return true;
        if (schema.ValueKind == JsonValueKind.False) return Fail(errors, path, "is not allowed");
        var valid = true;
        foreach (var keyword in schema.EnumerateObject())
        {
            if (errors is { Count: >= MaxErrors }) return false;
            var rule = keyword.Value;
            switch (keyword.Name)
            {
                case "$ref":
                    valid &= Validate(Resolve(rule.GetString()!), value, path, errors);
                    break;
                case "type":
                    if (!(rule.ValueKind == JsonValueKind.Array ? rule.EnumerateArray().Any(t => IsType(value, t.GetString()!)) : IsType(value, rule.GetString()!)))
                        valid &= Fail(errors, path, $"must be of type {(rule.ValueKind == JsonValueKind.Array ? string.Join(" or ", rule.EnumerateArray()) : rule.GetString())}");
                    break;
                case "enum":
                    if (!rule.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
                        valid &= Fail(errors, path, $"must be one of {Listed(rule)}");
                    break;
                case "required" when value.ValueKind == JsonValueKind.Object:
                    foreach (var name in rule.EnumerateArray().Select(n => n.GetString()!).Where(n => !value.TryGetProperty(n, out _)))
                        valid &= Fail(errors, Join(path, name), "is required");
                    break;
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                        if (rule.TryGetProperty(property.Name, out var propertySchema))
                            valid &= Validate(propertySchema, property.Value, Join(path, property.Name), errors);
                    break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.Object:
                    var declared = schema.TryGetProperty("properties", out var props) ? props : default;
                    foreach (var property in value.EnumerateObject())
                        if (declared.ValueKind != JsonValueKind.Object || !declared.TryGetProperty(property.Name, out _))
                            valid &= rule.ValueKind == JsonValueKind.False
                                ? Fail(errors, Join(path, property.Name), "is not a field this element has")
                                : Validate(rule, property.Value, Join(path, property.Name), errors);
                    break;
                case "propertyNames" when value.ValueKind == JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        using var name = JsonDocument.Parse(JsonSerializer.Serialize(property.Name));
                        if (!Validate(rule, name.RootElement, Join(path, property.Name), null))
                            valid &= Fail(errors, Join(path, property.Name), "is neither a field of this element nor an extension named by a URI or a declared prefix");
                    }
                    break;
                case "items" when value.ValueKind == JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        var itemSchema = rule.ValueKind == JsonValueKind.Array ? (index < rule.GetArrayLength() ? rule[index] : default) : rule;
                        if (itemSchema.ValueKind != JsonValueKind.Undefined) valid &= Validate(itemSchema, item, $"{path}[{index}]", errors);
                        index++;
                    }
                    break;
                case "minItems" when value.ValueKind == JsonValueKind.Array:
                    if (value.GetArrayLength() < rule.GetInt32()) valid &= Fail(errors, path, $"must hold at least {rule.GetInt32()} item(s)");
                    break;
                case "uniqueItems" when value.ValueKind == JsonValueKind.Array && rule.ValueKind == JsonValueKind.True:
                    var items = value.EnumerateArray().ToList();
                    if (items.Where((a, i) => items.Skip(i + 1).Any(b => JsonElement.DeepEquals(a, b))).Any()) valid &= Fail(errors, path, "must not repeat an item");
                    break;
                case "pattern" when value.ValueKind == JsonValueKind.String:
                    if (!Regex.IsMatch(value.GetString()!, rule.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
                        valid &= Fail(errors, path, $"must match {rule.GetString()}");
                    break;
                case "format" when value.ValueKind == JsonValueKind.String:
                    if (!HasFormat(value.GetString()!, rule.GetString()!)) valid &= Fail(errors, path, $"must be a {rule.GetString()}");
                    break;
                case "allOf":
                    foreach (var part in rule.EnumerateArray()) valid &= Validate(part, value, path, errors);
                    break;
                case "anyOf":
                    if (!rule.EnumerateArray().Any(part => Validate(part, value, path, null)))
                        valid &= Fail(errors, path, Alternatives(rule, value));
                    break;
                case "oneOf":
                    var matching = rule.EnumerateArray().Count(part => Validate(part, value, path, null));
                    if (matching != 1) valid &= Fail(errors, path, matching == 0 ? Alternatives(rule, value) : "matches more than one of the allowed forms");
                    break;
                case "not":
                    if (Validate(rule, value, path, null)) valid &= Fail(errors, path, "has a form that is not allowed here");
                    break;
                case "if":
                    var branch = Validate(rule, value, path, null) ? "then" : "else";
                    if (schema.TryGetProperty(branch, out var chosen)) valid &= Validate(chosen, value, path, errors);
                    break;
            }
        }
        return valid;
    }

    /// <summary>An anyOf over enum-or-URI (bizStep, disposition...) reads best as its enum; otherwise a general rule.</summary>
    string Alternatives(JsonElement parts, JsonElement value)
    {
        var listed = parts.EnumerateArray().Select(p => p.TryGetProperty("$ref", out var r) ? Resolve(r.GetString()!) : p)
            .FirstOrDefault(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("enum", out _));
        return listed.ValueKind == JsonValueKind.Object && value.ValueKind == JsonValueKind.String
            ? $"must be one of {Listed(listed.GetProperty("enum"))}, or a URI"
            : "matches none of the allowed forms";
    }

    JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal)) throw new InvalidOperationException($"Only local references are supported: {reference}");
        var node = root;
        foreach (var part in reference[2..].Split('/')) node = node.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        return node;
    }

    static bool IsType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    static readonly Regex Scheme = new("^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]*$", RegexOptions.CultureInvariant);
    static readonly Regex DateTime = new(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant);

    /// <summary>uri: an absolute URI (a scheme, no spaces); date-time: RFC 3339 that is also a real instant.</summary>
    static bool HasFormat(string text, string format) => format switch
    {
        "uri" => Scheme.IsMatch(text),
        "date-time" => DateTime.IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        _ => true,
    };

    static string Listed(JsonElement options)
    {
        var all = options.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.String ? o.GetString()! : o.GetRawText()).ToList();
        return all.Count <= 12 ? string.Join(", ", all) : string.Join(", ", all.Take(12)) + $" ({all.Count - 12} more)";
    }

    static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    static bool Fail(List<SchemaError>? errors, string path, string rule)
    {
        if (errors is { Count: < MaxErrors }) errors.Add(new SchemaError(path.Length == 0 ? "(document)" : path, rule));
        return false;
    }
}
