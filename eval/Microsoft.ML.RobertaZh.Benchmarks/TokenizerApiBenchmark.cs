using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.Tokenizers;
using MLBertTokenizer = Microsoft.ML.Tokenizers.BertTokenizer;
using OurBertTokenizer = Microsoft.ML.RobertaZh.Tokenization.BertTokenizer;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// The Microsoft.ML.Tokenizers path vs our direct API, single-threaded, on the texts of a file of lines (each half of a
/// TAB-separated pair counts as a text): <see cref="RobertaZhTokenizer"/> through the <see cref="Tokenizer"/> base
/// class (EncodeToIds, EncodeToTokens, CountTokens) against <see cref="OurBertTokenizer.Encode"/>, and
/// Microsoft.ML.Tokenizers' own BertTokenizer (HF-like options) in the same loop. With --cases/--expected (the files of
/// eval/compare_tokenizer.sh) it also counts the lines where each differs from Hugging Face's ids.
/// Prints one JSON line per path: texts/s, chars/s, tokens/s (best of the repeats), bytes allocated per token.
/// usage: tokenizer-api --vocab FILE --input FILE [--repeats N] [--cases cases.txt --expected expected.jsonl]
/// </summary>
internal static class TokenizerApiBenchmark
{
    public static int Run(string[] args)
    {
        string vocab = Arg(args, "--vocab") ?? throw new ArgumentException("--vocab is required");
        string input = Arg(args, "--input") ?? throw new ArgumentException("--input is required");
        int repeats = int.Parse(Arg(args, "--repeats") ?? "5", CultureInfo.InvariantCulture);
        var ours = new OurBertTokenizer(Vocabulary.Load(vocab));
        Tokenizer api = new RobertaZhTokenizer(ours);
        Tokenizer apiWithSpecials = new RobertaZhTokenizer(ours, addSpecialTokens: true);
        var ml = MLBertTokenizer.Create(vocab, new BertOptions
        {
            LowerCaseBeforeTokenization = true, RemoveNonSpacingMarks = true, IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true, SplitOnSpecialTokens = true,
        });
        var texts = File.ReadAllLines(input).SelectMany(l => l.Split('\t')).ToArray();
        long chars = texts.Sum(t => (long)t.Length);
        var paths = new (string Name, Func<string, int> Encode)[]
        {
            ("direct BertTokenizer.Encode (ids, types, mask, tokens, offsets)", t => ours.Encode(t).Count),
            ("direct BertTokenizer.Tokenize (token strings)", t => ours.Tokenize(t).Count + 2),
            ("Tokenizer.EncodeToIds (RobertaZhTokenizer, with [CLS]/[SEP])", t => apiWithSpecials.EncodeToIds(t).Count),
            ("Tokenizer.EncodeToIds (RobertaZhTokenizer)", t => api.EncodeToIds(t).Count + 2),
            ("Tokenizer.EncodeToTokens (RobertaZhTokenizer, ids, values, offsets)", t => api.EncodeToTokens(t, out _).Count + 2),
            ("Tokenizer.CountTokens (RobertaZhTokenizer)", t => api.CountTokens(t) + 2),
            ("Microsoft.ML.Tokenizers BertTokenizer.EncodeToIds (HF-like options)", t => ml.EncodeToIds(t, addSpecialTokens: true).Count),
        };
        // Interleave the paths in every round, so that load changes hit all of them alike.
        var best = new double[paths.Length];
        var tokens = new long[paths.Length];
        var allocated = new long[paths.Length];
        Array.Fill(best, double.MaxValue);
        for (int round = -1; round < repeats; round++)   // round -1 warms up
        {
            for (int p = 0; p < paths.Length; p++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread(), count = 0;
                var watch = Stopwatch.StartNew();
                foreach (string text in texts) count += paths[p].Encode(text);
                double seconds = watch.Elapsed.TotalSeconds;
                if (round < 0) continue;
                best[p] = Math.Min(best[p], seconds);
                tokens[p] = count;
                allocated[p] = GC.GetAllocatedBytesForCurrentThread() - before;
            }
        }
        for (int p = 0; p < paths.Length; p++)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["path"] = paths[p].Name, ["texts"] = texts.Length, ["tokens_with_specials"] = tokens[p],
                ["seconds"] = Math.Round(best[p], 4), ["texts_per_s"] = Math.Round(texts.Length / best[p]),
                ["chars_per_s"] = Math.Round(chars / best[p]), ["vs_direct_encode"] = Math.Round(best[0] / best[p], 2),
                ["allocated_bytes_per_token"] = Math.Round(allocated[p] / (double)tokens[p], 1),
            }));
        }
        if (Arg(args, "--cases") is string cases && Arg(args, "--expected") is string expected) CountMismatches(cases, expected, ours, ml);
        return 0;
    }

    // Lines (pairs included: ML's pair ids come from BuildInputsWithSpecialTokens) whose ids differ from HF's.
    private static void CountMismatches(string casesPath, string expectedPath, OurBertTokenizer ours, MLBertTokenizer ml)
    {
        var cases = File.ReadAllText(casesPath).Split('\n');
        var expected = File.ReadAllLines(expectedPath);
        int lines = Math.Min(cases.Length, expected.Length), oursBad = 0, mlBad = 0, pairs = 0;
        for (int i = 0; i < lines; i++)
        {
            using var doc = JsonDocument.Parse(expected[i]);
            int[] ids = [.. doc.RootElement.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32())];
            string[] parts = cases[i].Split('\t', 2);
            string? pair = parts.Length > 1 ? parts[1] : null;
            if (pair is not null) pairs++;
            if (!ours.Encode(parts[0], pair).Ids.SequenceEqual(ids)) oursBad++;
            var mlIds = pair is null
                ? ml.EncodeToIds(parts[0], addSpecialTokens: true)
                : ml.BuildInputsWithSpecialTokens(ml.EncodeToIds(parts[0], addSpecialTokens: false), ml.EncodeToIds(pair, addSpecialTokens: false));
            if (!mlIds.SequenceEqual(ids)) mlBad++;
        }
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["reference"] = Path.GetFileName(expectedPath), ["lines"] = lines, ["pairs"] = pairs,
            ["roberta_zh_mismatches"] = oursBad, ["ml_tokenizers_bert_mismatches"] = mlBad,
        }));
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
