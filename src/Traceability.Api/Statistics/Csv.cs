using System.Globalization;
using System.Text;

namespace Traceability.Statistics;

/// <summary>RFC 4180 CSV, for a client that sends <c>Accept: text/csv</c>.</summary>
public static class Csv
{
    public static bool Wanted(HttpContext http) => http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);

    public static IResult Result(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', header.Select(Field)));
        foreach (var row in rows) text.AppendLine(string.Join(',', row.Select(v => Field(v switch
        {
            null => "",
            decimal d => d.ToString("0.####", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        }))));
        return Results.Text(text.ToString(), "text/csv; charset=utf-8");
    }

    static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
