using NodaTime;
using Traceability.Batches;
using Traceability.Settings;

namespace Traceability.Tests.Batches;

/// <summary>
/// Given events, when a command, then events or a refusal: the command's own <see cref="IBatchCommand.Decide"/>
/// on a context loaded as the pipeline loads it, with no database. Each <see cref="And"/> is one more
/// target batch, folded from its events by the aggregate's own Create and Apply.
/// </summary>
public sealed class Scenario
{
    readonly List<IReadOnlyList<object>> _streams = [];
    BatchActor _actor = Given.Actor("91320200MA1AAAA01Y", "320200", Given.Licences("91320200MA1AAAA01Y", "construction-waste"));
    BatchActor? _counterparty;
    HeldIdentifiers _held = HeldIdentifiers.None;
    Instant _now = Given.Now;

    public static Scenario Of(params object[] events) => new Scenario().And(events);

    public static Scenario Nothing() => new();

    public Scenario And(params object[] events)
    {
        _streams.Add(events);
        return this;
    }

    public Scenario Acting(BatchActor actor) { _actor = actor; return this; }

    public Scenario Addressing(BatchActor? counterparty) { _counterparty = counterparty; return this; }

    public Scenario Holding(HeldIdentifiers held) { _held = held; return this; }

    public Scenario At(Instant now) { _now = now; return this; }

    public BatchContext Context => new(
        [.. _streams.Select(Fold)], _actor, _counterparty, _held,
        _streams.Count > 0 ? [.. _streams[0].Select((e, i) => new StoredEvent(i + 1, e))] : [],
        Given.Categories, _now, Given.Options);

    public Decision When(IBatchCommand command) => command.Decide(Context);

    /// <summary>The batch as its events make it, with the version Marten would give it.</summary>
    public static Batch Fold(IReadOnlyList<object> events)
    {
        Batch? batch = null;
        foreach (var e in events)
            batch = e switch
            {
                BatchGenerated g => Batch.Create(g),
                BatchDerived d => Batch.Create(d),
                _ => (Batch)typeof(Batch).GetMethod(nameof(Batch.Apply), [e.GetType()])!.Invoke(batch, [e])!,
            };
        return batch! with { Version = events.Count };
    }
}
