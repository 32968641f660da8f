using System.Globalization;
using JasperFx.Events;
using Marten.Events.Aggregation;
using NodaTime;
using Traceability.Batches;
using Traceability.ReferenceData;

namespace Traceability.Statistics;

/// <summary>
/// One contribution of a batch's event to the statistics: a measure, in a city, for a category, in the
/// China month the event occurred (so a late report lands in its own period), with the moment it was
/// recorded (so <c>asOf</c> can leave out what was not yet known). Signed: corrections and stock
/// movements subtract.
/// </summary>
public sealed record StatFact(string Month, string City, string Category, string Measure, decimal Kg, int Units, long RecordedMs, string? ToCity = null);

/// <summary>The measures the statistics keep, each attributed as the issue says.</summary>
public static class Measures
{
    public const string Generated = "generated";      // generator's city
    public const string Collected = "collected";      // receiver's city, first receipt from the generator
    public const string Sorted = "sorted";
    public const string Dismantled = "dismantled";
    public const string Reused = "reused";
    public const string Remanufactured = "remanufactured";
    public const string CascadeUsed = "cascade-used";
    public const string Recycled = "recycled";
    public const string Produced = "produced";        // outputs of recycling (secondary material and intermediates)
    public const string EnergyRecovered = "energy-recovered";
    public const string Disposed = "disposed";
    public const string Losses = "losses";
    public const string Stock = "stock";              // signed movements in and out of holders' stock in a city
    public const string Flow = "flow";                // receipt: from the sender's city to the receiver's (ToCity)

    public static readonly string[] Reported =
        [Generated, Collected, Sorted, Dismantled, Reused, Remanufactured, CascadeUsed, Recycled, Produced, EnergyRecovered, Disposed, Losses];

    public static string Of(Fate fate) => fate switch
    {
        Fate.Reuse => Reused,
        Fate.Remanufacture => Remanufactured,
        Fate.CascadeUse => CascadeUsed,
        Fate.Recycling => Recycled,
        Fate.EnergyRecovery => EnergyRecovered,
        _ => Disposed,
    };
}

/// <summary>
/// The statistics ledger of one batch, kept by Marten's async daemon from the batch's events: the little
/// state it needs to attribute each event (category, the city holding it, whether the generator still
/// holds it, the open dispatch) and the facts its events contributed. Rebuilt from the event log, it is
/// the same, fact for fact.
/// </summary>
public sealed class BatchFigures
{
    public Guid Id { get; set; }
    public string Category { get; set; } = "";
    public string HolderCity { get; set; } = "";
    public decimal Kg { get; set; }
    public int Units { get; set; }
    public bool HeldByGenerator { get; set; }
    public string? OpenFromCity { get; set; }
    public bool OpenFromGenerator { get; set; }
    public string GeneratedMonth { get; set; } = "";
    public string? ReceiptMonth { get; set; }
    public string? ReceiptFromCity { get; set; }
    public bool ReceiptWasCollection { get; set; }
    public List<StatFact> Facts { get; set; } = [];

    public static string MonthOf(Instant occurredAt) => ChinaTime.DateOf(occurredAt).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    internal void Add(IEvent e, Instant occurredAt, string city, string measure, decimal kg, int units = 0, string? toCity = null, string? category = null, string? month = null) =>
        Facts.Add(new StatFact(month ?? MonthOf(occurredAt), city, category ?? Category, measure, kg, units, e.Timestamp.ToUnixTimeMilliseconds(), toCity));
}

public sealed class BatchFiguresProjection : SingleStreamProjection<BatchFigures, Guid>
{
    public BatchFiguresProjection() => Name = "statistics";

    public static BatchFigures Create(IEvent<BatchGenerated> e)
    {
        var g = e.Data;
        var figures = new BatchFigures
        {
            Id = g.BatchId, Category = g.Category, HolderCity = g.City, Kg = g.MassKg.Kilograms, Units = g.Units ?? 0, HeldByGenerator = true,
            GeneratedMonth = BatchFigures.MonthOf(g.OccurredAt),
        };
        figures.Add(e, g.OccurredAt, g.City, Measures.Generated, g.MassKg.Kilograms, g.Units ?? 0);
        figures.Add(e, g.OccurredAt, g.City, Measures.Stock, g.MassKg.Kilograms);
        return figures;
    }

    public static BatchFigures Create(IEvent<BatchDerived> e)
    {
        var d = e.Data;
        var figures = new BatchFigures { Id = d.BatchId, Category = d.Category, HolderCity = d.City, Kg = d.MassKg.Kilograms, Units = d.Units ?? 0 };
        if (d.Process == Process.Recycling) figures.Add(e, d.OccurredAt, d.City, Measures.Produced, d.MassKg.Kilograms, d.Units ?? 0);
        figures.Add(e, d.OccurredAt, d.City, Measures.Stock, d.MassKg.Kilograms);
        return figures;
    }

    // In transit a batch is in no city's stock: it leaves the sender's on dispatch and enters the receiver's on receipt.
    public static void Apply(IEvent<BatchDispatched> e, BatchFigures f)
    {
        f.Add(e, e.Data.OccurredAt, f.HolderCity, Measures.Stock, -f.Kg);
        f.OpenFromCity = f.HolderCity;
        f.OpenFromGenerator = f.HeldByGenerator;
    }

