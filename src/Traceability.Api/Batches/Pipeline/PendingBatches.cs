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

    static Batch? Create(object e) =>
        typeof(Batch).GetMethod(nameof(Batch.Create), BindingFlags.Public | BindingFlags.Static, [e.GetType()])?.Invoke(null, [e]) as Batch;

    static Batch Apply(Batch batch, object e) =>
        typeof(Batch).GetMethod("Apply", BindingFlags.Public | BindingFlags.Instance, [e.GetType()])?.Invoke(batch, [e]) as Batch ?? batch;
}
