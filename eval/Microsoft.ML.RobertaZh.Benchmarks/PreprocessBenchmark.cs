using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Segmentation;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Pretraining-data preprocessing throughput (<see cref="PretrainingDataset.Preprocess"/>: reading, sentence splitting,
/// jieba, WordPiece, packing, shard writing) on ../shared/data/corpora/CLUECorpusSmall_sampled.txt unless --corpus is
/// given, with and without whole-word segmentation, on one thread and on all cores. Each configuration is built once to
/// warm up, then --repeats times into a fresh temporary directory; the best time is reported with the process CPU time of
/// that run. Loading the vocabulary and jieba is not timed.
/// </summary>
internal static class PreprocessBenchmark
{
    public static int Run(string[] args)
    {
        string root = FindRoot();
        string data = Path.GetFullPath(Path.Combine(root, "..", "shared", "data"));
        string corpus = Arg(args, "--corpus", Path.Combine(data, "corpora", "CLUECorpusSmall_sampled.txt"));
        int repeats = int.Parse(Arg(args, "--repeats", "3"), CultureInfo.InvariantCulture);
        var tokenizer = BertTokenizer.Load(Path.Combine(data, "vocab", "google_zh_vocab.txt"));
        var segmenter = JiebaSegmenter.Load(Path.Combine(data, "jieba", "dict.txt"), Path.Combine(data, "jieba", "hmm_model.json"));
        Console.WriteLine($"corpus {corpus} ({new FileInfo(corpus).Length:N0} bytes), {Environment.ProcessorCount} cores");
        // Phases on one thread: reading and sentence splitting alone, then each one's share of the work.
        double Time(Action action)
        {
            action();
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed.TotalSeconds;
        }
        var documents = CorpusReader.Read(corpus).ToList();
        var sentences = documents.SelectMany(d => d.Sentences).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read + split {Time(() => documents = CorpusReader.Read(corpus).ToList()):F3} s; " +
            $"WordPiece {Time(() => sentences.ForEach(s => tokenizer.Encode(s, options: new EncodeOptions { AddSpecialTokens = false }))):F3} s; " +
            $"jieba {Time(() => sentences.ForEach(s => segmenter.Tokenize(s))):F3} s ({sentences.Count:N0} sentences)"));
        Console.WriteLine("| masking | threads | seconds | CPU seconds | documents/s | tokens/s |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (bool wholeWord in new[] { true, false })
        {
            foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
            {
                var options = new PretrainingDataOptions
                {
                    DegreeOfParallelism = threads,
                    Masking = new MaskingOptions { Strategy = wholeWord ? MaskingStrategy.WholeWord : MaskingStrategy.Token },
                };
                var best = (Seconds: double.MaxValue, Cpu: 0.0, Documents: 0L, Tokens: 0L);
                for (int r = 0; r <= repeats; r++)
                {
                    string output = Path.Combine(Path.GetTempPath(), "rz-preprocess-bench-" + Guid.NewGuid().ToString("N"));
                    try
                    {
                        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                        var watch = Stopwatch.StartNew();
                        PreprocessProgress last = default;
                        using (PretrainingDataset.Preprocess(corpus, tokenizer, wholeWord ? segmenter : null, options, output, new Last(p => last = p))) { }
                        double seconds = watch.Elapsed.TotalSeconds;
                        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                        if (r > 0 && seconds < best.Seconds) best = (seconds, cpuSeconds, last.Documents, last.Tokens);
                    }
                    finally
                    {
                        Directory.Delete(output, recursive: true);
                    }
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(wholeWord ? "whole-word (jieba)" : "token (no jieba)")} | {threads} | {best.Seconds:F2} | {best.Cpu:F2} | {best.Documents / best.Seconds:N0} | {best.Tokens / best.Seconds:N0} |"));
            }
        }
        return 0;
    }

    private sealed class Last(Action<PreprocessProgress> report) : IProgress<PreprocessProgress>
    {
        public void Report(PreprocessProgress value) => report(value);
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.RobertaZh.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root.");
    }
}
