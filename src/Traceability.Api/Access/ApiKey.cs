using Traceability.Hosting;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using NodaTime;

namespace Traceability.Access;

/// <summary>Who a key speaks for. Admin is not a key role: its key comes from configuration.</summary>
[JsonConverter(typeof(NamedEnumConverter<KeyRole>))]
public enum KeyRole
{
    [JsonStringEnumMemberName("enterprise")] Enterprise,
    [JsonStringEnumMemberName("regulator")] Regulator,
    [JsonStringEnumMemberName("statistician")] Statistician,
}

/// <summary>
/// An issued API key. Only a SHA-256 hash of the secret is stored: keys carry 256 random bits, so a
/// fast hash is enough (a slow password hash buys nothing against a search of that size).
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public KeyRole Role { get; set; }
    /// <summary>The enterprise an enterprise key acts for.</summary>
    public string? EnterpriseId { get; set; }
    /// <summary>The city a regulator or statistician key is limited to; none means national.</summary>
    public string? City { get; set; }
    public string SecretHash { get; set; } = "";
    public Instant IssuedAt { get; set; }
    public Instant? RevokedAt { get; set; }

    const string Prefix = "trc_";

    /// <summary>A new key in the form <c>trc_{id}_{secret}</c>: the id finds the record, the secret proves it.</summary>
    public static (string Key, string SecretHash) NewSecret(Guid id)
    {
        var secret = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return ($"{Prefix}{id:N}_{secret}", Hash(secret));
    }

    public static bool TryParse(string presented, out Guid id, out string secret)
    {
        id = Guid.Empty;
        secret = "";
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var parts = presented[Prefix.Length..].Split('_', 2);
        if (parts.Length != 2 || !Guid.TryParseExact(parts[0], "N", out id)) return false;
        secret = parts[1];
        return secret.Length > 0;
    }

    public bool Matches(string secret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(SecretHash));

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
