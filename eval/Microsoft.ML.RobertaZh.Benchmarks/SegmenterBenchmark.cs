using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Segmentation;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Segmenter throughput per mode and dictionary load time, side by side with jieba 0.42.1 in Python on the same lines
/// (eval/reference/bench_segmenter.py, single thread), in one run. Lines: every non-empty line of
/// ../shared/data/corpora/CLUECorpusSmall_bert_sampled.txt unless --lines is given. Chars are code points, as Python counts.
/// Ours is the best of --repeats passes after one warm-up pass; jieba's the best of its --repeats passes.
/// </summary>
internal static class SegmenterBenchmark
{
    private static readonly (string Name, SegmentationMode Mode)[] Modes =
    [
        ("default", SegmentationMode.Default), ("no_hmm", SegmentationMode.NoHmm),
        ("cut_all", SegmentationMode.Full), ("search", SegmentationMode.Search),
    ];

    public static int Run(string[] args)
    {
        string root = FindRoot();
        string data = Path.GetFullPath(Path.Combine(root, "..", "shared", "data"));
        string dict = Path.Combine(data, "jieba", "dict.txt"), hmm = Path.Combine(data, "jieba", "hmm_model.json");
        string linesPath = Arg(args, "--lines", Path.Combine(data, "corpora", "CLUECorpusSmall_bert_sampled.txt"));
        int repeats = int.Parse(Arg(args, "--repeats", "3"), CultureInfo.InvariantCulture);
        string python = Arg(args, "--python", "/usr/bin/python3");
        bool withPython = !args.Contains("--no-python");

        var lines = File.ReadAllText(linesPath, Encoding.UTF8).Split('\n')
            .Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        long chars = lines.Sum(l => (long)l.EnumerateRunes().Count());

        var loads = new List<double>();
        JiebaSegmenter? segmenter = null;
        for (int r = 0; r < Math.Max(3, repeats); r++)
        {
            var watch = Stopwatch.StartNew();
            segmenter = JiebaSegmenter.Load(dict, hmm);
            loads.Add(watch.Elapsed.TotalSeconds);
        }
        // One full warm-up pass per mode before any timing, so tiered JIT/PGO has settled for all of them.
        foreach (var (_, mode) in Modes)
            foreach (string line in lines) segmenter!.Cut(line, mode);
        var ours = new Dictionary<string, double>();
        foreach (var (name, mode) in Modes)
        {
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                var watch = Stopwatch.StartNew();
                foreach (string line in lines) segmenter!.Cut(line, mode);
                best = Math.Min(best, watch.Elapsed.TotalSeconds);
            }
            ours[name] = best;
        }

        JsonElement? jieba = withPython ? RunPython(python, root, dict, linesPath, Math.Min(repeats, 2)) : null;
        Console.WriteLine(FormattableString.Invariant($"{lines.Length} lines, {chars} chars ({Path.GetFileName(linesPath)}); ours best of {repeats}, jieba best of {Math.Min(repeats, 2)}"));
        Console.WriteLine();
        Console.WriteLine("| mode | ours lines/s | ours chars/s | jieba lines/s | jieba chars/s | speed-up |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, _) in Modes)
        {
            double seconds = ours[name];
            string theirs = "| – | – | – |";
            if (jieba is { } j)
            {
                var m = j.GetProperty("modes").GetProperty(name);
                double lps = m.GetProperty("lines_per_s").GetDouble(), cps = m.GetProperty("chars_per_s").GetDouble();
                theirs = FormattableString.Invariant($"| {lps:N0} | {cps:N0} | {lines.Length / seconds / lps:F1}× |");
            }
            Console.WriteLine(FormattableString.Invariant($"| {name} | {lines.Length / seconds:N0} | {chars / seconds:N0} {theirs}"));
        }
        double first = loads[0];
        loads.Sort();
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"dictionary + HMM load, ours: first (cold JIT) {first * 1000:F0} ms, best {loads[0] * 1000:F0} ms, median {loads[loads.Count / 2] * 1000:F0} ms of {loads.Count}"));
        if (jieba is { } p)
            Console.WriteLine(FormattableString.Invariant(
                $"dictionary load, jieba: gen_pfdict {p.GetProperty("load_s").GetDouble() * 1000:F0} ms, initialize() from its marshal cache {p.GetProperty("load_cached_s").GetDouble() * 1000:F0} ms"));
        return 0;
    }

    private static JsonElement RunPython(string python, string root, string dict, string lines, int repeats)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(root, "eval", "reference", "bench_segmenter.py"), "--dict", dict, "--lines", lines,
                                     "--repeats", repeats.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + python);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"bench_segmenter.py exited with {process.ExitCode}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.RobertaZh.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root");
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
