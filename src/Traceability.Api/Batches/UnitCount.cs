namespace Traceability.Batches;

/// <summary>
/// The bound on a count of units (vehicles, packs, appliances) in one batch, part, output, fate or lot: far
/// above any real consignment, and low enough that no sum of them in the service or its statistics overflows.
/// </summary>
public static class UnitCount
{
    public const int Max = 1_000_000;

    public const string Rule = "must be a whole number from 1 to 1000000";

    /// <summary>Null when <paramref name="units"/> is absent or within bounds, else the rule it breaks.</summary>
    public static string? Check(int? units) => units is null or (>= 1 and <= Max) ? null : Rule;
}
