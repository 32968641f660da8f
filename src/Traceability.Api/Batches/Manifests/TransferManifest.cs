using System.Text.RegularExpressions;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches.Manifests;

/// <summary>
/// What a transfer manifest (转移联单) for hazardous waste carries beyond a dispatch's addressee, mass, time and
/// plate: the carrier and its transport permit, the 8-digit waste code, hazard characteristics, physical form,
/// packaging and count, the intended recovery or disposal operation and, between provinces, the approval number.
/// </summary>
public sealed record ManifestDetails(
    string Carrier, string? CarrierPermit, string? WasteCode, IReadOnlyList<string> Hazards, string PhysicalForm, string Packaging, int PackageCount,
    string IntendedOperation, string? ApprovalNumber);

/// <summary>The manifest part of POST /api/batches/{id}/dispatches, as sent: required for hazardous waste, optional otherwise.</summary>
/// <param name="Carrier">Unified social credit code of the carrier.</param>
/// <param name="CarrierPermit">The carrier's road transport permit number (道路运输经营许可证; for hazardous waste, dangerous goods).</param>
/// <param name="WasteCode">The batch's 8-digit National Hazardous Waste List code (hazardous waste only).</param>
/// <param name="Hazards">Hazard characteristics: T (toxicity), C (corrosivity), I (ignitability), R (reactivity), In (infectivity).</param>
/// <param name="PhysicalForm">solid, semi-solid, liquid or gas.</param>
/// <param name="Packaging">How it is packed, e.g. drum, bag, tote, tank, bulk (at most 32 characters).</param>
/// <param name="PackageCount">Number of packages, 1 to 100000.</param>
/// <param name="IntendedOperation">The addressee's intended operation: R1-R15 (recovery), D1-D16 (disposal) or C1-C3 (collect, store, transfer), as hazardous waste permits name them.</param>
/// <param name="ApprovalNumber">The inter-provincial transfer approval number (跨省转移审批), required when sender and addressee are in different provinces.</param>
public sealed partial record ManifestRequest(
    string? Carrier, string? CarrierPermit, string? WasteCode, IReadOnlyList<string>? Hazards, string? PhysicalForm, string? Packaging, int? PackageCount,
    string? IntendedOperation, string? ApprovalNumber)
{
    static readonly string[] HazardCodes = ["T", "C", "I", "R", "In"];
    static readonly string[] Forms = ["solid", "semi-solid", "liquid", "gas"];

    /// <summary>The details when well formed (each broken rule added under manifest.*); the domain rules are checked by <see cref="ManifestRules"/>.</summary>
    public ManifestDetails? Validate(FieldErrors errors)
    {
        errors.Require(Carrier, "manifest.carrier").Require(PhysicalForm, "manifest.physicalForm").Require(Packaging, "manifest.packaging")
            .Require(PackageCount, "manifest.packageCount").Require(IntendedOperation, "manifest.intendedOperation");
        if (Carrier is { Length: > 0 } carrier && SocialCreditCode.Check(carrier) is { } codeRule) errors.Add("manifest.carrier", codeRule);
        Text(CarrierPermit, "manifest.carrierPermit", 64, errors);
        Text(ApprovalNumber, "manifest.approvalNumber", 64, errors);
        Text(Packaging, "manifest.packaging", 32, errors);
        if (WasteCode is not null && !Regex.IsMatch(WasteCode, "^[0-9]{3}-[0-9]{3}-[0-9]{2}$")) errors.Add("manifest.wasteCode", "must be an 8-digit waste code written industry-sequence-class, e.g. 900-249-08");
        if (Hazards is { Count: > 5 } || Hazards?.Any(h => !HazardCodes.Contains(h)) == true || Hazards?.Distinct().Count() != Hazards?.Count)
            errors.Add("manifest.hazards", "must list distinct hazard characteristics among T, C, I, R, In");
        if (PhysicalForm is not null && !Forms.Contains(PhysicalForm)) errors.Add("manifest.physicalForm", "must be solid, semi-solid, liquid or gas");
        if (PackageCount is < 1 or > 100_000) errors.Add("manifest.packageCount", "must be from 1 to 100000");
        if (IntendedOperation is not null && !Operation().IsMatch(IntendedOperation))
            errors.Add("manifest.intendedOperation", "must be a recovery code R1-R15, a disposal code D1-D16 or C1-C3 (collect, store, transfer)");
        return errors.Any ? null : new ManifestDetails(Carrier!, CarrierPermit, WasteCode, Hazards ?? [], PhysicalForm!, Packaging!, PackageCount!.Value, IntendedOperation!, ApprovalNumber);
    }

    static void Text(string? value, string field, int max, FieldErrors errors)
    {
        if (value is not null && (value.Length is 0 || value.Length > max || value.Any(char.IsControl))) errors.Add(field, $"must be 1 to {max} printable characters");
    }

    [GeneratedRegex("^(R([1-9]|1[0-5])|D([1-9]|1[0-6])|C[1-3])$")]
    private static partial Regex Operation();
}

