using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.EngineBench;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

// eval/bench_engines.sh runs this once per (engine, size, mode) in a fresh process, so each peak RSS is its own:
//   model  --engine managed|torchsharp --size tiny|mini|small|medium|base --mode forward|classify|train|mlm [--batch N] [--seq 128]
//          [--warmup 2] [--warmup-seconds 2] [--repeats 5] [--threads 2] [--precision fp32|int8] [--lengths full|random] [--pack]
//          (classify: a 2-label classifier's logits only, IBertEngine.ForwardLogits — the managed engine runs the last
//          layer for the first tokens only, libtorch the whole pass as Hugging Face does;
//          --precision and --pack: the managed engine's InferencePrecision and PackPaddedSequences, forward and classify only;
//          --lengths random: each sequence's length uniform in [seq/4, seq], right-padded, a serving batch)
//   int8-ratio --size S [--steps 20] [--warmup-seconds 3] [--batch 32] [--seq 128] [--lengths full|random] [--pack]
//          the managed engine's fp32 and int8 forward alternating in one process (see Int8Ratio)
//   matmul --engine managed|torchsharp [--warmup 2] [--repeats 5] [--threads 2]
//   gemm   --engine torchsharp|managed [--warmup 1] [--repeats 5] [--threads 2]   eval/bench_gemm.sh's server protocol on stdin
// Prints JSON lines with the fields eval/reference/bench_engine_torch.py prints for PyTorch.
var a = new Args(args);
string command = args.Length > 0 ? args[0] : "help";
var engine = a.Get("--engine", "managed") switch
{
    "managed" => EngineKind.Managed,
    "torchsharp" => EngineKind.TorchSharp,
    var other => throw new ArgumentException($"--engine {other}: use managed or torchsharp."),
};
int threads = a.Int("--threads", 2);
switch (command)
{
    case "model":
        ModelRun(engine, a.Get("--size", "tiny"), a.Get("--mode", "forward"), a, threads);
        return 0;
    case "int8-ratio":
        Int8Ratio(a.Get("--size", "tiny"), a, threads);
        return 0;
    case "gemm":
        MatMulProbe.Serve(engine, a.Int("--warmup", 1), a.Int("--repeats", 5), threads);
        return 0;
    case "matmul":
        foreach (var line in MatMulProbe.Run(engine, a.Int("--warmup", 2), a.Int("--repeats", 5), threads)) Console.WriteLine(line);
        return 0;
    default:
        Console.Error.WriteLine("usage: EngineBench model|int8-ratio|gemm|matmul [options]  (see the comment at the top and eval/bench_engines.sh)");
        return command == "help" ? 0 : 2;
}

static void ModelRun(EngineKind kind, string size, string mode, Args a, int threads)
{
    if (mode is not ("forward" or "classify" or "train" or "mlm")) throw new ArgumentException($"--mode {mode}: use forward, classify, train or mlm.");
    bool inference = mode is "forward" or "classify";
    int seq = a.Int("--seq", 128), batch = a.Int("--batch", inference ? 32 : 16);
    int warmup = a.Int("--warmup", 2), repeats = a.Int("--repeats", 5);
    var config = BertConfig.FromPreset(size);
    config.HiddenDropoutProb = config.AttentionProbsDropoutProb = 0.1f; // benchmarking.md: dropout 0.1 in training steps
    var heads = mode switch
    {
        "train" or "classify" => BertHeads.Classification(2),
        "mlm" => new BertHeads(Pooler: false, MaskedLm: true),
        _ => new BertHeads(Pooler: true, MaskedLm: false),
    };
    var model = BertModel.Create(config, heads, seed: 1);
    var (ids, attention, labels, randomLengths) = Inputs(a, mode, batch, seq);
    string precision = a.Get("--precision", "fp32");
    bool pack = Array.IndexOf(a.Raw, "--pack") >= 0;
    var inferencePrecision = precision switch
    {
        "fp32" => InferencePrecision.FullPrecision,
        "int8" => InferencePrecision.DynamicInt8,
        _ => throw new ArgumentException($"--precision {precision}: use fp32 or int8."),
    };
    if ((kind != EngineKind.Managed || !inference) && (precision != "fp32" || pack))
        throw new ArgumentException("--precision int8 and --pack apply to the managed engine's forward and classify modes only.");
    var input = new BertBatch(batch, seq, ids, attentionMask: attention)
    {
        ClassLabels = mode == "train" ? [.. Enumerable.Range(0, batch).Select(i => i % 2)] : null,
        MaskedLmLabels = labels,
    };
    // BertEngines.CreateInference takes precision and packing from the engine options (the model's own settings are left
    // alone), so they go here, not on the model.
    var options = new EngineOptions { Engine = kind, Threads = threads, InferencePrecision = inferencePrecision, PackPaddedSequences = pack };
    var adamW = new AdamWOptions { WeightDecay = 0.01f, Epsilon = 1e-6f };
    using IBertEngine e = inference ? BertEngines.CreateInference(model, options) : BertEngines.CreateTraining(model, options);
    model = null; // the TorchSharp engine holds its own copy: let the managed one go (the managed engine shares it)
    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true); // and give its pages back to the OS
    GC.WaitForPendingFinalizers();
    bool verbose = a.Get("--verbose", "0") == "1";
    if (verbose) Console.Error.WriteLine($"# after creating the engine: peak {PeakRss.MiB():F0} MiB, now {PeakRss.CurrentMiB():F0} MiB");
    void Step()
    {
        if (mode == "classify")
        {
            e.ForwardLogits(input);
            return;
        }
        if (e is not IBertTrainingEngine t || inference)
        {
            e.Forward(input);
            return;
        }
        t.ZeroGradients();
        t.ForwardBackward(input);
        t.ClipGradients(1.0);
        t.OptimizerStep(1e-5f, adamW);
    }
    // At least --warmup steps and at least --warmup-seconds (default 2): .NET compiles hot methods again, optimized for
    // this CPU (tiered compilation), a few hundred milliseconds after their first calls, and library helpers (such as
    // System.Numerics.Tensors) start as precompiled code without AVX-512; a handful of tiny-model steps is over before
    // that, so a step count alone would time the start-up code. The same rule for every engine run here.
    double warmupSeconds = double.Parse(a.Get("--warmup-seconds", "2"), CultureInfo.InvariantCulture);
    var warming = Stopwatch.StartNew();
    for (int i = 0; i < warmup || warming.Elapsed.TotalSeconds < warmupSeconds; i++) Step();
    if (verbose) Console.Error.WriteLine($"# after warm-up: peak {PeakRss.MiB():F0} MiB, now {PeakRss.CurrentMiB():F0} MiB");
    var rates = new List<double>();
    for (int r = 0; r < repeats; r++)
    {
        var sw = Stopwatch.StartNew();
        Step();
        rates.Add(batch / sw.Elapsed.TotalSeconds);
    }
    rates.Sort();
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["side"] = (kind == EngineKind.Managed ? "managed" : "torchsharp") + (precision == "int8" ? "-int8" : "") + (pack ? "-packed" : ""),
        ["size"] = size, ["mode"] = mode, ["batch"] = batch, ["seq"] = seq, ["lengths"] = randomLengths ? "random" : "full",
        ["median"] = rates[rates.Count / 2], ["min"] = rates[0], ["max"] = rates[^1], ["peak_rss_mb"] = PeakRss.MiB(), ["threads"] = threads,
        ["parameters"] = e.ParameterCount,
    }));
}

