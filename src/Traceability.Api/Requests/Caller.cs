using Traceability.Requests;
using System.Security.Claims;

namespace Traceability.Requests;

/// <summary>The authenticated caller of a request, read from the claims the key handler set.</summary>
public sealed record Caller(string Role, string KeyId, string? EnterpriseId, string? City)
{
    public const string EnterpriseClaim = "enterprise";
    public const string CityClaim = "city";
    public const string KeyClaim = "key";

    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ClaimTypes.Role) ?? "",
        user.FindFirstValue(KeyClaim) ?? "",
        user.FindFirstValue(EnterpriseClaim),
        user.FindFirstValue(CityClaim));

    /// <summary>Idempotency keys are scoped per caller, so two callers can never see each other's replays.</summary>
    public string Scope => EnterpriseId is not null ? $"enterprise:{EnterpriseId}" : $"key:{KeyId}";
}

/// <summary>Role names as claims carry them, and the authorization policies built on them.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Enterprise = "enterprise";
    public const string Regulator = "regulator";
    public const string Statistician = "statistician";

    /// <summary>Policy: enterprises, regulators and statisticians (each then sees only its share, by <c>Access.Visibility</c>).</summary>
    public const string BatchReaders = "batch-readers";

    /// <summary>Policy: the administrator and regulators (a city's regulators for their city's enterprises).</summary>
    public const string LicenceKeepers = "licence-keepers";

    /// <summary>Policy: statisticians and regulators.</summary>
    public const string StatisticsReaders = "statistics-readers";

    /// <summary>Policy: enterprises and regulators, the parties the law gives a copy of a transfer manifest.</summary>
    public const string ManifestReaders = "manifest-readers";

    /// <summary>Policy: every key (the licence register is public).</summary>
    public const string LicenceReaders = "licence-readers";

    /// <summary>Policy: every key, for what shows nothing stored (the EPCIS event hash of a posted document).</summary>
    public const string AnyKey = "any-key";

    /// <summary>Plain-language statement of who a policy admits, for the API description.</summary>
    public static string Describe(string policy) => policy switch
    {
        Admin => "the administrator key",
        Enterprise => "an enterprise key",
        Regulator => "a regulator key",
        Statistician => "a statistician key",
        BatchReaders => "an enterprise key (batches it held or is sent), a regulator or statistician key (batches that touched its city, or all if national)",
        LicenceKeepers => "the administrator key, a regulator key (a city regulator for enterprises of its city)",
        StatisticsReaders => "a statistician key, a regulator key",
        LicenceReaders => "any key: the licence register is public",
        AnyKey => "any key",
        ManifestReaders => "an enterprise key (sender, carrier or addressee of the manifest), a regulator key (of either city, or national)",
        _ => policy,
    };
}
