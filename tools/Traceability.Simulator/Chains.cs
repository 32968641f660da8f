using System.Text.Json;

namespace Traceability.Simulator;

/// <summary>An enterprise of the simulated world, with the key that speaks for it.</summary>
public sealed record Party(string Id, string City, string Role, string Key);

/// <summary>One command of a chain: who sends it, to which single endpoint, with which body; and what to keep from the answer.</summary>
public sealed record Step(Party By, string Path, object Body, Action<JsonElement>? Answered = null);

/// <summary>
/// A chain of a batch's life, as its enterprises would report it: each step is built when the one before it was
/// answered (a dispatch needs the batch, a receipt the manifest), so the same chain runs one request at a time or,
/// in bulk, as one line of a file per phase.
/// </summary>
public sealed class Chain(string kind, IReadOnlyList<Func<Step?>> steps)
{
    public string Kind => kind;
    int _next;

    /// <summary>The next step, or null when the chain is done (a step may decide there is nothing to do).</summary>
    public Step? Next()
    {
        while (_next < steps.Count)
            if (steps[_next++]() is { } step) return step;
        return null;
    }
}

/// <summary>
/// The chains of a realistic stretch of time, drawn from a seeded random: categories, cities, masses, splits, sortings,
/// merges, recycling, discrepancies, late reports. Chains start between <paramref name="from"/> and five days before
/// <paramref name="now"/>; over more than about three weeks, power battery reports fall past their upload deadline and
/// raise late-report alerts, as a year's history posted today would.
/// </summary>
public sealed class ChainFactory(World world, Random random, DateTimeOffset from, DateTimeOffset now)
{
    static string At(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    static object Out(string category, decimal massKg, int? units = null) => new { category, massKg, units };

    static object Lost(string kind, decimal massKg, string reason) => new { kind, massKg, reason };

    /// <summary>A moment in the simulated year, leaving room for the chain's later steps before now.</summary>
    DateTimeOffset Start()
    {
        // The longest chain's last step is four days after its first: none may be reported ahead of the service's clock.
        var span = (now - from - TimeSpan.FromDays(5)).TotalSeconds;
        return from + TimeSpan.FromSeconds(random.NextDouble() * Math.Max(span, 1));
    }

    public Chain Next()
    {
        var roll = random.NextDouble();
        return roll switch
        {
            < 0.45 => Construction(),
            < 0.70 => Battery(),
            < 0.85 => Appliance(),
            _ => SplitAndMerge(),
        };
    }

    /// <summary>Decoration waste taken to a sorter, often in another city, weighed (now and then with a discrepancy), sorted into aggregate, scrap steel and plastics, the steel recycled.</summary>
    Chain Construction()
    {
        var generator = world.Pick(random, "generator");
        var sorter = random.NextDouble() < 0.35 ? world.Pick(random, "sorter") : world.Pick(random, "sorter", generator.City);
        var kg = Math.Round((decimal)(2_000 + random.NextDouble() * 28_000));
        var weighed = random.NextDouble() < 0.05 ? Math.Round(kg * 0.97m) : kg;
        var t = Start();
        Guid batch = Guid.CreateVersion7(), manifest = Guid.Empty;
        Guid[] fractions = [];
        return new Chain("construction", [
            () => new Step(generator, "/api/batches", new { id = batch, category = "decoration-waste", massKg = kg, occurredAt = At(t) }),
            () => new Step(generator, $"/api/batches/{batch}/dispatches", new { to = sorter.Id, massKg = kg, occurredAt = At(t.AddHours(2)), vehiclePlate = "苏B12345" },
                r => manifest = r.GetProperty("manifestId").GetGuid()),
            () => new Step(sorter, $"/api/batches/{batch}/dispatches/{manifest}/receipt", new { massKg = weighed, occurredAt = At(t.AddHours(6)) }),
            () => new Step(sorter, $"/api/batches/{batch}/sorting", new
            {
                fractions = new[] { Out("recycled-aggregate", Math.Round(weighed * 0.70m, 3)), Out("scrap-steel", Math.Round(weighed * 0.10m, 3)), Out("waste-plastics", Math.Round(weighed * 0.15m, 3)) },
                losses = new[] { Lost("residue", weighed - Math.Round(weighed * 0.70m, 3) - Math.Round(weighed * 0.10m, 3) - Math.Round(weighed * 0.15m, 3), "fines") },
                occurredAt = At(t.AddHours(30)),
            }, r => fractions = [.. r.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("batchId").GetGuid())]),
            () => fractions.Length < 2 ? null : new Step(sorter, $"/api/batches/{fractions[1]}/fates", new
            {
                fate = "recycling", massKg = Math.Round(weighed * 0.10m, 3),
                outputs = new[] { Out("recycled-steel", Math.Round(weighed * 0.095m, 3)) },
                losses = new[] { Lost("residue", Math.Round(weighed * 0.10m, 3) - Math.Round(weighed * 0.095m, 3), "slag") },
                occurredAt = At(t.AddHours(50)),
            }),
        ]);
    }

