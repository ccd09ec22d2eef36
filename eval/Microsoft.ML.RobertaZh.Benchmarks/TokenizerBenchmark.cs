using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Tokenizer throughput on a file of lines (TAB separates a pair), the same file eval/reference/tokenizer-js/
/// bench_reference.mjs times the reference tokenizers on: single-threaded <see cref="BertTokenizer.Encode"/> in a loop,
/// and <see cref="BertTokenizer.EncodeBatch"/> over all lines on every core. Prints one JSON line per mode with
/// lines/s and chars/s (best of the repeats) and, single-threaded, the bytes allocated per token.
/// usage: tokenizer --vocab FILE --input FILE [--repeats N]
/// </summary>
internal static class TokenizerBenchmark
{
    public static int Run(string[] args)
    {
        string vocab = Arg(args, "--vocab", null) ?? throw new ArgumentException("--vocab is required");
        string input = Arg(args, "--input", null) ?? throw new ArgumentException("--input is required");
        int repeats = int.Parse(Arg(args, "--repeats", "5")!, CultureInfo.InvariantCulture);
        var tokenizer = new BertTokenizer(Vocabulary.Load(vocab));
        var lines = File.ReadAllLines(input);
        var firsts = lines.Select(l => l.Split('\t', 2)[0]).ToArray();
        var seconds = lines.Select(l => l.Contains('\t', StringComparison.Ordinal) ? l.Split('\t', 2)[1] : null).ToArray();
        long chars = lines.Sum(l => (long)l.Length);

        long tokens = 0;
        for (int i = 0; i < lines.Length; i++) tokens += tokenizer.Encode(firsts[i], seconds[i]).Count;   // warm-up
        double single = double.MaxValue;
        long allocated = 0;
        for (int r = 0; r < repeats; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < lines.Length; i++) tokenizer.Encode(firsts[i], seconds[i]);
            single = Math.Min(single, watch.Elapsed.TotalSeconds);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Report("single-thread", lines.Length, chars, tokens, single, allocated);

        tokenizer.EncodeBatch(firsts, seconds);
        double batched = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            tokenizer.EncodeBatch(firsts, seconds);
            batched = Math.Min(batched, watch.Elapsed.TotalSeconds);
        }
        Report($"batch-{Environment.ProcessorCount}-cores", lines.Length, chars, tokens, batched, null);
        return 0;
    }

    private static void Report(string mode, int lines, long chars, long tokens, double seconds, long? allocated)
    {
        var result = new Dictionary<string, object>
        {
            ["impl"] = "roberta-zh (C#)", ["mode"] = mode, ["lines"] = lines, ["tokens"] = tokens,
            ["seconds"] = Math.Round(seconds, 4), ["lines_per_s"] = Math.Round(lines / seconds), ["chars_per_s"] = Math.Round(chars / seconds),
        };
        // Results (id, type, mask, token and offset arrays) are per encoding; this is the total over all lines / tokens.
        if (allocated is long bytes) result["allocated_bytes_per_token"] = Math.Round(bytes / (double)tokens, 1);
        Console.WriteLine(JsonSerializer.Serialize(result));
    }

    private static string? Arg(string[] args, string name, string? fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
