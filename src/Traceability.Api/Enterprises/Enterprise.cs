using Traceability.Requests;
using NodaTime;

namespace Traceability.Enterprises;

/// <summary>What an enterprise does in the chain, as it declared it when registered.</summary>
public static class EnterpriseRoles
{
    public const string Generator = "generator";
    public const string Collector = "collector";
    public const string Transporter = "transporter";
    public const string Storer = "storer";
    public const string Sorter = "sorter";
    public const string Dismantler = "dismantler";
    public const string Recycler = "recycler";
    public const string Remanufacturer = "remanufacturer";
    public const string Disposer = "disposer";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Generator, Collector, Transporter, Storer, Sorter, Dismantler, Recycler, Remanufacturer, Disposer,
    };
}

/// <summary>
/// A registered enterprise, keyed by its unified social credit code (统一社会信用代码). Kept as a
/// document: its registration is reference data for the batch streams, not a flow of its own (yet).
/// </summary>
public sealed class Enterprise
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string City { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public Instant RegisteredAt { get; set; }

    public bool Has(string role) => Roles.Contains(role);
}