// benchmarking.md: random ids in [1000, 21128), first token 101, full attention mask; MLM labels on 15% of positions.
// --lengths random: a serving batch, lengths uniform in [seq/4, seq], right-padded (the same lengths on every engine: seed 11).
static (int[] Ids, int[]? Attention, int[]? MlmLabels, bool RandomLengths) Inputs(Args a, string mode, int batch, int seq)
{
    var rng = new Random(7);
    var ids = new int[batch * seq];
    for (int i = 0; i < ids.Length; i++) ids[i] = i % seq == 0 ? 101 : rng.Next(1000, 21128);
    var labels = mode == "mlm" ? ids.Select((id, i) => i % seq != 0 && rng.NextDouble() < 0.15 ? id : -100).ToArray() : null;
    int[]? attention = null;
    bool randomLengths = a.Get("--lengths", "full") == "random";
    if (randomLengths)
    {
        var lengthRng = new Random(11);
        attention = new int[batch * seq];
        for (int b = 0; b < batch; b++)
        {
            int length = lengthRng.Next(seq / 4, seq + 1);
            for (int t = 0; t < seq; t++) attention[b * seq + t] = t < length ? 1 : 0;
        }
    }
    return (ids, attention, labels, randomLengths);
}

// int8-ratio: the int8 / fp32 speed ratio of the managed engine's forward pass measured in one process, the two
// engines' steps alternating (fp32, int8, fp32, ...) so a slow spell of a shared machine hits both alike; prints the
// median of each side and the median of the per-pair ratios.
static void Int8Ratio(string size, Args a, int threads)
{
    int seq = a.Int("--seq", 128), batch = a.Int("--batch", 32), steps = a.Int("--steps", 20);
    bool pack = Array.IndexOf(a.Raw, "--pack") >= 0;
    var (ids, attention, _, randomLengths) = Inputs(a, "forward", batch, seq);
    var input = new BertBatch(batch, seq, ids, attentionMask: attention);
    var config = BertConfig.FromPreset(size);
    IBertEngine Engine(InferencePrecision precision) => BertEngines.CreateInference(BertModel.Create(config, new BertHeads(Pooler: true, MaskedLm: false), seed: 1),
        new EngineOptions { Engine = EngineKind.Managed, Threads = threads, InferencePrecision = precision, PackPaddedSequences = pack });
    using var fp32 = Engine(InferencePrecision.FullPrecision);
    using var int8 = Engine(InferencePrecision.DynamicInt8);
    double warmupSeconds = double.Parse(a.Get("--warmup-seconds", "3"), CultureInfo.InvariantCulture);
    var warming = Stopwatch.StartNew();
    for (int i = 0; i < 2 || warming.Elapsed.TotalSeconds < warmupSeconds; i++)
    {
        fp32.Forward(input);
        int8.Forward(input);
    }
    var full = new List<double>();
    var quantized = new List<double>();
    var ratios = new List<double>();
    for (int i = 0; i < steps; i++)
    {
        var sw = Stopwatch.StartNew();
        fp32.Forward(input);
        double f = sw.Elapsed.TotalSeconds;
        sw.Restart();
        int8.Forward(input);
        double q = sw.Elapsed.TotalSeconds;
        full.Add(batch / f);
        quantized.Add(batch / q);
        ratios.Add(f / q);
    }
    static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["size"] = size, ["batch"] = batch, ["seq"] = seq, ["lengths"] = randomLengths ? "random" : "full", ["packed"] = pack, ["steps"] = steps,
        ["fp32_median"] = Median(full), ["int8_median"] = Median(quantized), ["ratio_median"] = Median(ratios),
        ["ratio_min"] = ratios.Min(), ["ratio_max"] = ratios.Max(), ["threads"] = threads,
    }));
}

/// <summary>Command-line options as --name value pairs.</summary>
internal sealed class Args(string[] args)
{
    public string[] Raw => args;

    public string Get(string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
