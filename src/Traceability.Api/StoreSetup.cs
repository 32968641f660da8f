using JasperFx.Events;
using Marten;
using Traceability.Access;
using Traceability.Hosting;
using Traceability.Epcis;
using Traceability.Integrity;
using Traceability.Batches;
using Traceability.Compliance;
using Traceability.Enterprises;
using Traceability.Licensing;
using Traceability.Provenance;
using Traceability.Statistics;
using Traceability.Changes.Webhooks;
using Weasel.Core;

namespace Traceability;

/// <summary>The Marten configuration of the service, in one place so that tools (benchmarks) use exactly the same store.</summary>
public static class StoreSetup
{
    public static void Configure(StoreOptions o)
    {
        o.DatabaseSchemaName = "traceability";
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, j => JsonConventions.Apply(j));
        // Quick appends: the database numbers the events in the one statement that stores them, instead of a round trip to
        // reserve sequence numbers first. The inline snapshots still carry the stream version (Marten sets it server-side),
        // which If-Match is checked against; nothing downstream reads a forwarded event's version or sequence.
        o.Events.AppendMode = EventAppendMode.Quick;
        // HotCold leadership through a transaction-scoped advisory lock. The session-scoped one asks DistributedLock.Postgres
        // (1.3.1 here, behind the forwarding package) for a multiplexed lock on a data source, which it refuses
        // ("Multiplexing is current incompatible with DbDataSource"), so no node was ever elected: the async projections
        // ran nowhere once two nodes shared a database. The transaction holds no snapshot while idle, so it holds back no vacuum.
        o.Events.UseAdvisoryLockTransaction = true;
        // The feed and the webhooks read up to the high-water mark, so how often it is looked for is their latency:
        // 100 ms under load, 250 ms when quiet (Marten's defaults are 250 ms and 1 s), one small query each time.
        o.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        o.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        o.AddAccess().AddEnterprises().AddLicensing().AddBatches().AddProvenance().AddCompliance().AddStatistics().AddIntegrity().AddEpcis().AddWebhooks();
    }
}