    /// <summary>A pack from a dealer to a white-listed recycler (often across cities), recycled to black mass, the black mass recycled again; one in twenty reported late.</summary>
    Chain Battery()
    {
        var dealer = world.Pick(random, "generator");
        var recycler = world.Pick(random, "battery-recycler");
        var kg = Math.Round((decimal)(250 + random.NextDouble() * 300));
        // One in twenty reported late: done 30 days ago, reported now, past the 15 working days the provisions allow.
        var late = random.NextDouble() < 0.05;
        var t = late ? now - TimeSpan.FromDays(30) : Start();
        Guid batch = Guid.CreateVersion7(), manifest = Guid.Empty, blackMass = Guid.Empty;
        return new Chain("battery", [
            () => new Step(dealer, "/api/batches", new { id = batch, category = "power-battery", massKg = kg, units = 1, identifier = new { kind = "battery-code", value = World.BatteryCode(Random.Shared) }, occurredAt = At(t) }),
            () => new Step(dealer, $"/api/batches/{batch}/dispatches", new { to = recycler.Id, massKg = kg, occurredAt = At(t.AddHours(3)), vehiclePlate = "苏E12345" },
                r => manifest = r.GetProperty("manifestId").GetGuid()),
            () => new Step(recycler, $"/api/batches/{batch}/dispatches/{manifest}/receipt", new { massKg = kg, occurredAt = At(t.AddHours(20)) }),
            () => new Step(recycler, $"/api/batches/{batch}/fates", new
            {
                fate = "recycling", massKg = kg, outputs = new[] { Out("black-mass", Math.Round(kg * 0.6m, 3)) },
                losses = new[] { Lost("residue", kg - Math.Round(kg * 0.6m, 3), "casings and electrolyte") }, occurredAt = At(t.AddHours(48)),
            }, r => blackMass = r.GetProperty("outputs")[0].GetProperty("batchId").GetGuid()),
            () => new Step(recycler, $"/api/batches/{blackMass}/fates", new
            {
                fate = "recycling", massKg = Math.Round(kg * 0.6m, 3), outputs = new[] { Out("lithium-carbonate", Math.Round(kg * 0.06m, 3)) },
                losses = new[] { Lost("residue", Math.Round(kg * 0.6m, 3) - Math.Round(kg * 0.06m, 3), "leach residue") }, occurredAt = At(t.AddHours(96)),
            }),
        ]);
    }

    /// <summary>A television from a household collection point to a WEEE treatment plant, dismantled.</summary>
    Chain Appliance()
    {
        var collector = world.Pick(random, "generator");
        var plant = world.Pick(random, "weee-plant");
        var units = random.Next(20, 120);
        var kg = units * 25m;
        var t = Start();
        Guid batch = Guid.CreateVersion7(), manifest = Guid.Empty;
        return new Chain("appliance", [
            () => new Step(collector, "/api/batches", new { id = batch, category = "weee-television", massKg = kg, units, occurredAt = At(t) }),
            () => new Step(collector, $"/api/batches/{batch}/dispatches", new { to = plant.Id, massKg = kg, occurredAt = At(t.AddHours(5)) },
                r => manifest = r.GetProperty("manifestId").GetGuid()),
            () => new Step(plant, $"/api/batches/{batch}/dispatches/{manifest}/receipt", new { massKg = kg, occurredAt = At(t.AddHours(9)) }),
            () => new Step(plant, $"/api/batches/{batch}/dismantling", new
            {
                outputs = new[] { Out("scrap-copper", Math.Round(kg * 0.1m, 3)), Out("waste-plastics", Math.Round(kg * 0.3m, 3)), Out("waste-glass", Math.Round(kg * 0.5m, 3)) },
                losses = new[] { Lost("other", kg - Math.Round(kg * 0.1m, 3) - Math.Round(kg * 0.3m, 3) - Math.Round(kg * 0.5m, 3), "small parts") },
                occurredAt = At(t.AddHours(40)),
            }),
        ]);
    }

    /// <summary>Spoil split at the site into two loads, both taken to one sorter, merged there into a lot.</summary>
    Chain SplitAndMerge()
    {
        var generator = world.Pick(random, "generator");
        var sorter = world.Pick(random, "sorter", generator.City);
        var kg = Math.Round((decimal)(10_000 + random.NextDouble() * 20_000));
        var t = Start();
        Guid batch = Guid.CreateVersion7(), first = Guid.Empty, second = Guid.Empty, m1 = Guid.Empty, m2 = Guid.Empty;
        var half = Math.Round(kg / 2, 3);
        return new Chain("split-merge", [
            () => new Step(generator, "/api/batches", new { id = batch, category = "construction-spoil", massKg = kg, occurredAt = At(t) }),
            () => new Step(generator, $"/api/batches/{batch}/splitting", new { parts = new[] { new { massKg = half }, new { massKg = kg - half } }, occurredAt = At(t.AddHours(1)) },
                r => (first, second) = (r.GetProperty("children")[0].GetProperty("batchId").GetGuid(), r.GetProperty("children")[1].GetProperty("batchId").GetGuid())),
            () => new Step(generator, $"/api/batches/{first}/dispatches", new { to = sorter.Id, massKg = half, occurredAt = At(t.AddHours(2)) }, r => m1 = r.GetProperty("manifestId").GetGuid()),
            () => new Step(generator, $"/api/batches/{second}/dispatches", new { to = sorter.Id, massKg = kg - half, occurredAt = At(t.AddHours(3)) }, r => m2 = r.GetProperty("manifestId").GetGuid()),
            () => new Step(sorter, $"/api/batches/{first}/dispatches/{m1}/receipt", new { massKg = half, occurredAt = At(t.AddHours(5)) }),
            () => new Step(sorter, $"/api/batches/{second}/dispatches/{m2}/receipt", new { massKg = kg - half, occurredAt = At(t.AddHours(6)) }),
            () => new Step(sorter, "/api/batches/merge", new { batches = new[] { first, second }, occurredAt = At(t.AddHours(8)) }),
        ]);
    }
}
