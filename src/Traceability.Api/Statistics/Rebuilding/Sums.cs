namespace Traceability.Statistics.Rebuilding;

/// <summary>
/// The monthly sums of <c>stat_monthly</c> added up in memory as the facts go by, keyed as the trigger keys them: each
/// fact in its month, stock and flows also in their year ('Y2025'), flows also over all time ('T'), and but for flows also for
/// the nation ('*').
/// A rebuild then writes each sum once instead of upserting it once per fact.
/// </summary>
public sealed class Sums
{
    public readonly record struct Key(string View, string City, string Month, string Category, string Measure, string OriginMonth, string ToCity);

    public sealed class Sum
    {
        public decimal Kg { get; set; }
        public long Units { get; set; }
        public long MaxRecordedMs { get; set; } = long.MinValue;
    }

    static readonly HashSet<string> Yearly = [.. StatFactsTable.Yearly];
    static readonly HashSet<string> Flows = [.. StatFactsTable.Flows];

    readonly Dictionary<Key, Sum> _sums = [];

    public int Count => _sums.Count;

    public IEnumerable<KeyValuePair<Key, Sum>> All => _sums;

    public void Add(StatFact fact)
    {
        var key = new Key(fact.View, fact.City, fact.Month, fact.Category, fact.Measure, fact.OriginMonth ?? "", fact.ToCity ?? "");
        AddTo(key, fact);
        if (Yearly.Contains(fact.Measure)) AddTo(key with { Month = "Y" + fact.Month[..4] }, fact);
        if (Flows.Contains(fact.Measure)) AddTo(key with { Month = StatFactsTable.AllTime }, fact);
    }

    void AddTo(Key key, StatFact fact)
    {
        Into(key, fact);
        if (!Flows.Contains(fact.Measure)) Into(key with { City = StatFactsTable.Nation }, fact);
    }

    void Into(Key key, StatFact fact)
    {
        if (!_sums.TryGetValue(key, out var sum)) _sums[key] = sum = new Sum();
        sum.Kg += fact.Kg;
        sum.Units += fact.Units;
        sum.MaxRecordedMs = Math.Max(sum.MaxRecordedMs, fact.RecordedMs);
    }
}
