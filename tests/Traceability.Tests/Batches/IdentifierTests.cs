using Traceability.Batches;
using Traceability.Enterprises;
using Traceability.ReferenceData;
using Traceability.Tests.Hosting;

namespace Traceability.Tests.Batches;

public sealed class IdentifierTests
{
    [Theory]
    [InlineData("1M8GDM9AXKP042788", null)] // the classic ISO 3779 example, check digit X
    [InlineData("1M8GDM9A1KP042788", "check digit")]
    [InlineData("1M8GDM9AXKP04278", "17 characters")]
    [InlineData("1M8GDM9AXKP04278O", "other than I, O, Q")]
    [InlineData("1M8GDM9A0ZP042788", "model-year character")] // Z is never a model year
    public void vins_are_checked_by_length_alphabet_and_check_digit(string vin, string? rule)
    {
        var result = UnitIdentifier.Check(IdentifierKind.Vin, vin);
        if (rule is null) Assert.Null(result);
        else Assert.Contains(rule, result);
    }

    [Theory]
    [InlineData("0CAPE010123456N3F0000001", true)]
    [InlineData("0CAXE010123456N3F0000001", false)] // product type must be P, M or C
    [InlineData("0CAPE010123456NDF0000001", false)] // month D does not exist
    [InlineData("0CAPE010123456N3F000000", false)]  // 23 characters
    [InlineData("0CAPE010123456N2U0000001", false)] // 30 February 2022
    [InlineData("0CAPE010123456L2T0000001", true)]  // 29 February 2020, a leap year
    [InlineData("0CAPE010123456N2T0000001", false)] // 29 February 2022 is not
    [InlineData("0CAPE010123456U3F0000001", false)] // U is no year code
    [InlineData("0CAPE010123456N4V0000001", false)] // 31 April
    public void battery_codes_follow_the_gbt_34014_structure(string code, bool valid) =>
        Assert.Equal(valid, UnitIdentifier.Check(IdentifierKind.BatteryCode, code) is null);

    [Theory]
    [InlineData("0CAPE010123456N3F0000001", 2022, 3, 15)]
    [InlineData("0CAPE010123456SCV0000001", 2025, 12, 31)]
    [InlineData("0CAPE0101234561190000001", 2031, 1, 9)]
    public void a_battery_codes_production_date_reads_its_year_as_a_vin_model_year(string code, int year, int month, int day) =>
        Assert.Equal(new NodaTime.LocalDate(year, month, day), UnitIdentifier.ProductionDateOf(code));

    [Fact]
    public void generated_test_codes_are_valid()
    {
        for (var i = 0; i < 50; i++)
        {
            Assert.Null(UnitIdentifier.Check(IdentifierKind.Vin, TestCodes.Vin()));
            Assert.Null(UnitIdentifier.Check(IdentifierKind.BatteryCode, TestCodes.BatteryCode()));
            Assert.Null(SocialCreditCode.Check(TestCodes.SocialCreditCode("410100")));
        }
    }

    [Theory]
    [InlineData("91350100M000100Y43", null)] // a published code
    [InlineData("91350100M000100Y44", "check character")]
    [InlineData("91350100M000100Y4", "18 characters")]
    [InlineData("91350100M000100I43", "does not use")]
    public void social_credit_codes_are_checked_per_gb_32100(string code, string? rule)
    {
        var result = SocialCreditCode.Check(code);
        if (rule is null) Assert.Null(result);
        else Assert.Contains(rule, result);
    }

    [Theory]
    [InlineData(0.001, null)]
    [InlineData(0, "greater than 0")]
    [InlineData(1.0005, "3 decimal places")]
    [InlineData(2000000000, "at most")]
    public void masses_are_positive_bounded_and_to_the_gram(decimal kg, string? rule)
    {
        var result = Mass.Check(kg);
        if (rule is null) Assert.Null(result);
        else Assert.Contains(rule, result);
    }
}
