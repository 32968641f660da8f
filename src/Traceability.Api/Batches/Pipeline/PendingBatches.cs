using System.Reflection;
using JasperFx.Events;

namespace Traceability.Batches;

/// <summary>A batch a command writes to: its state as the command decides on it, and the stream its events go to (null: started in this transaction).</summary>
public sealed record Target(Guid Id, Batch Aggregate, IEventStream<Batch>? Stream);

/// <summary>
/// The batches the commands of one transaction have written so far and not yet committed (an EPCIS capture runs many
/// commands, all or nothing): each later command reads them with the earlier commands' events folded in, exactly as
/// the stored state will read once the transaction commits, through the aggregate's own Create and Apply.
/// </summary>
public sealed class PendingBatches
{
    readonly Dictionary<Guid, Target> written = [];
    readonly Dictionary<Guid, List<StoredEvent>> appended = [];
    readonly HashSet<Guid> free = [];

    /// <summary>Ids read as not stored at the transaction's start (a bulk chunk's chosen ids, checked in one query): no need to ask again.</summary>
    public void KnownFree(IEnumerable<Guid> ids) => free.UnionWith(ids);

    /// <summary>Whether the id is taken by a batch this transaction wrote, free as read at its start, or unknown here (null).</summary>
    public bool? IsTaken(Guid id) => written.ContainsKey(id) ? true : free.Contains(id) ? false : null;

    /// <summary>The events this transaction appended to a batch so far, with the versions they will have.</summary>
    public IReadOnlyList<StoredEvent> EventsOf(Guid id) => appended.GetValueOrDefault(id) ?? [];

    public Target? Find(Guid id) => written.GetValueOrDefault(id);

    public void Fetched(Target target) => written.TryAdd(target.Id, target);

    public void Appended(Guid id, object e)
    {
        var current = written.GetValueOrDefault(id);
        var next = current is null ? Create(e) : Apply(current.Aggregate, e);
        if (next is null) return;
        next.Version = (current?.Aggregate.Version ?? 0) + 1;
        written[id] = new Target(id, next, current?.Stream);
        if (!appended.TryGetValue(id, out var list)) appended[id] = list = [];
        list.Add(new StoredEvent(next.Version, e));
    }

    // The aggregate's Create and Apply per event type, looked up once: a bulk chunk folds hundreds of events.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (MethodInfo? Create, MethodInfo? Apply)> Methods = new();

    static (MethodInfo? Create, MethodInfo? Apply) MethodsFor(Type type) => Methods.GetOrAdd(type, t => (
        typeof(Batch).GetMethod(nameof(Batch.Create), BindingFlags.Public | BindingFlags.Static, [t]),
        typeof(Batch).GetMethod("Apply", BindingFlags.Public | BindingFlags.Instance, [t])));

    static Batch? Create(object e) => MethodsFor(e.GetType()).Create?.Invoke(null, [e]) as Batch;

    static Batch Apply(Batch batch, object e) => MethodsFor(e.GetType()).Apply?.Invoke(batch, [e]) as Batch ?? batch;
}
