using static Traceability.Epcis.Hashing.DigitalLinkPatterns;

namespace Traceability.Epcis.Hashing;

/// <summary>
/// The event hash's identifier normalisation: an EPC URI (urn:epc:id|class|idpat:...) or a GS1 Digital Link URI on any
/// domain becomes the canonical Digital Link on id.gs1.org with only its finest key; anything else is left alone (null).
/// A port, step by step, of the reference implementation's dl_normaliser (RalphTro/epcis-event-hash-generator@5d2f1c3,
/// MIT), because the golden hashes are that code's output, quirks included (string offsets, check digits, the order
/// of the rewrites).
/// </summary>
static class DigitalLink
{
    public static string? Normalise(string uri)
    {
        var partition = uri.IndexOf('.', StringComparison.Ordinal);
        if (partition < 0) return null;

        if (Sgtin.IsMatch(uri))
        {
            var prefix = Slice(uri, 17, partition);
            var item = Slice(uri, partition + 1, partition + 1 + (13 - prefix.Length));
            var gtin = Slice(item, 0, 1) + prefix + Slice(item, 1);
            return "https://id.gs1.org/01/" + gtin + CheckDigit(gtin) + "/21/" + Encode(Slice(uri, 32));
        }
        if (Sscc.IsMatch(uri))
        {
            var prefix = Slice(uri, 16, partition);
            var sscc = Slice(uri, partition + 1, partition + 2) + prefix + Slice(uri, partition + 2);
            return "https://id.gs1.org/00/" + sscc + CheckDigit(sscc);
        }
        if (Sgln.IsMatch(uri))
        {
            var prefix = Slice(uri, 16, partition);
            var gln = prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            var extension = Slice(uri, 30);
            return "https://id.gs1.org/414/" + gln + CheckDigit(gln) + (extension == "0" ? "" : "/254/" + Encode(extension));
        }
        if (Grai.IsMatch(uri))
        {
            var prefix = Slice(uri, 16, partition);
            var grai = "0" + prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            return "https://id.gs1.org/8003/" + grai + CheckDigit(grai) + Encode(Slice(uri, 30));
        }
        if (Giai.IsMatch(uri))
            return "https://id.gs1.org/8004/" + Slice(uri, 16, partition) + Encode(Slice(uri, partition + 1));
        if (Gsrn.IsMatch(uri))
        {
            var gsrn = Slice(uri, 16, partition) + Slice(uri, partition + 1);
            return "https://id.gs1.org/8018/" + gsrn + CheckDigit(gsrn);
        }
        if (Gsrnp.IsMatch(uri))
        {
            var gsrnp = Slice(uri, 17, partition) + Slice(uri, partition + 1);
            return "https://id.gs1.org/8017/" + gsrnp + CheckDigit(gsrnp);
        }
        if (Gdti.IsMatch(uri))
        {
            var prefix = Slice(uri, 16, partition);
            var gdti = prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            return "https://id.gs1.org/253/" + gdti + CheckDigit(gdti) + Encode(Slice(uri, 30));
        }
        if (Cpi.IsMatch(uri))
        {
            var separator = uri.LastIndexOf('.');
            var cpi = Slice(uri, 15, partition) + Slice(uri, partition + 1, separator);
            return "https://id.gs1.org/8010/" + Encode(cpi) + "/8011/" + Slice(uri, separator + 1);
        }
        if (Sgcn.IsMatch(uri))
        {
            var prefix = Slice(uri, 16, partition);
            var sgcn = prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            return "https://id.gs1.org/255/" + sgcn + CheckDigit(sgcn) + Slice(uri, 30);
        }
        if (Ginc.IsMatch(uri))
            return "https://id.gs1.org/401/" + Slice(uri, 16, partition) + Encode(Slice(uri, partition + 1));
        if (Gsin.IsMatch(uri))
        {
            var gsin = Slice(uri, 16, partition) + Slice(uri, partition + 1);
            return "https://id.gs1.org/402/" + gsin + CheckDigit(gsin);
        }
        if (Itip.IsMatch(uri))
        {
            var gtin = Gtin(uri, 16, partition);
            return "https://id.gs1.org/8006/" + gtin + CheckDigit(gtin) + Slice(uri, 31, 33) + Slice(uri, 34, 36) + "/21/" + Encode(Slice(uri, 37));
        }
        if (Upui.IsMatch(uri))
        {
            var gtin = Gtin(uri, 16, partition);
            return "https://id.gs1.org/01/" + gtin + CheckDigit(gtin) + "/235/" + Encode(Slice(uri, 31));
        }
        if (Pgln.IsMatch(uri))
        {
            var prefix = Slice(uri, 16, partition);
            var gln = prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            return "https://id.gs1.org/417/" + gln + CheckDigit(gln);
        }
        if (Lgtin.IsMatch(uri))
        {
            var gtin = Gtin(uri, 20, partition);
            return "https://id.gs1.org/01/" + gtin + CheckDigit(gtin) + "/10/" + Encode(Slice(uri, 35));
        }
        if (SgtinPattern.IsMatch(uri))
        {
            var gtin = Gtin(uri, 20, partition);
            return "https://id.gs1.org/01/" + gtin + CheckDigit(gtin);
        }
        if (GraiPattern.IsMatch(uri))
        {
            var prefix = Slice(uri, 19, partition);
            var grai = "0" + prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            return "https://id.gs1.org/8003/" + grai + CheckDigit(grai);
        }
        if (GdtiPattern.IsMatch(uri))
        {
            var prefix = Slice(uri, 19, partition);
            var gdti = prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            return "https://id.gs1.org/253/" + gdti + CheckDigit(gdti);
        }
        if (SgcnPattern.IsMatch(uri))
        {
            var prefix = Slice(uri, 19, partition);
            var sgcn = prefix + Slice(uri, partition + 1, partition + 1 + (12 - prefix.Length));
            return "https://id.gs1.org/255/" + sgcn + CheckDigit(sgcn);
        }
        if (CpiPattern.IsMatch(uri))
        {
            var separator = uri.LastIndexOf('.');
            return "https://id.gs1.org/8010/" + Encode(Slice(uri, 18, partition) + Slice(uri, partition + 1, separator));
        }
        if (ItipPattern.IsMatch(uri))
        {
            var gtin = Gtin(uri, 19, partition);
            return "https://id.gs1.org/8006/" + gtin + CheckDigit(gtin) + Slice(uri, 34, 36) + Slice(uri, 37, 39);
        }
        if (UpuiPattern.IsMatch(uri))
        {
            var gtin = Gtin(uri, 19, partition);
            return "https://id.gs1.org/01/" + gtin + CheckDigit(gtin);
        }
        return WebUri(uri);
    }

