using System.Text.Json;

namespace Traceability.ReferenceData;

/// <summary>A prefecture-level division (地级行政区) by its GB/T 2260 code.</summary>
public sealed record City(string Code, string NameZh, string NamePinyin, string Province);

/// <summary>The cities the service knows, from seeds/cities.json; a code it does not know is refused.</summary>
public sealed class Cities
{
    readonly Dictionary<string, City> _byCode;

    public Cities(IEnumerable<City> cities) => _byCode = cities.ToDictionary(c => c.Code);

    public bool IsKnown(string? code) => code is not null && _byCode.ContainsKey(code);

    public City? Find(string code) => _byCode.GetValueOrDefault(code);

    public IReadOnlyCollection<City> All => _byCode.Values;

    public static Cities Load(string seedsFolder)
    {
        var file = SeedFile.Read<CitiesFile>(seedsFolder, "cities.json");
        return new Cities(file.Cities);
    }

    sealed record CitiesFile(List<City> Cities);
}

static class SeedFile
{
    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static T Read<T>(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Reference data file {path} is missing; it ships in the repository's seeds/ folder.", path);
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<T>(stream, Options)
               ?? throw new InvalidDataException($"Reference data file {path} is empty.");
    }

    /// <summary>seeds/ is copied beside the binaries at build time.</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "seeds");
}
