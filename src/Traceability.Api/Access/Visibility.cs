using Traceability.Requests;

namespace Traceability.Access;

/// <summary>What the visibility policy needs to know of a record: which enterprises it involves, which cities it touched.</summary>
public interface IScoped
{
    /// <summary>The enterprise held it, or it is on its way to the enterprise.</summary>
    bool Involves(string enterpriseId);

    /// <summary>It was generated, held, treated or sent in the city.</summary>
    bool TouchesCity(string city);
}

/// <summary>
/// The one rule of who may see what, used by every read (state, history, search, lineage, origins,
/// destinations, custody, alerts) and by the write pipeline:
/// - an enterprise: what it held or is sent;
/// - a city regulator or city statistician: what touched its city;
/// - a national regulator or national statistician: everything;
/// - the administrator: nothing of batches (it keeps keys and enterprises, not records).
/// Whatever a caller may not see on one endpoint it sees on none: lineage shows such a batch only as a
/// redacted node (category, mass, status, no enterprise, no city), and attribution folds its generator,
/// city and holder into <see cref="Undisclosed"/>.
/// </summary>
public static class Visibility
{
    /// <summary>The key under which attribution reports a party or city the caller may not see.</summary>
    public const string Undisclosed = "undisclosed";

    public static bool MayRead(Caller caller, IScoped record) => caller.Role switch
    {
        Roles.Enterprise => caller.EnterpriseId is { } enterprise && record.Involves(enterprise),
        Roles.Regulator or Roles.Statistician => caller.City is not { } city || record.TouchesCity(city),
        _ => false,
    };

    /// <summary>An enterprise acting on a batch sees it by the same rule as when it reads it.</summary>
    public static bool MayAct(string enterpriseId, IScoped record) => record.Involves(enterpriseId);

    /// <summary>The restriction a query of many records carries, so a page is never short of what the caller may see.</summary>
    public static Scope ScopeOf(Caller caller) => caller.Role switch
    {
        Roles.Enterprise => new Scope(caller.EnterpriseId ?? "", null, false),
        Roles.Regulator or Roles.Statistician => new Scope(null, caller.City, false),
        _ => new Scope(null, null, true),
    };

    /// <summary>The rule over a batch document's <c>data</c> in SQL (a search, a query of events): each ? takes the scope's city.</summary>
    public const string TouchesCitySql = "(jsonb_exists(data -> 'cities', ?) or data -> 'openManifest' ->> 'toCity' = ?)";

    /// <summary>The rule over a batch document's <c>data</c> in SQL: each ? takes the scope's enterprise.</summary>
    public const string InvolvesEnterpriseSql = "(jsonb_exists(data -> 'custodians', ?) or data -> 'openManifest' ->> 'to' = ?)";

    /// <summary>
    /// Appends the scope's restriction to a query with positional parameters ($1, $2...), over the batch document
    /// aliased <paramref name="alias"/>: the one rule in SQL, for every read of many events (the EPCIS query, the feed).
    /// </summary>
    public static void AppendSql(System.Text.StringBuilder sql, List<object> args, Scope scope, string alias)
    {
        void Filter(string clause, object? value)
        {
            if (value is null) return;
            var parts = clause.Replace("data", $"{alias}.data", StringComparison.Ordinal).Split('?');
            sql.Append(" and ").Append(parts[0]);
            for (var i = 1; i < parts.Length; i++)
            {
                args.Add(value);
                sql.Append('$').Append(args.Count).Append(parts[i]);
            }
        }
        Filter(InvolvesEnterpriseSql, scope.Enterprise);
        Filter(TouchesCitySql, scope.City);
    }

    /// <param name="Enterprise">Only records that involve this enterprise.</param>
    /// <param name="City">Only records that touched this city.</param>
    /// <param name="Nothing">The caller sees no record at all.</param>
    public sealed record Scope(string? Enterprise, string? City, bool Nothing);
}
