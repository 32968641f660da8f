using Traceability.Enterprises;
using Traceability.Requests;

namespace Traceability.Licensing;

/// <summary>Who keeps an enterprise's licences: the administrator and national regulators for all, a city's regulators for their city.</summary>
public static class LicenceKeeping
{
    public static Refusal? Check(Enterprise? enterprise, string enterpriseId, string? regulatorCity)
    {
        if (enterprise is null) return Refusal.NotFound($"No enterprise {enterpriseId} is registered.");
        if (regulatorCity is not null && enterprise.City != regulatorCity)
            return Refusal.Forbidden($"Enterprise {enterpriseId} operates in city {enterprise.City}; a regulator of city {regulatorCity} keeps only its own city's licences.");
        return null;
    }
}
