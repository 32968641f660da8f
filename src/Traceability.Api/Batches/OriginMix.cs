using System.Globalization;
using NodaTime;
using Traceability.ReferenceData;

namespace Traceability.Batches;

/// <summary>
/// One part of a batch's origin (statistics.md, "waste accounting by origin"): the generator's city, the origin
/// category and its China generation month, and whether that part was already utilized upstream (it came out of
/// recycling, cascade use, or a sorting that made a product), so a later utilization does not count it again.
/// </summary>
public sealed record OriginPart(string City, string Category, string Month, bool Utilized, decimal Share);

/// <summary>
/// The origin mix every batch carries: a small table of origin keys and the share of the batch's mass from
/// each, bounded by the keys (city, category, month, utilized), not by the number of ancestors. A generated
/// batch is all its own origin; a derived batch takes its parents' mixes weighted by the mass each gave.
/// </summary>
public static class OriginMix
{
    public static string MonthOf(Instant at) => ChinaTime.DateOf(at).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static IReadOnlyList<OriginPart> Generated(string city, string category, Instant at) => [new(city, category, MonthOf(at), false, 1m)];

    /// <summary>
    /// The mix of a batch made of <paramref name="parents"/> (each mix with the kilograms it gave). With
    /// <paramref name="utilized"/>, every part is marked utilized: the operation that made the batch was the
    /// first utilization of whatever part was not yet.
    /// </summary>
    public static IReadOnlyList<OriginPart> Combine(IEnumerable<(IReadOnlyList<OriginPart> Mix, decimal Kg)> parents, bool utilized)
    {
        var given = parents.ToList();
        var total = given.Sum(p => p.Kg);
        if (total <= 0) return given.FirstOrDefault().Mix ?? [];
        var shares = given
            .SelectMany(p => p.Mix.Select(s => (Key: (s.City, s.Category, s.Month, Utilized: s.Utilized || utilized), Share: s.Share * p.Kg / total)))
            .GroupBy(x => x.Key)
            .Select(g => new OriginPart(g.Key.City, g.Key.Category, g.Key.Month, g.Key.Utilized, decimal.Round(g.Sum(x => x.Share), 12)))
            .Where(s => s.Share > 0)
            .OrderByDescending(s => s.Share).ThenBy(s => s.City, StringComparer.Ordinal).ThenBy(s => s.Category, StringComparer.Ordinal).ThenBy(s => s.Month, StringComparer.Ordinal)
            .ToList();
        // Rounding is absorbed by the largest part, so the shares sum to exactly 1.
        if (shares.Count > 0) shares[0] = shares[0] with { Share = shares[0].Share + 1m - shares.Sum(s => s.Share) };
        return shares;
    }

    /// <summary>The same mix, every part now utilized.</summary>
    public static IReadOnlyList<OriginPart> Utilized(IReadOnlyList<OriginPart> mix) => Combine([(mix, 1m)], utilized: true);
}
