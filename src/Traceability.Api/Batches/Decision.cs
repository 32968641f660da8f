using NodaTime;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>What a pure decision returns: the events to append, and the new batches it starts (each with its first event); or why not.</summary>
public sealed record Decision(IReadOnlyList<object> Events, Refusal? Refusal)
{
    public IReadOnlyList<BatchDerived> Children { get; init; } = [];

    public static Decision Of(params object[] events) => new(events, null);

    public Decision Starting(IReadOnlyList<BatchDerived> children) => this with { Children = children };

    public static implicit operator Decision(Refusal refusal) => new([], refusal);
}

/// <summary>The limits a decision needs from configuration (section "Traceability").</summary>
public sealed class TraceabilityOptions
{
    /// <summary>Weighed mass at receipt may differ from the dispatched mass by this much before a discrepancy is recorded.</summary>
    public decimal ReceiptTolerancePercent { get; set; } = 1.0m;

    /// <summary>How far ahead of the server's clock a reported occurredAt may be (clock skew at the enterprise).</summary>
    public int MaxFutureSkewMinutes { get; set; } = 5;

    public Duration MaxFutureSkew => Duration.FromMinutes(MaxFutureSkewMinutes);

    /// <summary>Outputs plus declared losses of a transformation may differ from its input by this much.</summary>
    public decimal MassBalanceTolerancePercent { get; set; } = 0.5m;

    /// <summary>
    /// Every waste category needs a licence to be received or treated. Off, only hazardous waste and power
    /// batteries do (the two the law never lets in without one).
    /// </summary>
    public bool RequireLicencesForAllWaste { get; set; } = true;

    public Licensing.LicensingRules Licensing => new(RequireLicencesForAllWaste);

    /// <summary>The compliance rules' limits (section "Traceability:Compliance").</summary>
    public Compliance.ComplianceOptions Compliance { get; set; } = new();
}

/// <summary>The rule every reported moment keeps: not in the future, not before what it follows.</summary>
public static class ReportedMoment
{
    public static string? Check(Instant occurredAt, Instant now, Duration maxFutureSkew, Instant? notBefore = null, string? notBeforeWhat = null)
    {
        if (occurredAt > now + maxFutureSkew)
            return $"must not be more than {maxFutureSkew.TotalMinutes:0} minutes ahead of the server clock ({now})";
        if (notBefore is { } earliest && occurredAt < earliest)
            return $"must not precede {notBeforeWhat} at {earliest}";
        return null;
    }
}
