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
using Weasel.Core;

namespace Traceability;

/// <summary>The Marten configuration of the service, in one place so that tools (benchmarks) use exactly the same store.</summary>
public static class StoreSetup
{
    public static void Configure(StoreOptions o)
    {
        o.DatabaseSchemaName = "traceability";
        o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, j => JsonConventions.Apply(j));
        // Rich appends give inline projections the stream version, which If-Match is checked against.
        o.Events.AppendMode = EventAppendMode.Rich;
        o.AddAccess().AddEnterprises().AddLicensing().AddBatches().AddProvenance().AddCompliance().AddStatistics().AddIntegrity().AddEpcis();
    }
}
