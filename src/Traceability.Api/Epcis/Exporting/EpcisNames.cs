using NodaTime;
using NodaTime.Text;

namespace Traceability.Epcis.Exporting;

/// <summary>
/// How the product's things are named in EPCIS (docs/epcis.md has the table): a batch is a lot, so an EPC class with
/// its mass in kilograms (KGM); a VIN or battery code is an instance identifier; parties and sites are URIs under the
/// operator's base; the product's own terms are extension fields in its namespace (trc:). There is no GS1 key for
/// any of these, so none is invented.
/// </summary>
public sealed class EpcisNames(string identifierBase, string extensionNamespace)
{
    public string Namespace { get; } = extensionNamespace;
    public string PrivateBizStepBase { get; } = extensionNamespace.Replace("/epcis/", "/bizstep/", StringComparison.Ordinal);

    public string Batch(Guid id) => $"{identifierBase}batch/{id}";
    public string Unit(Batches.UnitIdentifier identifier) =>
        $"{identifierBase}{(identifier.Kind == ReferenceData.IdentifierKind.Vin ? "vin" : "battery")}/{identifier.Value}";
    public string Party(string enterprise) => $"{identifierBase}party/{enterprise}";
    public string Site(string enterprise, string city) => $"{identifierBase}site/{enterprise}/{city}";
    public string Manifest(Guid id) => $"{identifierBase}manifest/{id}";

    /// <summary>A business step CBV has no word for (sorting, splitting, merging, recycling, reusing, remanufacturing, cascade_use).</summary>
    public string PrivateStep(string name) => PrivateBizStepBase + name;

    public Guid? BatchIdOf(string uri) =>
        uri.StartsWith(identifierBase + "batch/", StringComparison.Ordinal) && Guid.TryParse(uri[(identifierBase.Length + 6)..], out var id) ? id : null;

    /// <summary>Event times are written in China Standard Time (+08:00), as enterprises report them.</summary>
    public static readonly Offset China = Offset.FromHours(8);

    public static string Time(Instant at) => EventTimePattern.Format(at.WithOffset(China));

    static readonly OffsetDateTimePattern EventTimePattern = OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'.'fffo<m>");

    public static string RecordTime(Instant at) => InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'").Format(at);
}
