using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Traceability.Batches;

/// <summary>A mass in kilograms, decimal so sums balance to the gram. Serialized as a plain number.</summary>
[JsonConverter(typeof(MassJsonConverter))]
public readonly record struct Mass(decimal Kilograms) : IComparable<Mass>
{
    /// <summary>Largest batch accepted: a million tonnes. Anything larger is a unit mistake.</summary>
    public const decimal MaxKilograms = 1_000_000_000m;

    public static Mass operator +(Mass a, Mass b) => new(a.Kilograms + b.Kilograms);
    public static Mass operator -(Mass a, Mass b) => new(a.Kilograms - b.Kilograms);
    public static bool operator <(Mass a, Mass b) => a.Kilograms < b.Kilograms;
    public static bool operator >(Mass a, Mass b) => a.Kilograms > b.Kilograms;
    public static bool operator <=(Mass a, Mass b) => a.Kilograms <= b.Kilograms;
    public static bool operator >=(Mass a, Mass b) => a.Kilograms >= b.Kilograms;
    public int CompareTo(Mass other) => Kilograms.CompareTo(other.Kilograms);

    public Mass Abs() => new(Math.Abs(Kilograms));

    /// <summary>The difference from <paramref name="reference"/> as a percentage of it.</summary>
    public decimal PercentOff(Mass reference) => reference.Kilograms == 0 ? 0 : Math.Abs(Kilograms - reference.Kilograms) / reference.Kilograms * 100m;

    /// <summary>Null when <paramref name="kilograms"/> is an acceptable mass, else the rule it breaks.</summary>
    public static string? Check(decimal kilograms)
    {
        if (kilograms <= 0) return "must be greater than 0";
        if (kilograms > MaxKilograms) return $"must be at most {MaxKilograms:0} kg";
        if (decimal.Round(kilograms, 3) != kilograms) return "must have at most 3 decimal places (grams)";
        return null;
    }

    public override string ToString() => Kilograms.ToString("0.###", CultureInfo.InvariantCulture) + " kg";
}

public sealed class MassJsonConverter : JsonConverter<Mass>
{
    public override Mass Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetDecimal());
    public override void Write(Utf8JsonWriter writer, Mass value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Kilograms);
}
