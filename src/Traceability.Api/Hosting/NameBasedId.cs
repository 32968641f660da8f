using System.Security.Cryptography;
using System.Text;

namespace Traceability.Hosting;

/// <summary>
/// A stream or document id derived from a name (an alert's occurrence, an identifier): the first 16 bytes of
/// the name's SHA-256. Not a secret; only stable, so the same name always finds the same record.
/// </summary>
public static class NameBasedId
{
    public static Guid Of(string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16));
}
