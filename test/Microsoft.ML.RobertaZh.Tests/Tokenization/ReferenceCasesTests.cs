using System.Text.Json;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Tests.Tokenization;

/// <summary>
/// Exact comparison with Hugging Face's fast tokenizer (tokenizers 0.23, Rust) on a committed sample of its outputs
/// (Fixtures/tokenization/reference_cases.jsonl, written by eval/reference/make_tokenizer_fixture.mjs) for the
/// google_zh_vocab read from ../shared/data. eval/compare_tokenizer.sh runs the full set of 14,000+ lines.
/// </summary>
public class ReferenceCasesTests
{
    private static readonly Lazy<BertTokenizer> Tokenizer = new(() =>
        new BertTokenizer(Vocabulary.Load(Path.Combine(Fixtures.SharedData!, "vocab", "google_zh_vocab.txt"))));

    [SharedDataFact]
    public void MatchesHuggingFaceFastTokenizer()
    {
        var failures = new List<string>();
        int count = 0;
        foreach (string line in File.ReadLines(Fixtures.Path("tokenization/reference_cases.jsonl")))
        {
            count++;
            using var doc = JsonDocument.Parse(line);
            var c = doc.RootElement;
            string text = c.GetProperty("text").GetString()!;
            string? pair = c.GetProperty("pair").ValueKind == JsonValueKind.Null ? null : c.GetProperty("pair").GetString();
            var options = c.TryGetProperty("max_length", out var max)
                ? new EncodeOptions { MaxLength = max.GetInt32(), Truncation = Strategy(c.GetProperty("truncation").GetString()!) }
                : EncodeOptions.Default;
            if (c.TryGetProperty("error", out _))
            {
                if (!Throws(() => Tokenizer.Value.Encode(text, pair, options))) failures.Add($"line {count}: expected a truncation error");
                continue;
            }
            var e = Tokenizer.Value.Encode(text, pair, options);
            int[] ids = Ints(c.GetProperty("input_ids")), types = Ints(c.GetProperty("token_type_ids"));
            var offsets = c.GetProperty("offsets").EnumerateArray().Select(o => new TokenOffset(o[0].GetInt32(), o[1].GetInt32())).ToArray();
            if (!ids.SequenceEqual(e.Ids) || !types.SequenceEqual(e.TypeIds) || !offsets.SequenceEqual(e.Offsets))
                failures.Add($"line {count} ({c.GetProperty("tag").GetString()}): {JsonSerializer.Serialize(text)}: expected [{string.Join(",", ids)}], got [{string.Join(",", e.Ids)}]");
        }
        Assert.True(count > 300, $"only {count} cases in the fixture");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [SharedDataFact]
    public void HandCheckedExamplesFromTheSpecs()
    {
        var t = Tokenizer.Value;
        Assert.Equal(["pro", "##ba", "##bility"], t.Tokenize("probability"));
        Assert.Equal(["2015", "12306", "iphone"], t.Tokenize("2015 12306 iPhone"));
        var cased = new BertTokenizer(t.Vocabulary, new BertTokenizerOptions { LowerCase = false });
        Assert.Equal(["[UNK]"], cased.Tokenize("iPhone"));
        Assert.NotEmpty(cased.Warnings);
        Assert.False(t.Vocabulary.HasUpperCaseEntries);
        Assert.Equal(21128, t.Vocabulary.Count);
    }

    private static bool Throws(Action action)
    {
        try
        {
            action();
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(x => x.GetInt32())];

    private static TruncationStrategy Strategy(string name) => name switch
    {
        "longest_first" => TruncationStrategy.LongestFirst,
        "only_first" => TruncationStrategy.OnlyFirst,
        _ => TruncationStrategy.OnlySecond,
    };
}
