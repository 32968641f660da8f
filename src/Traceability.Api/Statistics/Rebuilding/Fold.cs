using System.Reflection;
using JasperFx.Events;
using Marten;

namespace Traceability.Statistics.Rebuilding;

/// <summary>
/// The projection's own <c>Create</c> and <c>Apply</c> methods, found by reflection the way Marten finds them, so the bulk
/// rebuild folds each event exactly as the daemon does and an event type the projection learns is rebuilt without a change here.
/// </summary>
public sealed class Fold
{
    readonly Dictionary<string, Step> _steps;

    Fold(Dictionary<string, Step> steps) => _steps = steps;

    /// <summary>The stored type names of the events the projection reads.</summary>
    public string[] TypeNames => [.. _steps.Keys];

    public Step For(string typeName) => _steps[typeName];

    /// <summary>One event type: how to wrap its data as Marten's event and apply it to the batch's figures (null before its first event).</summary>
    public sealed record Step(Type EventType, Func<object, IEvent> Wrap, Func<BatchFigures?, IEvent, BatchFigures> Apply);

    public static Fold ForProjection(IDocumentStore store)
    {
        var names = store.Options.Events.AllKnownEventTypes().ToDictionary(t => t.EventType, t => t.EventTypeName);
        var steps = new Dictionary<string, Step>(StringComparer.Ordinal);
        foreach (var method in typeof(BatchFiguresProjection).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            var parameters = method.GetParameters();
            if (method.Name is not ("Create" or "Apply") || parameters.Length == 0 || !parameters[0].ParameterType.IsGenericType
                || parameters[0].ParameterType.GetGenericTypeDefinition() != typeof(IEvent<>)) continue;
            var eventType = parameters[0].ParameterType.GetGenericArguments()[0];
            var build = typeof(Fold).GetMethod(method.Name == "Create" ? nameof(Creating) : nameof(Applying), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(eventType);
            var apply = (Func<BatchFigures?, IEvent, BatchFigures>)build.Invoke(null, [method])!;
            var name = names.TryGetValue(eventType, out var known) ? known : throw new InvalidOperationException($"{eventType.Name} is not a known event type");
            var wrap = (Func<object, IEvent>)typeof(Fold).GetMethod(nameof(Wrapping), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(eventType).Invoke(null, null)!;
            steps.Add(name, new Step(eventType, wrap, apply));
        }
        return new Fold(steps);
    }

    static Func<object, IEvent> Wrapping<T>() where T : notnull => data => new Event<T>((T)data);

    static Func<BatchFigures?, IEvent, BatchFigures> Creating<T>(MethodInfo method) where T : notnull
    {
        var create = method.CreateDelegate<Func<IEvent<T>, BatchFigures>>();
        // A stream's later creating event finds its figures made already; Marten then leaves them as they are.
        return (figures, e) => figures ?? create((IEvent<T>)e);
    }

    static Func<BatchFigures?, IEvent, BatchFigures> Applying<T>(MethodInfo method) where T : notnull
    {
        var apply = method.CreateDelegate<Action<IEvent<T>, BatchFigures>>();
        return (figures, e) =>
        {
            figures ??= new BatchFigures { Id = e.StreamId };
            apply((IEvent<T>)e, figures);
            return figures;
        };
    }
}
