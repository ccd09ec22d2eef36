using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Inference of one UER size on one engine in one process: <c>managed</c> (BertModel.Forward), <c>ort</c> (the plain
/// exported graph in ONNX Runtime) or <c>ort-fused</c> (the com.microsoft fused graph). Throughput mode times batches
/// (sequences per second: median, min, max over repeats); latency mode times single sequences one call at a time
/// (p50, p99 in milliseconds). Prints one JSON line, with the process's peak RSS. eval/bench_onnx.sh interleaves the
/// engines in fresh processes and prints the table.
/// </summary>
internal static class OnnxBenchmark
{
    public static int Run(string[] args)
    {
        string size = Arg(args, "--size", "tiny");
        string engine = Arg(args, "--engine", "ort");
        string mode = Arg(args, "--mode", "throughput");
        int seq = Int(args, "--seq", 128), threads = Int(args, "--threads", 2);
        int batch = mode == "latency" ? 1 : Int(args, "--batch", 32);
        int warmup = Int(args, "--warmup", 2), repeats = Int(args, "--repeats", mode == "latency" ? 200 : 5);

        string? onnxDirectory = Arg(args, "--onnx-dir", "") is { Length: > 0 } d ? d : null;
        // The ONNX Runtime processes of eval/bench_onnx.sh read graphs exported beforehand and never build the managed
        // model, so their peak RSS is ONNX Runtime's own.
        BertModel Model() => BertModel.Create(BertConfig.FromPreset(size), new BertHeads(Pooler: true, MaskedLm: false), seed: 1);
        if (engine == "export")
        {
            var model = Model();
            // Written once before the timed runs, so that ONNX Runtime processes do not carry the managed model's memory.
            ArgumentNullException.ThrowIfNull(onnxDirectory, "--onnx-dir");
            OnnxExporter.Export(model, Path.Combine(onnxDirectory, $"{size}.onnx"), new OnnxExportOptions { MaxSequenceLength = seq });
            OnnxExporter.Export(model, Path.Combine(onnxDirectory, $"{size}-fused.onnx"), new OnnxExportOptions { MaxSequenceLength = seq, Fused = true });
            return 0;
        }
        // benchmarking.md: random ids in [1000, 21128), first token 101, full attention mask.
        var rng = new Random(7);
        var ids = new int[batch * seq];
        for (int i = 0; i < ids.Length; i++) ids[i] = i % seq == 0 ? 101 : rng.Next(1000, 21128);
        var input = new BertBatch(batch, seq, ids);

        Func<BertBatch, BertOutput> forward;
        OnnxBertSession? session = null;
        string? dir = null;
        if (engine == "managed")
        {
            var model = Model();
            forward = b => model.Forward(b);
        }
        else if (engine is "ort" or "ort-fused")
        {
            string path;
            if (onnxDirectory is not null)
            {
                path = Path.Combine(onnxDirectory, engine == "ort-fused" ? $"{size}-fused.onnx" : $"{size}.onnx");
            }
            else
            {
                dir = Directory.CreateTempSubdirectory("roberta-zh-onnx-bench-").FullName;
                path = Path.Combine(dir, "model.onnx");
                OnnxExporter.Export(Model(), path, new OnnxExportOptions { Fused = engine == "ort-fused", MaxSequenceLength = seq });
            }
            session = OnnxBertSession.Load(path, new OnnxSessionOptions { IntraOpThreads = threads, InterOpThreads = 1 });
            forward = b => session.Forward(b);
        }
        else
        {
            Console.Error.WriteLine($"unknown --engine {engine}: managed, ort or ort-fused");
            return 2;
        }

        try
        {
            for (int i = 0; i < warmup; i++) forward(input);
            var samples = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                long start = Stopwatch.GetTimestamp();
                forward(input);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                samples.Add(mode == "latency" ? seconds * 1000 : batch / seconds);
            }
            samples.Sort();
            var result = new Dictionary<string, object>
            {
                ["engine"] = engine, ["size"] = size, ["mode"] = mode, ["batch"] = batch, ["seq"] = seq, ["threads"] = engine == "managed" ? Environment.ProcessorCount : threads,
                ["peak_rss_mb"] = ModelBenchmark.PeakRssMegabytes(),
            };
            if (mode == "latency")
            {
                result["p50_ms"] = Percentile(samples, 0.50);
                result["p99_ms"] = Percentile(samples, 0.99);
            }
            else
            {
                result["median"] = samples[samples.Count / 2];
                result["min"] = samples[0];
                result["max"] = samples[^1];
            }
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        finally
        {
            session?.Dispose();
            if (dir is not null) Directory.Delete(dir, recursive: true);
        }
    }

    // Nearest-rank percentile of sorted samples.
    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static int Int(string[] args, string name, int fallback) =>
        int.Parse(Arg(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
