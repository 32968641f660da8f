namespace Traceability.ReferenceData;

/// <summary>A class of the National Hazardous Waste List (HW01-HW50).</summary>
public sealed record WasteClass(string Code, string NameZh, string NameEn);

/// <summary>An 8-digit waste code of the list: industry (3), sequence (3), class (2), with its hazards (T, C, I, R, In).</summary>
public sealed record WasteCode(string Code, string Class, string NameZh, string NameEn, string Hazards);

/// <summary>
/// The National Hazardous Waste List (2025) as seeds/hazardous-waste.json carries it. Its unit is the 8-digit
/// code: a hazardous batch names one, a licence approves codes or whole classes, a manifest carries one.
/// </summary>
public sealed class HazardousWasteList
{
    readonly Dictionary<string, WasteClass> _classes;
    readonly Dictionary<string, WasteCode> _codes;

    public HazardousWasteList(IEnumerable<WasteClass> classes, IEnumerable<WasteCode> codes)
    {
        _classes = classes.ToDictionary(c => c.Code);
        _codes = codes.ToDictionary(c => c.Code);
        if (_codes.Values.FirstOrDefault(c => !_classes.ContainsKey(c.Class) || ClassOf(c.Code) != c.Class) is { } stray)
            throw new InvalidDataException($"Waste code {stray.Code} names class {stray.Class}, which its last two digits or the class list contradict.");
    }

    public static readonly HazardousWasteList Empty = new([], []);

    public IReadOnlyCollection<WasteClass> Classes => _classes.Values;

    public WasteCode? Find(string? code) => code is null ? null : _codes.GetValueOrDefault(code);

    public bool IsClass(string? code) => code is not null && _classes.ContainsKey(code);

    /// <summary>The class an 8-digit code belongs to: its last two digits (900-052-31 is HW31).</summary>
    public static string ClassOf(string code) => $"HW{code[^2..]}";

    /// <summary>Null when <paramref name="code"/> is a code of the list in <paramref name="wasteClass"/>, else the rule it breaks.</summary>
    public string? Check(string code, string wasteClass)
    {
        if (Find(code) is not { } known)
            return $"'{code}' is not an 8-digit code of the National Hazardous Waste List (2025) that seeds/hazardous-waste.json carries (e.g. 900-249-08; 900-000-{wasteClass[2..]} for waste identified by testing)";
        return known.Class == wasteClass ? null : $"{code} is a code of class {known.Class}, not of the batch category's class {wasteClass}";
    }

    public static HazardousWasteList Load(string seedsFolder)
    {
        var file = SeedFile.Read<ListFile>(seedsFolder, "hazardous-waste.json");
        return new(file.Classes, file.Codes);
    }

    sealed record ListFile(List<WasteClass> Classes, List<WasteCode> Codes);
}
