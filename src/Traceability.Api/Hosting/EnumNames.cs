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

    public static IEnumerable<string> All<T>() where T : struct, Enum => Enum.GetValues<T>().Select(Of);
}
