using System.Text.Json;
using Traceability.Integrity.Proving;

namespace Traceability.Verifier;

/// <summary>
/// Checks a batch's proof as GET /api/integrity/batches/{id} exported it, with no database and no trust in the service:
/// every event hashes to its link, every link follows from the one before, and the sealed head leads to its root; given
/// the roots as published (GET /api/integrity/roots), that root must be the one published under its number.
/// Exit code 0: intact; 1: broken (the first broken link is named); 2: the files cannot be read.
/// </summary>
public static class Verifier
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static int Main(string[] args) => Run(args, Console.Out);

    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length is < 1 or > 2)
        {
            output.WriteLine("usage: Traceability.Verifier <proof.json> [roots.json]");
            return 2;
        }
        StreamProof proof;
        List<PublishedRoot>? roots = null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(args[0]));
            var element = document.RootElement.TryGetProperty("proof", out var inner) ? inner : document.RootElement;
            proof = element.Deserialize<StreamProof>(Json) ?? throw new JsonException("empty proof");
            if (args.Length == 2) roots = JsonSerializer.Deserialize<List<PublishedRoot>>(File.ReadAllText(args[1]), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            output.WriteLine($"unreadable: {e.Message}");
            return 2;
        }

        var verdict = ChainProof.Verify(proof);
        if (verdict.Intact && proof.Root is { } root && roots is not null)
        {
            var published = roots.FirstOrDefault(r => r.Number == root.Number);
            if (published is null || !published.MerkleRoot.Equals(root.MerkleRoot, StringComparison.OrdinalIgnoreCase))
                verdict = new Verdict(false, root.LeafVersion, $"root {root.Number} in the proof ({root.MerkleRoot}) is not the root published under that number ({published?.MerkleRoot ?? "none"})");
        }
        output.WriteLine(verdict.Intact ? $"INTACT {proof.StreamId}: {verdict.Detail}" : $"BROKEN {proof.StreamId} at version {verdict.BrokenAtVersion}: {verdict.Detail}");
        return verdict.Intact ? 0 : 1;
    }

    sealed record PublishedRoot(long Number, string MerkleRoot);
}
