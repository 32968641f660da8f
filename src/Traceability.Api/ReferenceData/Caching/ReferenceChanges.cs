using Marten;
using Npgsql;
using Weasel.Core;
using Weasel.Core.Migrations;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.Triggers;

namespace Traceability.ReferenceData.Caching;

/// <summary>
/// How every node hears that a cached row changed. A trigger on each cached document table calls <c>pg_notify</c> in
/// the changing transaction, and PostgreSQL delivers the notice at its commit to every listening connection: a key
/// revoked through any node, a licence granted, even a row edited by hand in psql. Emptying a table notifies <c>*</c>.
/// </summary>
public static class ReferenceChanges
{
    public const string Channel = "traceability_reference";

    /// <summary>The cached tables: the cache kind each notifies as, and the document field that keys the entry.</summary>
    public static readonly IReadOnlyList<(string Table, string Kind, string Field)> Tables =
    [
        ("mt_doc_apikey", Kinds.ApiKey, "id"),
        ("mt_doc_enterprise", Kinds.Enterprise, "id"),
        // An enterprise's licences are cached together, under the enterprise.
        ("mt_doc_licence", Kinds.Licences, "enterpriseId"),
    ];

    public static class Kinds
    {
        public const string ApiKey = "apikey";
        public const string Enterprise = "enterprise";
        public const string Licences = "licences";
    }

    public static IEnumerable<ISchemaObject> Objects(string schema)
    {
        yield return Function.ForSql($$"""
            create or replace function {{schema}}.reference_changed() returns trigger language plpgsql as $body$
            begin
              if tg_op = 'TRUNCATE' then
                perform pg_notify('{{Channel}}', tg_argv[0] || ':*');
              elsif tg_op = 'DELETE' then
                perform pg_notify('{{Channel}}', tg_argv[0] || ':' || coalesce(old.data ->> tg_argv[1], '*'));
              else
                perform pg_notify('{{Channel}}', tg_argv[0] || ':' || coalesce(new.data ->> tg_argv[1], '*'));
                -- A row moved to another key (never done by the service, but psql can) leaves the old key stale too.
                if tg_op = 'UPDATE' and old.data ->> tg_argv[1] is distinct from new.data ->> tg_argv[1] then
                  perform pg_notify('{{Channel}}', tg_argv[0] || ':' || coalesce(old.data ->> tg_argv[1], '*'));
                end if;
              end if;
              return null;
            end
            $body$;
            """);
        foreach (var (table, kind, field) in Tables)
        {
            yield return new Trigger($"{schema}.{table}_changed", $"{schema}.{table}", $"{schema}.reference_changed('{kind}', '{field}')")
            {
                Timing = TriggerTiming.After, Events = TriggerEvents.Insert | TriggerEvents.Update | TriggerEvents.Delete, ForEachRow = true,
            };
            yield return new Trigger($"{schema}.{table}_emptied", $"{schema}.{table}", $"{schema}.reference_changed('{kind}', '{field}')")
            {
                Timing = TriggerTiming.After, Events = TriggerEvents.Truncate, ForEachRow = false,
            };
        }
    }
}

/// <summary>The triggers as a schema feature: Marten creates it after the document tables it watches.</summary>
public sealed class ReferenceChangesFeature(StoreOptions options) : FeatureSchemaBase("reference_changes", options.Advanced.Migrator)
{
    protected override IEnumerable<ISchemaObject> schemaObjects() => ReferenceChanges.Objects(options.DatabaseSchemaName);
}

/// <summary>
/// This node's ear: one connection that LISTENs and evicts what each notice names. Until it listens, and again
/// from the moment its connection fails until it listens anew, the cache serves nothing (and forgets all it had,
/// since notices sent meanwhile are lost).
/// </summary>
public sealed class ReferenceChangeListener(NpgsqlDataSource dataSource, ReferenceCache cache, ILogger<ReferenceChangeListener> log) : BackgroundService
{
    /// <summary>How long the connection may sit silent before it is checked with a query: a dead connection must not pass for a quiet one.</summary>
    static readonly TimeSpan Probe = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Heard(e.Payload);
                await using (var listen = new NpgsqlCommand($"listen {ReferenceChanges.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                cache.Listening = true;
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(Probe, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("select 1", connection);
                        await ping.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or System.IO.IOException or TimeoutException or InvalidOperationException)
            {
                cache.Listening = false;
                log.LogWarning("The reference cache stopped listening for changes and serves nothing until it listens again: {Reason}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        cache.Listening = false;
    }

    void Heard(string payload)
    {
        var split = payload.IndexOf(':');
        if (split <= 0) cache.Clear();
        else cache.Heard(payload[..split], payload[(split + 1)..]);
    }
}
