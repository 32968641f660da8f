using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;

namespace Traceability.Hosting;

/// <summary>
/// What every request body keeps, whatever the field, on top of <see cref="JsonConventions"/>: no key twice,
/// text without control or direction-override characters and of bounded length, instants and dates within
/// the years the product records, enums by name only (<see cref="NamedEnumConverter{T}"/>). A breach is a
/// 400 naming the field and the rule. Stored events are read without these checks.
/// </summary>
public static class RequestJson
{
    /// <summary>Longest text any field takes; fields with a lower bound check theirs too.</summary>
    public const int MaxTextLength = 4000;

    public static readonly Instant Earliest = Instant.FromUtc(2000, 1, 1, 0, 0);
    public static readonly Instant Latest = Instant.FromUtc(2100, 1, 1, 0, 0);

    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        JsonConventions.Apply(options);
        options.AllowDuplicateProperties = false;
        options.Converters.Insert(0, new BoundedText());
        options.Converters.Insert(0, new BoundedInstant());
        options.Converters.Insert(0, new BoundedDate());
        return options;
    }

    /// <summary>The rule a text breaks, or null: C0 and C1 controls other than tab and line breaks, and the Unicode direction overrides and isolates that make text read otherwise than it is stored.</summary>
    public static string? TextRule(string text)
    {
        if (text.Length > MaxTextLength) return $"must be at most {MaxTextLength} characters";
        foreach (var c in text)
            if (c is '\t' or '\n' or '\r') continue;
            else if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C')
                return $"must not contain control or direction-override characters (U+{(int)c:X4})";
        return null;
    }

    sealed class BoundedText : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new InputRuleException("must be a string");
            var text = reader.GetString()!;
            return TextRule(text) is { } rule ? throw new InputRuleException(rule) : text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    const string InstantShape = "must be an ISO 8601 instant such as 2026-11-20T08:00:00Z";

    /// <summary>The instant <paramref name="text"/> names, or the rule it breaks: bodies and query parameters (asOf, from, to) alike.</summary>
    public static (Instant? Value, string? Rule) ParseInstant(string text)
    {
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        if (!parsed.Success) return (null, InstantShape);
        if (parsed.Value < Earliest || parsed.Value >= Latest) return (null, "must be in the years 2000 to 2099");
        return (parsed.Value, null);
    }

    sealed class BoundedInstant : JsonConverter<Instant>
    {
        public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new InputRuleException(InstantShape);
            var (value, rule) = ParseInstant(reader.GetString()!);
            return value ?? throw new InputRuleException(rule!);
        }

        public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options) =>
            writer.WriteStringValue(InstantPattern.ExtendedIso.Format(value));
    }

    sealed class BoundedDate : JsonConverter<LocalDate>
    {
        public override LocalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var parsed = reader.TokenType == JsonTokenType.String ? LocalDatePattern.Iso.Parse(reader.GetString()!) : null;
            if (parsed is not { Success: true }) throw new InputRuleException("must be a date such as 2026-11-20");
            if (parsed.Value.Year is < 2000 or > 2099) throw new InputRuleException("must be in the years 2000 to 2099");
            return parsed.Value;
        }

        public override void Write(Utf8JsonWriter writer, LocalDate value, JsonSerializerOptions options) =>
            writer.WriteStringValue(LocalDatePattern.Iso.Format(value));
    }
}

/// <summary>A field's value broke a rule every request keeps; the message is the rule.</summary>
public sealed class InputRuleException(string rule) : JsonException(rule)
{
    public string Rule => Message;
}

/// <summary>Enums by their names only: a number where a name is expected (role 99, activity -1) is refused, not cast.</summary>
public sealed class NamedEnumConverter<T>() : JsonStringEnumConverter<T>(namingPolicy: null, allowIntegerValues: false) where T : struct, Enum;
