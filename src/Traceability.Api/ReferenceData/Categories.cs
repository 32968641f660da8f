using Traceability.Hosting;
using System.Text.Json.Serialization;

namespace Traceability.ReferenceData;

/// <summary>The identity each unit of a category carries.</summary>
[JsonConverter(typeof(NamedEnumConverter<IdentifierKind>))]
public enum IdentifierKind
{
    [JsonStringEnumMemberName("none")] None,
    /// <summary>Vehicle identification number (GB 16735).</summary>
    [JsonStringEnumMemberName("vin")] Vin,
    /// <summary>Power battery code (GB/T 34014).</summary>
    [JsonStringEnumMemberName("battery-code")] BatteryCode,
}

/// <summary>The ends waste comes to (the policy's reuse, material recycling, energy recovery, disposal).</summary>
[JsonConverter(typeof(NamedEnumConverter<Fate>))]
public enum Fate
{
    /// <summary>Second-hand sale or use as it is (再利用).</summary>
    [JsonStringEnumMemberName("reuse")] Reuse,
    /// <summary>Restored to as-new by a certified remanufacturer (再制造).</summary>
    [JsonStringEnumMemberName("remanufacture")] Remanufacture,
    /// <summary>Battery packs and modules put to a second, less demanding use such as energy storage (梯次利用).</summary>
    [JsonStringEnumMemberName("cascade-use")] CascadeUse,
    /// <summary>Material recycling (再生利用); its outputs are new batches.</summary>
    [JsonStringEnumMemberName("recycling")] Recycling,
    /// <summary>Incineration or co-processing with energy recovery.</summary>
    [JsonStringEnumMemberName("energy-recovery")] EnergyRecovery,
    /// <summary>Landfill or incineration without recovery.</summary>
    [JsonStringEnumMemberName("disposal")] Disposal,
}

/// <summary>One waste or secondary-material category of seeds/categories.json.</summary>
/// <param name="NationalListCode">Hazardous waste: its code in the National Hazardous Waste List (HW01-HW50).</param>
/// <param name="BatteryProductType">Battery codes: the GB/T 34014 product-type letter (P pack, M module, C cell) a unit's code carries.</param>
/// <param name="Dismantlable">Units are taken apart into components and materials (vehicles, packs, appliances).</param>
/// <param name="Fates">The ends a batch of this category may come to.</param>
/// <param name="StorageLimitDays">How long one holder may store a batch of it (medical waste 2 days, other hazardous waste a year).</param>
/// <param name="InService">A product in use (a cascade-use battery): received without a waste licence until it comes back as waste.</param>
public sealed record Category(
    string Code,
    string Group,
    string NameZh,
    string NameEn,
    IdentifierKind IdentifierKind,
    bool Hazardous,
    bool CountsUnits,
    string? NationalListCode = null,
    char? BatteryProductType = null,
    bool Dismantlable = false,
    IReadOnlyList<Fate>? Fates = null,
    int? StorageLimitDays = null,
    bool InService = false)
{
    /// <summary>Secondary materials are products of recycling, sold as goods: no waste licence governs them.</summary>
    public bool IsProduct => Group == CategoryGroups.SecondaryMaterial;

    public bool Allows(Fate fate) => Fates?.Contains(fate) == true;

    /// <summary>Waste rather than a good: secondary materials and products in service need no waste licence.</summary>
    public bool IsWaste => !IsProduct && !InService;
}

public static class CategoryGroups
{
    public const string PowerBattery = "power-battery";
    public const string SecondaryMaterial = "secondary-material";
}

/// <summary>The closed set of waste categories and their groups, from seeds/categories.json.</summary>
public sealed class Categories
{
    readonly Dictionary<string, Category> _byCode;

    public Categories(IEnumerable<Category> categories, IEnumerable<string> groups)
    {
        _byCode = categories.ToDictionary(c => c.Code);
        Groups = groups.ToHashSet(StringComparer.Ordinal);
        if (_byCode.Values.FirstOrDefault(c => !Groups.Contains(c.Group)) is { } stray)
            throw new InvalidDataException($"Category {stray.Code} names group {stray.Group}, which seeds/categories.json does not list.");
    }

    public Category? Find(string? code) => code is null ? null : _byCode.GetValueOrDefault(code);

    public IReadOnlyCollection<Category> All => _byCode.Values;

    /// <summary>The National Hazardous Waste List the hazardous categories' batches take their codes from.</summary>
    public HazardousWasteList HazardousWaste { get; init; } = HazardousWasteList.Empty;

    public IReadOnlySet<string> Groups { get; }

    public static Categories Load(string seedsFolder)
    {
        var file = SeedFile.Read<CategoriesFile>(seedsFolder, "categories.json");
        return new(file.Categories, file.Groups) { HazardousWaste = HazardousWasteList.Load(seedsFolder) };
    }

    sealed record CategoriesFile(List<Category> Categories, List<string> Groups);
}
