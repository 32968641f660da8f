using System.Security.Cryptography;
using System.Text;

namespace Traceability.Access;

/// <summary>
/// The administrator's key, from TRACEABILITY_ADMIN_KEY (or generated in embedded mode). Only its hash
/// is held in memory after start-up.
/// </summary>
public sealed class AdminKey(string? key)
{
    readonly byte[]? _hash = string.IsNullOrEmpty(key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool IsConfigured => _hash is not null;

    public bool Matches(string presented) =>
        _hash is not null && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
