using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Batches;

/// <summary>The rule a hazardous batch's waste code keeps: the list's unit is the 8-digit code, of the category's class.</summary>
public static class WasteCodeRules
{
    /// <summary>The code when it is right for <paramref name="category"/>; null (with the broken rule added under <paramref name="field"/>) or absent otherwise.</summary>
    public static string? Validate(string? code, Category? category, HazardousWasteList list, string field, FieldErrors errors)
    {
        if (category is null) return null;
        if (category.NationalListCode is not { } wasteClass)
        {
            if (code is not null) errors.Add(field, $"is given only for hazardous waste; {category.Code} is not on the National Hazardous Waste List");
            return null;
        }
        if (string.IsNullOrWhiteSpace(code))
        {
            errors.Add(field, $"is required: a {category.Code} batch carries its 8-digit code of class {wasteClass} (National Hazardous Waste List, 2025)");
            return null;
        }
        if (code.Length > 10 || !System.Text.RegularExpressions.Regex.IsMatch(code, "^[0-9]{3}-[0-9]{3}-[0-9]{2}$"))
        {
            errors.Add(field, "must be an 8-digit waste code written industry-sequence-class, e.g. 900-249-08");
            return null;
        }
        if (list.Check(code, wasteClass) is { } rule)
        {
            errors.Add(field, rule);
            return null;
        }
        return code;
    }
}