    public static void Apply(IEvent<BatchReceived> e, BatchFigures f)
    {
        var r = e.Data;
        var kg = r.MassKg.Kilograms;
        f.Add(e, r.OccurredAt, r.City, Measures.Stock, kg);
        f.Add(e, r.OccurredAt, f.OpenFromCity ?? f.HolderCity, Measures.Flow, kg, toCity: r.City);
        if (f.OpenFromGenerator) f.Add(e, r.OccurredAt, r.City, Measures.Collected, kg, f.Units);
        (f.ReceiptMonth, f.ReceiptFromCity, f.ReceiptWasCollection) = (BatchFigures.MonthOf(r.OccurredAt), f.OpenFromCity, f.OpenFromGenerator);
        (f.HolderCity, f.Kg, f.HeldByGenerator, f.OpenFromCity) = (r.City, kg, false, null);
    }

    public static void Apply(IEvent<DispatchRejected> e, BatchFigures f)
    {
        f.Add(e, e.Data.OccurredAt, f.HolderCity, Measures.Stock, f.Kg);
        f.OpenFromCity = null;
    }

    public static void Apply(IEvent<BatchSorted> e, BatchFigures f) => Transformed(e, f, Measures.Sorted, e.Data.City, e.Data.InputKg, e.Data.Losses, 0);

    public static void Apply(IEvent<BatchDismantled> e, BatchFigures f) => Transformed(e, f, Measures.Dismantled, e.Data.City, e.Data.InputKg, e.Data.Losses, f.Units);

    public static void Apply(IEvent<BatchSplit> e, BatchFigures f) => Transformed(e, f, null, e.Data.City, e.Data.InputKg, [], 0);

    public static void Apply(IEvent<BatchCascadeUsed> e, BatchFigures f) =>
        Transformed(e, f, Measures.CascadeUsed, e.Data.City, e.Data.InputKg, e.Data.LossKg.Kilograms > 0 ? [new Loss(LossKind.Process, e.Data.LossKg, "cascade use")] : [], f.Units);

    public static void Apply(IEvent<BatchMerged> e, BatchFigures f) => Transformed(e, f, null, e.Data.City, e.Data.MassKg, [], 0);

    static void Transformed(IEvent e, BatchFigures f, string? measure, string city, Mass input, IReadOnlyList<Loss> losses, int units)
    {
        var at = ((IBatchFact)e.Data).OccurredAt;
        if (measure is not null) f.Add(e, at, city, measure, input.Kilograms, units);
        var lost = losses.Sum(l => l.MassKg.Kilograms);
        if (lost > 0) f.Add(e, at, city, Measures.Losses, lost);
        f.Add(e, at, f.HolderCity, Measures.Stock, -input.Kilograms);
        f.Kg = 0;
    }

    public static void Apply(IEvent<FateRecorded> e, BatchFigures f)
    {
        var x = e.Data;
        var units = x.Units ?? (x.RemainingKg.Kilograms == 0 ? f.Units : 0);
        f.Add(e, x.OccurredAt, x.City, Measures.Of(x.Fate), x.MassKg.Kilograms, units);
        var lost = x.Losses.Sum(l => l.MassKg.Kilograms);
        if (lost > 0) f.Add(e, x.OccurredAt, x.City, Measures.Losses, lost);
        var leaving = x.RemainingKg.Kilograms == 0 ? f.Kg : x.MassKg.Kilograms;
        f.Add(e, x.OccurredAt, f.HolderCity, Measures.Stock, -leaving);
        f.Kg -= leaving;
        f.Units -= units;
    }

    /// <summary>A corrected mass or unit count restates the figures it fed, in their own months; the correction's recording time dates the change.</summary>
    public static void Apply(IEvent<FigureCorrected> e, BatchFigures f)
    {
        var c = e.Data;
        if (c.Field == CorrectableFields.Units && c.CorrectsEvent == EventNames.Generated)
        {
            var delta = Int(c.Corrected) - Int(c.Previous);
            f.Add(e, c.OccurredAt, f.HolderCity, Measures.Generated, 0, delta, month: f.GeneratedMonth);
            f.Units += delta;
            return;
        }
        if (c.Field != CorrectableFields.MassKg || c.CorrectsEvent == EventNames.Dispatched) return;
        var kg = Dec(c.Corrected) - Dec(c.Previous);
        if (c.CorrectsEvent == EventNames.Generated)
        {
            f.Add(e, c.OccurredAt, f.HolderCity, Measures.Generated, kg, month: f.GeneratedMonth);
            f.Add(e, c.OccurredAt, f.HolderCity, Measures.Stock, kg, month: f.GeneratedMonth);
        }
        else
        {
            f.Add(e, c.OccurredAt, f.HolderCity, Measures.Stock, kg, month: f.ReceiptMonth);
            f.Add(e, c.OccurredAt, f.ReceiptFromCity ?? f.HolderCity, Measures.Flow, kg, toCity: f.HolderCity, month: f.ReceiptMonth);
            if (f.ReceiptWasCollection) f.Add(e, c.OccurredAt, f.HolderCity, Measures.Collected, kg, month: f.ReceiptMonth);
        }
        f.Kg += kg;
    }

    static decimal Dec(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);
    static int Int(string s) => string.IsNullOrEmpty(s) ? 0 : int.Parse(s, CultureInfo.InvariantCulture);
}