    static readonly (string Alias, string Key)[] Aliases =
    [
        ("/gtin/", "/01/"), ("/itip/", "/8006/"), ("/cpid/", "/8010/"), ("/gln/", "/414/"), ("/party/", "/417/"), ("/gsrnp/", "/8017/"),
        ("/gsrn/", "/8018/"), ("/gcn/", "/255/"), ("/sscc/", "/00/"), ("/gdti/", "/253/"), ("/ginc/", "/401/"), ("/gsin/", "/402/"),
        ("/grai/", "/8003/"), ("/giai/", "/8004/"), ("/cpv/", "/22/"), ("/lot/", "/10/"), ("/ser/", "/21/"),
    ];

    static readonly string[] Keys = ["/00/", "/01/", "/253/", "/255/", "/401/", "/402/", "/414/", "/417/", "/8003/", "/8004/", "/8006/", "/8010/", "/8017/", "/8018/"];

    /// <summary>A Digital Link on any host: moved to id.gs1.org, query dropped, key aliases and short GTINs expanded, coarser keys cut.</summary>
    static string? WebUri(string uri)
    {
        if (!AnyDigitalLink.IsMatch(uri)) return null;
        if (uri.IndexOf('?', StringComparison.Ordinal) is var q and >= 0) uri = uri[..q];
        foreach (var (alias, key) in Aliases) uri = uri.Replace(alias, key, StringComparison.Ordinal);
        if (!CanonicalDigitalLink.IsMatch(uri))
        {
            foreach (var key in Keys)
                if (uri.IndexOf(key, StringComparison.Ordinal) is var at and >= 0)
                {
                    uri = "https://id.gs1.org" + uri[at..];
                    break;
                }
        }
        if (!Gtin14.IsMatch(uri))
        {
            if (Gtin13.IsMatch(uri)) uri = uri.Replace("/01/", "/01/0", StringComparison.Ordinal);
            else if (Gtin12.IsMatch(uri)) uri = uri.Replace("/01/", "/01/00", StringComparison.Ordinal);
            else if (Gtin8.IsMatch(uri)) uri = uri.Replace("/01/", "/01/000000", StringComparison.Ordinal);
        }
        var afterCpv = Slice(uri, uri.IndexOf("/22/", StringComparison.Ordinal) + 4);
        if (ItipCpv.IsMatch(uri) || GtinCpv.IsMatch(uri))
            uri = Slice(uri, 0, uri.IndexOf("/22/", StringComparison.Ordinal)) + Slice(afterCpv, afterCpv.IndexOf('/'), -1);
        if (ItipCpvSlash.IsMatch(uri) || GtinCpvSlash.IsMatch(uri))
            uri = Slice(uri, 0, uri.IndexOf("/22/", StringComparison.Ordinal)) + Slice(afterCpv, afterCpv.IndexOf('/'));
        if (ItipLotSerial.IsMatch(uri) || GtinLotSerial.IsMatch(uri))
        {
            var afterLot = Slice(uri, uri.IndexOf("/10/", StringComparison.Ordinal) + 4);
            uri = Slice(uri, 0, uri.IndexOf("/10/", StringComparison.Ordinal)) + Slice(afterLot, afterLot.IndexOf('/'));
        }
        return Final.Any(r => r.IsMatch(uri)) ? uri : null;
    }

    static string Gtin(string uri, int prefixStart, int partition)
    {
        var prefix = Slice(uri, prefixStart, partition);
        var item = Slice(uri, partition + 1, partition + 1 + (13 - prefix.Length));
        return Slice(item, 0, 1) + prefix + Slice(item, 1);
    }

    /// <summary>GS1 GenSpecs 7.9.1, as the reference computes it (over the reversed key, weights by position).</summary>
    internal static int CheckDigit(string key)
    {
        var reversed = new string([.. key.Reverse()]);
        var sum = 0;
        for (var i = reversed.Length - 1; i >= 0; i--)
        {
            var digit = reversed[i] - '0';
            if (digit == 0) continue;
            sum += i % 2 != 0 ? digit : digit * 3;
        }
        return (sum + 9) / 10 * 10 - sum;
    }

    static string Encode(string value) => value.Replace("!", "%21").Replace("(", "%28").Replace(")", "%29").Replace("*", "%2A")
        .Replace("+", "%2B").Replace(",", "%2C").Replace(":", "%3A");

    /// <summary>Python's s[start:end]: negative indices count from the end, and out-of-range bounds are clamped.</summary>
    internal static string Slice(string s, int start, int? end = null)
    {
        int Clamp(int i) => i < 0 ? Math.Max(0, s.Length + i) : Math.Min(i, s.Length);
        var from = Clamp(start);
        var to = end is { } e ? Clamp(e) : s.Length;
        return to > from ? s[from..to] : "";
    }
}
