namespace Traceability.Batches;

/// <summary>
/// A slice's HTTP endpoint under /api/batches. The module finds every one by this interface, so a new slice
/// is mapped without a line elsewhere.
/// </summary>
public interface IBatchEndpoint
{
    static abstract void Map(RouteGroupBuilder batches);
}
