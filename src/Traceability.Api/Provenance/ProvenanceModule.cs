using JasperFx.Events.Projections;
using Marten;

namespace Traceability.Provenance;

public static class ProvenanceModule
{
    /// <summary>Registers the lineage edge table, after the store's schema name is set.</summary>
    public static StoreOptions AddProvenance(this StoreOptions options)
    {
        // Inline: an edge is in the table as soon as the batch that makes it is.
        options.Projections.Add(new LineageEdgesProjection(options.DatabaseSchemaName), ProjectionLifecycle.Inline);
        return options;
    }
}
