using Traceability.Epcis.Capturing;
using Traceability.Epcis.Hashing;
using Traceability.Epcis.Querying;

namespace Traceability.Epcis;

/// <summary>GS1 EPCIS 2.0: the event hash service, export of batches and the EPCIS query, capture.</summary>
public static class EpcisModule
{
    public static Marten.StoreOptions AddEpcis(this Marten.StoreOptions options)
    {
        options.Schema.For<Capturing.CaptureJob>();
        return options;
    }

    public static void MapEpcis(this IEndpointRouteBuilder app)
    {
        var epcis = app.MapGroup("/epcis").WithTags("EPCIS");
        epcis.MapHashEvents();
        epcis.MapQueryEvents();
        epcis.MapCapture();
    }
}
