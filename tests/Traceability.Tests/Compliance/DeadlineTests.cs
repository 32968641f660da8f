using NodaTime;
using Traceability.Compliance;
using Traceability.Tests.Batches;

namespace Traceability.Tests.Compliance;

/// <summary>When a dispatch's in-transit check runs: pure, no database.</summary>
public sealed class DeadlineTests
{
    static readonly ComplianceOptions Rules = new();

    [Fact]
    public void a_dispatch_reported_on_time_is_checked_72_hours_after_it_left()
    {
        var left = Given.Day1;

        Assert.Equal(left + Duration.FromHours(72), Rules.TransitCheckAt(left, left + Duration.FromMinutes(5)));
    }

    [Fact]
    public void a_dispatch_reported_after_its_deadline_gets_an_hour_for_its_receipt_to_be_reported_too()
    {
        var left = Given.Day1;
        var recorded = left + Duration.FromDays(10);

        Assert.Equal(recorded + Duration.FromMinutes(60), Rules.TransitCheckAt(left, recorded));
    }

    [Fact]
    public void a_dispatch_reported_just_before_its_deadline_keeps_the_deadline()
    {
        var left = Given.Day1;
        var recorded = left + Duration.FromHours(71.5);

        Assert.Equal(left + Duration.FromHours(72), Rules.TransitCheckAt(left, recorded));
    }
}