/// <summary>The rules a manifest keeps against the batch, the addressee's licence and the map. Pure.</summary>
public static class ManifestRules
{
    /// <summary>Null when the manifest is right for the dispatch, else the refusal naming its field.</summary>
    public static Refusal? Check(
        ManifestDetails? manifest, Batch batch, Category category, string fromCity, string toCity, LicenceBook? addresseeLicences, NodaTime.Instant at)
    {
        var hazardous = category.NationalListCode is not null;
        if (manifest is null)
            return hazardous ? Refusal.Invalid("manifest", $"is required: hazardous waste ({category.Code}, {batch.WasteCode}) moves only under a full transfer manifest (转移联单)") : null;
        if (hazardous && manifest.WasteCode != batch.WasteCode)
            return Refusal.Invalid("manifest.wasteCode", $"must be the batch's code {batch.WasteCode} (class {category.NationalListCode}), not {manifest.WasteCode ?? "absent"}");
        if (!hazardous && manifest.WasteCode is not null)
            return Refusal.Invalid("manifest.wasteCode", $"is given only for hazardous waste; {category.Code} is not on the National Hazardous Waste List");
        if (hazardous && manifest.Hazards.Count == 0)
            return Refusal.Invalid("manifest.hazards", "must name at least one hazard characteristic for hazardous waste");
        if (hazardous && manifest.CarrierPermit is null)
            return Refusal.Invalid("manifest.carrierPermit", "is required for hazardous waste: the carrier's dangerous goods road transport permit");
        if (fromCity[..2] != toCity[..2] && hazardous && manifest.ApprovalNumber is null)
            return Refusal.Invalid("manifest.approvalNumber", $"is required: the transfer crosses from province {fromCity[..2]}0000 to {toCity[..2]}0000 (跨省转移审批)");
        if (hazardous && addresseeLicences is not null)
        {
            var op = manifest.IntendedOperation[0] switch { 'R' => Operation.Recycle, 'D' => Operation.Dispose, _ => Operation.Receive };
            var permitted = addresseeLicences.Licences.Any(l =>
                l.Kind == LicenceKind.HazardousWaste && l.Covers(ReferenceData.ChinaTime.DateOf(at)) && Statute.Permits(l, op, category, batch.WasteCode));
            if (!permitted)
                return Refusal.Forbidden(
                    $"manifest.intendedOperation: the addressee {addresseeLicences.EnterpriseId} holds no hazardous waste licence approving {manifest.IntendedOperation} ({(op == Operation.Recycle ? "utilize" : op == Operation.Dispose ? "dispose" : "collect or store")}) of {batch.WasteCode}.",
                    "manifest.intendedOperation", $"addressee's licence does not approve {manifest.IntendedOperation} of {batch.WasteCode}");
        }
        return null;
    }
}
