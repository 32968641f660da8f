using Traceability.ReferenceData;

namespace Traceability.Tests.Enterprises;

public sealed class CityTests
{
    static readonly Cities All = Cities.Load(Path.Combine(AppContext.BaseDirectory, "seeds"));

    [Theory]
    [InlineData("360700", "赣州市", "360000")] // Ganzhou: rare earths and battery recycling
    [InlineData("350900", "宁德市", "350000")] // Ningde
    [InlineData("420800", "荆门市", "420000")] // Jingmen
    [InlineData("511500", "宜宾市", "510000")] // Yibin
    [InlineData("429004", "仙桃市", "420000")] // a county-level city Hubei administers directly
    [InlineData("659012", "白杨市", "650000")] // the newest XPCC city
    public void the_recycling_hubs_and_province_administered_cities_are_known(string code, string name, string province)
    {
        var city = All.Find(code);
        Assert.Equal((name, province), (city?.NameZh, city?.Province));
    }

    [Fact]
    public void every_prefecture_level_division_is_there_once_with_its_province()
    {
        // 333 prefecture-level divisions, 4 municipalities, 22 county-level divisions administered by a province.
        Assert.Equal(359, All.All.Count);
        Assert.All(All.All, c => Assert.Equal($"{c.Code[..2]}0000", c.Province));
        Assert.All(All.All, c => Assert.False(string.IsNullOrWhiteSpace(c.NamePinyin), c.Code));
        Assert.Equal(31, All.All.Select(c => c.Province).Distinct().Count());
        Assert.False(All.IsKnown("371200")); // Laiwu, merged into Jinan in 2019
    }
}
