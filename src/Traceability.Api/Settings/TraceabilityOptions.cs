using NodaTime;

namespace Traceability.Settings;

/// <summary>The limits the decisions and rules read from configuration (section "Traceability").</summary>
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

    /// <summary>
    /// Licence kinds (e.g. "construction-waste") whose yearly scale, once passed, raises a licence-scale-exceeded
    /// alert rather than refusing the operation. Every other kind refuses (403 naming licence, scale and year-to-date).
    /// </summary>
    public List<string> AlertOnScaleExceededFor { get; set; } = [];

    /// <summary>
    /// Base of the URIs EPCIS documents name batches, units, parties, sites and manifests by (batch/{id}, party/{code}...).
    /// The operator's own domain belongs here; the default is a reserved example domain.
    /// </summary>
    public string EpcisIdentifierBase { get; set; } = "https://id.traceability.example/";

    /// <summary>The namespace of the product's own EPCIS extension fields (prefix trc).</summary>
    public string EpcisNamespace { get; set; } = "https://ns.traceability.example/epcis/";

    public Licensing.LicensingRules Licensing => new(RequireLicencesForAllWaste,
        [.. AlertOnScaleExceededFor.Select(name => Enum.GetValues<Licensing.LicenceKind>().FirstOrDefault(k => Hosting.EnumNames.Of(k) == name, (Licensing.LicenceKind)(-1)))
            .Where(k => (int)k >= 0)]);
}
