using Marten;
using NodaTime;
using Traceability.Hosting;
using Traceability.ReferenceData;
using Traceability.Requests;

namespace Traceability.Licensing;

/// <summary>What an operation under a licence adds to its year-to-date mass (China calendar year).</summary>
public sealed record LicenceUse(Guid LicenceId, int Year, decimal Kg);

/// <summary>The outcome of a licence check: refused, or permitted (under a licence whose yearly scale it may use).</summary>
public sealed record Permit(Refusal? Refusal, LicenceUse? Use = null, ScaleBreach? Breach = null)
{
    public static readonly Permit Free = new((Refusal?)null);
}

/// <summary>An operation accepted past its licence's yearly scale (where the deployment alerts instead of refusing).</summary>
public sealed record ScaleBreach(Guid LicenceId, int Year, decimal ScaleKg, decimal YearToDateKg);

/// <summary>
/// The licences one enterprise holds and what each has been used for this year, as a decision sees them:
/// pure, so the refusal that names a missing licence or a spent scale is unit-testable.
/// </summary>
public sealed record LicenceBook(string EnterpriseId, IReadOnlyList<Licence> Licences, IReadOnlyDictionary<(Guid, int), decimal>? Used = null)
{
    public static async Task<LicenceBook> LoadAsync(IQuerySession session, string enterpriseId, ReferenceData.Caching.ReferenceCache? cache, CancellationToken ct)
    {
        async Task<IReadOnlyList<Licence>?> Read(CancellationToken t) => await session.Query<Licence>().Where(l => l.EnterpriseId == enterpriseId).ToListAsync(t);
        var licences = (cache is null ? await Read(ct) : await cache.GetAsync(ReferenceData.Caching.ReferenceChanges.Kinds.Licences, enterpriseId, Read, ct))!;
        return new(enterpriseId, licences, await LicenceUsage.LoadAsync(session, licences, ct));
    }

    public decimal YearToDateKg(Guid licenceId, int year) => Used?.GetValueOrDefault((licenceId, year)) ?? 0m;

    /// <summary>
    /// Whether the enterprise may do <paramref name="op"/> to <paramref name="massKg"/> of a <paramref name="category"/>
    /// batch (carrying <paramref name="wasteCode"/>) on the day of <paramref name="at"/>: the statutory licence where the
    /// law names one, else the general one where the deployment licenses all waste. Of several licences that
    /// permit it, the one with room left in its yearly scale is used; with none, a 403 naming licence, scale and
    /// year-to-date mass, or (configured) an acceptance that records the breach.
    /// </summary>
    public Permit Permit(Operation op, Category category, string? wasteCode, decimal massKg, Instant at, LicensingRules rules)
    {
        if (rules.Requires(op, category) is not { } kind) return Licensing.Permit.Free;
        var date = ChinaTime.DateOf(at);
        var permitting = Licences.Where(l => Counts(l, kind, op) && l.Covers(date) && Statute.Permits(l, op, category, wasteCode)).ToList();
        var needed = Statute.Describe(kind, op, category, wasteCode);
        if (permitting.Count == 0)
            return new(Refusal.Forbidden(
                $"Enterprise {EnterpriseId} holds no licence for this: {EnumNames.Of(op)} of {category.Code}{(wasteCode is null ? "" : $" ({wasteCode})")} needs {needed}, valid on {date:yyyy-MM-dd} (China time).",
                "licence", $"{needed}, valid on {date:yyyy-MM-dd}"));

        var counted = permitting.Where(l => Statute.CountsAgainstScale(l, op)).ToList();
        if (counted.Count == 0) return new(null);
        var year = date.Year;
        var roomiest = counted.MaxBy(l => l.CapacityTonnesPerYear * 1000m - YearToDateKg(l.Id, year))!;
        var scale = roomiest.CapacityTonnesPerYear * 1000m;
        var used = YearToDateKg(roomiest.Id, year);
        var use = new LicenceUse(roomiest.Id, year, massKg);
        if (used + massKg <= scale) return new(null, use);
        var breach = new ScaleBreach(roomiest.Id, year, scale, used);
        if (rules.Alerts(roomiest.Kind)) return new(null, use, breach);
        return new(Refusal.Forbidden(
            $"{EnumNames.Of(op)} of {massKg:0.###} kg of {category.Code} would take {roomiest.Describe()} past its approved scale of {roomiest.CapacityTonnesPerYear:0.###} t for {year}: {used / 1000m:0.###} t used so far this year.",
            "licence", $"yearly scale of {roomiest.Describe()}: {roomiest.CapacityTonnesPerYear:0.###} t in {year}, {used / 1000m:0.###} t used") with
        {
            Extensions = new Dictionary<string, object>
            {
                ["licenceId"] = roomiest.Id, ["scaleTonnes"] = roomiest.CapacityTonnesPerYear, ["year"] = year, ["yearToDateTonnes"] = used / 1000m,
            },
        });
    }

    /// <summary>Whether any licence permits the operation on <paramref name="date"/> (or none is required): the lapsed-licence rule's question, scale aside.</summary>
    public bool Permits(Operation op, Category category, string? wasteCode, LocalDate date, LicensingRules rules) =>
        rules.Requires(op, category) is not { } kind
        || Licences.Any(l => Counts(l, kind, op) && l.Covers(date) && Statute.Permits(l, op, category, wasteCode));

    /// <summary>A licence of the required kind; and to take waste in, any licence to treat it (an enterprise licensed to recycle a category may receive it).</summary>
    static bool Counts(Licence licence, LicenceKind required, Operation op) => licence.Kind == required || (op == Operation.Receive && required == LicenceKind.General);
}

/// <summary>Which operations need which licence (configuration section "Traceability").</summary>
/// <param name="AllWaste">Every waste operation the law leaves unlicensed still needs a general licence (the deployment's stricter rule).</param>
/// <param name="AlertOnScaleExceeded">Licence kinds whose operations past the yearly scale are accepted with a licence-scale-exceeded alert rather than refused.</param>
public sealed record LicensingRules(bool AllWaste, IReadOnlyList<LicenceKind>? AlertOnScaleExceeded = null)
{
    public bool Alerts(LicenceKind kind) => AlertOnScaleExceeded?.Contains(kind) == true;

    /// <summary>
    /// The kind of licence <paramref name="op"/> on <paramref name="category"/> needs: the statutory one where the
    /// law names one; otherwise a general one when all waste is licensed; none for secondary materials (goods),
    /// for receiving a product in service (a cascade-use battery at its user), or where the law names none and the
    /// deployment keeps to the statutory set. A product in service that is treated (recycled when it retires) is waste again.
    /// </summary>
    public LicenceKind? Requires(Operation op, Category category)
    {
        if (category.IsProduct || (category.InService && op == Operation.Receive)) return null;
        if (Statute.Requires(op, category) is { } statutory) return statutory;
        return AllWaste ? LicenceKind.General : null;
    }
}
