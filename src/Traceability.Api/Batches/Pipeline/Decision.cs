using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>
/// What a pure decision returns: the events to append, each to the stream of the batch it names (a batch
/// the command does not write to yet is a new stream, started by its first event); or why not.
/// </summary>
/// <param name="Evidence">Events kept even though the command is refused, because the refusal is itself a fact a rule reads (a held identifier claimed again).</param>
public sealed record Decision(IReadOnlyList<object> Events, Refusal? Refusal, IReadOnlyList<IdentifierClaimRefused>? Evidence = null)
{
    /// <summary>The new batches it starts (transformation outputs, a merged lot).</summary>
    public IReadOnlyList<BatchDerived> Children => [.. Events.OfType<BatchDerived>()];

    public static Decision Of(params object[] events) => new(events, null);

    public Decision Starting(IEnumerable<BatchDerived> children) => this with { Events = [.. Events, .. children] };

    /// <summary>What the operation adds to the year-to-date mass of the licence that permitted it; written in the same transaction.</summary>
    public IReadOnlyList<Licensing.LicenceUse> Uses { get; init; } = [];

    /// <summary>Records what the operation takes of its licence's yearly scale. One accepted past the scale is alerted by the rule that reads the year-to-date after commit.</summary>
    public Decision Under(Licensing.Permit permit) => permit.Use is { } use ? this with { Uses = [.. Uses, use] } : this;

    public static implicit operator Decision(Refusal refusal) => new([], refusal);
}
