using System.Collections.Concurrent;

namespace Traceability.ReferenceData.Caching;

/// <summary>
/// API keys, enterprises and licences as the last read found them, kept in memory so a request does not read them
/// again. An entry lives until PostgreSQL says its row changed (<see cref="ReferenceChanges"/>: a trigger notifies
/// every node in the changing transaction's commit); while this node's listener is not connected, nothing is served
/// from memory, since a change could go unheard. A read that races a change is not kept: the generation counter
/// moves on every eviction, and a value read before it moved is dropped rather than stored over the eviction.
/// </summary>
public sealed class ReferenceCache
{
    /// <summary>Beyond this, the cache starts over rather than grow: keys, enterprises and licence sets are bounded by what an administrator registered.</summary>
    public const int MaxEntries = 200_000;

    readonly ConcurrentDictionary<string, object> _entries = new(StringComparer.Ordinal);
    readonly Lock _gate = new();
    long _generation;
    volatile bool _listening;

    /// <summary>Whether this node hears every change; set by the listener.</summary>
    public bool Listening
    {
        get => _listening;
        internal set
        {
            lock (_gate)
            {
                _generation++;
                _entries.Clear();
                _listening = value;
            }
        }
    }

    public int Count => _entries.Count;

    /// <summary>The cached value, or what <paramref name="load"/> reads (kept only if found, heard, and not raced by a change).</summary>
    public async ValueTask<T?> GetAsync<T>(string kind, string id, Func<CancellationToken, Task<T?>> load, CancellationToken ct) where T : class
    {
        var key = Key(kind, id);
        if (_listening && _entries.TryGetValue(key, out var hit)) return (T)hit;
        var generation = Volatile.Read(ref _generation);
        var value = await load(ct);
        if (value is null || !_listening) return value;
        lock (_gate)
        {
            if (_generation != generation || !_listening) return value;
            if (_entries.Count >= MaxEntries) _entries.Clear();
            _entries[key] = value;
        }
        return value;
    }

    /// <summary>Forgets one row's entry; <c>*</c> forgets everything (a table was emptied).</summary>
    public void Evict(string kind, string id)
    {
        lock (_gate)
        {
            _generation++;
            if (id == "*") _entries.Clear();
            else _entries.TryRemove(Key(kind, id), out _);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _generation++;
            _entries.Clear();
        }
    }

    static string Key(string kind, string id) => $"{kind}:{id}";

    readonly ConcurrentDictionary<string, TaskCompletionSource> _syncs = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns once this node has heard every change committed before the call: it sends a notice of its own and waits
    /// for it, and PostgreSQL delivers notices in commit order. A write that changed a key, an enterprise or a licence
    /// waits for this before it answers, so the caller's next request, on this node, never meets the old row. Without
    /// an answer in time, the cache forgets everything rather than risk it.
    /// </summary>
    public async Task SettledAsync(Npgsql.NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (!_listening) return;
        var token = Guid.NewGuid().ToString("N");
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _syncs[token] = heard;
        try
        {
            await using (var notify = dataSource.CreateCommand("select pg_notify($1, $2)"))
            {
                notify.Parameters.AddWithValue(ReferenceChanges.Channel);
                notify.Parameters.AddWithValue($"{SyncKind}:{token}");
                await notify.ExecuteNonQueryAsync(ct);
            }
            await heard.Task.WaitAsync(TimeSpan.FromSeconds(2), ct);
        }
        catch (TimeoutException)
        {
            Clear();
        }
        finally
        {
            _syncs.TryRemove(token, out _);
        }
    }

    /// <summary>The notice kind <see cref="SettledAsync"/> sends; it evicts nothing.</summary>
    public const string SyncKind = "sync";

    internal void Heard(string kind, string id)
    {
        if (kind == SyncKind)
        {
            if (_syncs.TryRemove(id, out var waiting)) waiting.TrySetResult();
            return;
        }
        Evict(kind, id);
    }
}
