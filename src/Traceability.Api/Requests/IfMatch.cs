namespace Traceability.Requests;

/// <summary>
/// <c>If-Match: &lt;version&gt;</c> on a write: the stream version the client last saw. A stale version is a 409.
/// Accepts the plain number and the quoted ETag form the reads send (<c>"3"</c>).
/// </summary>
public static class IfMatch
{
    public static (long? Version, Refusal? Refusal) From(HttpContext http)
    {
        var raw = http.Request.Headers.IfMatch.ToString().Trim();
        if (raw.Length == 0) return (null, null);
        var value = raw.StartsWith("W/", StringComparison.Ordinal) ? raw[2..] : raw;
        value = value.Trim('"');
        return long.TryParse(value, out var version) && version > 0
            ? (version, null)
            : (null, Refusal.Invalid("If-Match", "must be the batch version, a positive whole number (e.g. 3 or \"3\")"));
    }

    public static string ETag(long version) => $"\"{version}\"";
}
