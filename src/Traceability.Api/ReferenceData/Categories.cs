using System.Text.Json.Serialization;

namespace Traceability.ReferenceData;

/// <summary>The identity each unit of a category carries.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IdentifierKind>))]
public enum IdentifierKind
{
    [JsonStringEnumMemberName("none")] None,
    /// <summary>Vehicle identification number (GB 16735).</summary>
    [JsonStringEnumMemberName("vin")] Vin,
    /// <summary>Power battery code (GB/T 34014).</summary>
    [JsonStringEnumMemberName("battery-code")] BatteryCode,
}

public sealed record Category(
    string Code,
    string Group,
    string NameZh,
    string NameEn,
    IdentifierKind IdentifierKind,
    bool Hazardous,
    bool CountsUnits);

/// <summary>The closed set of waste categories, from seeds/categories.json.</summary>
public sealed class Categories
{
    readonly Dictionary<string, Category> _byCode;

    public Categories(IEnumerable<Category> categories) => _byCode = categories.ToDictionary(c => c.Code);

    public Category? Find(string? code) => code is null ? null : _byCode.GetValueOrDefault(code);

    public IReadOnlyCollection<Category> All => _byCode.Values;

    public static Categories Load(string seedsFolder) =>
        new(SeedFile.Read<CategoriesFile>(seedsFolder, "categories.json").Categories);

    sealed record CategoriesFile(List<Category> Categories);
}
