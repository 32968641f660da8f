using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Traceability.Hosting;

/// <summary>
/// An enum value's name as the API writes it: its [JsonStringEnumMemberName] (kebab case), so messages,
/// keys and filters say exactly what the JSON says.
/// </summary>
public static class EnumNames
{
    static readonly ConcurrentDictionary<Enum, string> Cache = new();

    public static string Of<T>(T value) where T : struct, Enum =>
        Cache.GetOrAdd(value, v => typeof(T).GetField(v.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? v.ToString());

    /// <summary>The value a name stands for, or null when no value has it.</summary>
    public static T? Parse<T>(string? name) where T : struct, Enum =>
        name is null ? null : Enum.GetValues<T>().Where(v => Of(v) == name).Cast<T?>().FirstOrDefault();

    public static IEnumerable<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Of);
}
