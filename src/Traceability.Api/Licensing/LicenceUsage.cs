using Marten;
using Weasel.Postgresql.Tables;

namespace Traceability.Licensing;

/// <summary>
/// Year-to-date mass per licence and China calendar year, one row each, added to in the transaction of the
/// operation that used the licence (an upsert, so concurrent operations under one licence add up rather than
/// overwrite). A table of its own: the yearly scale check reads one row per licence, not the year's events.
/// </summary>
public static class LicenceUsage
{
    public const string TableName = "licence_usage";

    public static Table Table(string schema)
    {
        var table = new Table($"{schema}.{TableName}");
        table.AddColumn<Guid>("licence_id").AsPrimaryKey();
        table.AddColumn<int>("year").AsPrimaryKey();
        table.AddColumn<decimal>("kg").NotNull();
        return table;
    }

    public static async Task<IReadOnlyDictionary<(Guid, int), decimal>> LoadAsync(IQuerySession session, IReadOnlyList<Licence> licences, CancellationToken ct)
    {
        if (licences.Count == 0) return new Dictionary<(Guid, int), decimal>();
        var rows = await session.AdvancedSql.QueryAsync<Row>(
            $"select jsonb_build_object('licenceId', licence_id, 'year', year, 'kg', kg) from {Qualified(session)} where licence_id = any(?)", ct,
            licences.Select(l => l.Id).ToArray());
        return rows.ToDictionary(r => (r.LicenceId, r.Year), r => r.Kg);
    }

    sealed record Row(Guid LicenceId, int Year, decimal Kg);

    /// <summary>Adds the operation's mass to its licence's year, in the session's transaction.</summary>
    public static void Add(IDocumentSession session, LicenceUse use) =>
        session.QueueSqlCommand(
            $"insert into {Qualified(session)} (licence_id, year, kg) values (?, ?, ?) on conflict (licence_id, year) do update set kg = {TableName}.kg + excluded.kg",
            use.LicenceId, use.Year, use.Kg);

    static string Qualified(IQuerySession session) => $"{session.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
}
