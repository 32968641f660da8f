using NodaTime;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>One new batch a transformation is to produce, as sent.</summary>
/// <param name="Category">Category code of the output (seeds/categories.json).</param>
/// <param name="MassKg">Its mass in kilograms.</param>
/// <param name="Units">Its unit count, where the category counts units.</param>
/// <param name="Identifier">Its own VIN or battery code, required where its category carries one (one unit per output).</param>
/// <param name="WasteCode">Hazardous waste: its 8-digit code of the National Hazardous Waste List (2025), e.g. 900-214-08; required for hazardous categories.</param>
public sealed record OutputRequest(string? Category, decimal? MassKg, int? Units, IdentifierRequest? Identifier, string? WasteCode = null);

/// <summary>Mass declared lost, as sent.</summary>
/// <param name="Kind">moisture, residue, dust, process or other.</param>
/// <param name="MassKg">Kilograms lost.</param>
/// <param name="Reason">What happened to it.</param>
public sealed record LossRequest(LossKind? Kind, decimal? MassKg, string? Reason);

/// <summary>The field rules outputs and losses keep, whatever the transformation.</summary>
public static class OutputRequests
{
    public const int MaxOutputs = 500;

    public static List<Output> Validate(IReadOnlyList<OutputRequest>? outputs, string field, Categories categories, FieldErrors errors)
    {
        var valid = new List<Output>();
        if (outputs is null || outputs.Count == 0)
        {
            errors.Add(field, "must list at least one output");
            return valid;
        }
        if (outputs.Count > MaxOutputs) errors.Add(field, $"must list at most {MaxOutputs} outputs");
        var seen = new HashSet<string>();
        for (var i = 0; i < outputs.Count; i++)
        {
            var o = outputs[i];
            var at = $"{field}[{i}].";
            if (o is null)
            {
                errors.Add($"{field}[{i}]", "must be an output, not null");
                continue;
            }
            errors.Require(o.Category, $"{at}category").Require(o.MassKg, $"{at}massKg");
            var category = categories.Find(o.Category);
            if (o.Category is not null && category is null) errors.Add($"{at}category", $"'{o.Category}' is not a category code in seeds/categories.json");
            if (o.MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add($"{at}massKg", massRule);
            if (UnitCount.Check(o.Units) is { } unitRule) errors.Add($"{at}units", unitRule);
            if (o.Units is not null && category is { CountsUnits: false }) errors.Add($"{at}units", $"is not counted for category {category.Code}");
            var identifier = IdentityRules.Validate(o.Identifier, category, o.Units, at, errors, required: true);
            var wasteCode = WasteCodeRules.Validate(o.WasteCode, category, categories.HazardousWaste, $"{at}wasteCode", errors);
            if (identifier is not null && !seen.Add(IdentifierClaim.KeyOf(identifier)))
                errors.Add($"{at}identifier.value", "appears twice in this request");
            if (category is not null && o.MassKg is { } mass && Mass.Check(mass) is null)
                valid.Add(new Output(Guid.CreateVersion7(), category.Code, new Mass(mass), o.Units ?? (identifier is null ? null : 1), identifier, wasteCode));
        }
        return valid;
    }

    public static List<Loss> ValidateLosses(IReadOnlyList<LossRequest>? losses, FieldErrors errors)
    {
        var valid = new List<Loss>();
        if (losses is { Count: > MaxOutputs }) errors.Add("losses", $"must list at most {MaxOutputs} losses");
        for (var i = 0; i < Math.Min(losses?.Count ?? 0, MaxOutputs); i++)
        {
            var l = losses![i];
            var at = $"losses[{i}].";
            if (l is null)
            {
                errors.Add($"losses[{i}]", "must be a loss, not null");
                continue;
            }
            errors.Require(l.Kind, $"{at}kind").Require(l.MassKg, $"{at}massKg").Require(l.Reason, $"{at}reason");
            if (l.MassKg is { } kg && Mass.Check(kg) is { } massRule) errors.Add($"{at}massKg", massRule);
            if (l.Reason is { Length: > 500 }) errors.Add($"{at}reason", "must be at most 500 characters");
            if (l is { Kind: { } kind, MassKg: { } mass, Reason: { Length: > 0 } reason } && Mass.Check(mass) is null)
                valid.Add(new Loss(kind, new Mass(mass), reason.Trim()));
        }
        return valid;
    }

    /// <summary>
    /// The new batches, each starting with the parent that gave all its mass and the parent's origin mix; an
    /// output the operation <paramref name="utilizes"/> (recycling's outputs, a sorting's products) carries it as utilized.
    /// </summary>
    public static IReadOnlyList<BatchDerived> Children(
        Process process, IEnumerable<Output> outputs, Batch parent, string producer, string city, Instant occurredAt, Func<Output, bool> utilizes) =>
        [.. outputs.Select(o => new BatchDerived(o.BatchId, process, o.Category, o.MassKg, o.Units, o.Identifier, [new ParentShare(parent.Id, o.MassKg)], producer, city,
            occurredAt, o.WasteCode, Origins: utilizes(o) ? OriginMix.Utilized(parent.Origins) : parent.Origins))];

    /// <summary>The index of the first output of <paramref name="category"/>, if any: sorting and recycling make other categories.</summary>
    public static int? IndexOfCategory(IReadOnlyList<Output> outputs, string category)
    {
        for (var i = 0; i < outputs.Count; i++)
            if (outputs[i].Category == category) return i;
        return null;
    }

    /// <summary>Null when no output carries an identifier a live batch holds.</summary>
    public static Refusal? RefuseHeld(IReadOnlyList<Output> outputs, string field, HeldIdentifiers held)
    {
        for (var i = 0; i < outputs.Count; i++)
            if (outputs[i].Identifier is { } id && held.RefuseIfHeld(id, $"{field}[{i}].identifier.value") is { } refusal)
                return refusal;
        return null;
    }
}
