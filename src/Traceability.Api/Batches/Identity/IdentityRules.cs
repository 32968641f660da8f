using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>A unit identifier as sent: kind vin or battery-code.</summary>
public sealed record IdentifierRequest(IdentifierKind? Kind, string? Value);

/// <summary>The identity rules a batch's unit identifier keeps against its category, for registrations and outputs alike.</summary>
public static class IdentityRules
{
    /// <summary>
    /// The identifier when <paramref name="request"/> is well formed for <paramref name="category"/>; else
    /// null, with each broken rule added under <paramref name="prefix"/>. <paramref name="required"/>: outputs of an
    /// identified category (battery modules out of a pack) must each carry their own.
    /// </summary>
    public static UnitIdentifier? Validate(IdentifierRequest? request, Category? category, int? units, string prefix, FieldErrors errors, bool required)
    {
        if (request is null)
        {
            if (required && category is { IdentifierKind: not IdentifierKind.None })
                errors.Add($"{prefix}identifier", $"is required: each {category.Code} unit carries its own {EnumNames.Of(category.IdentifierKind)}");
            return null;
        }
        if (units is > 1) errors.Add($"{prefix}units", "must be 1 when the batch carries a unit identifier");
        if (request.Kind is null || request.Kind == IdentifierKind.None)
        {
            errors.Add($"{prefix}identifier.kind", "must be vin or battery-code");
            return null;
        }
        if (category is null) return null;
        if (category.IdentifierKind != request.Kind)
        {
            errors.Add($"{prefix}identifier.kind", category.IdentifierKind == IdentifierKind.None
                ? $"category {category.Code} carries no unit identifier"
                : $"category {category.Code} carries a {EnumNames.Of(category.IdentifierKind)}");
            return null;
        }
        if (string.IsNullOrWhiteSpace(request.Value))
        {
            errors.Add($"{prefix}identifier.value", "is required");
            return null;
        }
        if (UnitIdentifier.Check(request.Kind.Value, request.Value) is { } rule)
        {
            errors.Add($"{prefix}identifier.value", rule);
            return null;
        }
        if (category.BatteryProductType is { } type && request.Value[3] != type)
        {
            errors.Add($"{prefix}identifier.value", $"a {category.Code} code carries product type '{type}' in position 4 (GB/T 34014: P pack, M module, C cell), not '{request.Value[3]}'");
            return null;
        }
        return new UnitIdentifier(request.Kind.Value, request.Value);
    }
}
