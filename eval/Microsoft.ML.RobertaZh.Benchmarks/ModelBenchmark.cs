using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Encoder throughput of one UER size in one process: inference forward (batch 32), a full training step with a
/// classification head ("train", batch 16: forward, backward, clipping at 1.0, AdamW with decay 0.01, dropout 0.1),
/// or a masked-LM training step ("mlm", batch 16, the same step with the MLM head on 15% of positions, no pooler).
/// Prints one JSON line with sequences per second (median, min, max over repeats) and the process's peak RSS, the
/// same fields eval/reference/bench_model.py prints for PyTorch.
/// </summary>
internal static class ModelBenchmark
{
    public static int Run(string[] args)
    {
        string size = Arg(args, "--size", "tiny");
        string mode = Arg(args, "--mode", "forward");
        int seq = int.Parse(Arg(args, "--seq", "128"), CultureInfo.InvariantCulture);
        int batch = int.Parse(Arg(args, "--batch", mode == "forward" ? "32" : "16"), CultureInfo.InvariantCulture);
        int warmup = int.Parse(Arg(args, "--warmup", "2"), CultureInfo.InvariantCulture);
        int repeats = int.Parse(Arg(args, "--repeats", "5"), CultureInfo.InvariantCulture);
        int steps = int.Parse(Arg(args, "--steps", mode == "train" ? "1" : "1"), CultureInfo.InvariantCulture);

        var config = BertConfig.FromPreset(size);
        if (mode is not ("forward" or "train" or "mlm")) { Console.Error.WriteLine($"unknown mode {mode}"); return 2; }
        bool training = mode != "forward";
        var heads = mode switch
        {
            "train" => BertHeads.Classification(2),
            "mlm" => new BertHeads(Pooler: false, MaskedLm: true),
            _ => new BertHeads(Pooler: true, MaskedLm: false),
        };
        // --precision: fp32 (default, the fused inference pass), int8 (dynamic quantization), or unfused (the training
        // encoder in inference mode: the pre-fusion baseline, for A/B runs of the fused epilogues).
        string precision = Arg(args, "--precision", "fp32");
        var model = BertModel.Create(config, heads, seed: 1);
        if (precision == "int8") model.InferencePrecision = InferencePrecision.DynamicInt8;
        BertActivations? unfused = null;

        // benchmarking.md: random ids in [1000, 21128), first token 101, full attention mask.
        var rng = new Random(7);
        var ids = new int[batch * seq];
        for (int i = 0; i < ids.Length; i++) ids[i] = i % seq == 0 ? 101 : rng.Next(1000, 21128);
        // MLM: 15% of the positions (never the first) carry their own id as the label, as the libtorch probe does.
        int[]? mlmLabels = null;
        if (mode == "mlm")
        {
            mlmLabels = new int[batch * seq];
            for (int i = 0; i < mlmLabels.Length; i++) mlmLabels[i] = i % seq != 0 && rng.NextDouble() < 0.15 ? ids[i] : -100;
        }
        // --lengths random: sequence lengths uniform in [seq/4, seq], right-padded (a realistic serving batch);
        // --pack: skip the padded positions at inference (BertModel.PackPaddedSequences).
        int[]? attention = null;
        if (Arg(args, "--lengths", "full") == "random")
        {
            attention = new int[batch * seq];
            for (int b = 0; b < batch; b++)
            {
                int length = rng.Next(seq / 4, seq + 1);
                for (int t = 0; t < seq; t++) attention[b * seq + t] = t < length ? 1 : 0;
            }
        }
        model.PackPaddedSequences = args.Contains("--pack");
        var input = new BertBatch(batch, seq, ids, attentionMask: attention)
        {
            ClassLabels = mode == "train" ? [.. Enumerable.Range(0, batch).Select(i => i % 2)] : null,
            MaskedLmLabels = mlmLabels,
        };

        AdamW? optimizer = training ? new AdamW(model.Layout, new AdamWOptions { WeightDecay = 0.01f, Epsilon = 1e-6f }) : null;
        void Step()
        {
            if (optimizer is null)
            {
                if (precision == "unfused")
                {
                    unfused ??= new BertActivations(config, heads, batch, seq, training: false);
                    BertEncoder.Forward(model.Layout, model.Parameters, unfused, input, new DropoutContext(false, 0, 0, config.NumHiddenLayers));
                }
                else model.Forward(input);
                return;
            }
            model.ZeroGradients();
            model.ForwardBackward(input);
            GradientClipping.ClipByGlobalNorm(model.Gradients, 1.0);
            optimizer.Update(model.Parameters, model.Gradients, 1e-5f);
        }

        for (int i = 0; i < warmup; i++) Step();
        var rates = new List<double>();
        var cpu = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) Step();
            rates.Add(batch * steps / sw.Elapsed.TotalSeconds);
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds / (batch * steps));
        }
        cpu.Sort();
        rates.Sort();
        var result = new Dictionary<string, object>
        {
            ["side"] = (precision == "fp32" ? "csharp" : "csharp-" + precision) + (model.PackPaddedSequences ? "-packed" : ""), ["size"] = size, ["mode"] = mode,
            ["lengths"] = attention is null ? "full" : "random", ["batch"] = batch, ["seq"] = seq,
            ["median"] = rates[rates.Count / 2], ["min"] = rates[0], ["max"] = rates[^1],
            ["peak_rss_mb"] = PeakRssMegabytes(), ["threads"] = Environment.ProcessorCount,
            // CPU seconds per sequence (all threads): steadier than the rate when other processes share the cores.
            ["cpu_ms_per_seq"] = 1e3 * cpu[cpu.Count / 2],
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>VmHWM from /proc/self/status: the most resident memory the process ever had.</summary>
    internal static double PeakRssMegabytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return double.NaN;
        foreach (string line in File.ReadLines(path))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}
