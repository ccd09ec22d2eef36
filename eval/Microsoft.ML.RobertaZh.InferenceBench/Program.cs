using System.Globalization;
using Microsoft.ML.RobertaZh.InferenceBench;

// eval/bench_inference.sh runs this once per measurement in a fresh process, so each peak RSS is its own:
//   prepare    --size S --work DIR                     writes the classifier directory and its ONNX export (not timed)
//   throughput --engine E --size S --batch B [--seq 128] [--threads 2] [--warmup 2] [--repeats 5] --work DIR
//   latency    --route R --engine E --size S [--calls 200] [--warmup 20] [--threads 2] --work DIR
// Engines: managed, torchsharp, onnxruntime, onnxruntime-fused. Latency routes: engine (tokenize + engine forward),
// prediction-engine (ML.NET PredictionEngine over RobertaClassifierTransformer on the engine), mlnet-onnx (PredictionEngine
// over TokenizeForRoberta → ApplyOnnxModel → BinaryClassifierScores: ML.NET's own ONNX scoring). One JSON line each.
var a = new Args(args);
string work = a.Get("--work", Path.Combine(Path.GetTempPath(), "roberta-zh-inference-bench"));
string size = a.Get("--size", "tiny");
int threads = a.Int("--threads", 2);
switch (args.Length > 0 ? args[0] : "help")
{
    case "prepare":
        Measurements.Prepare(work, size);
        return 0;
    case "throughput":
        Console.WriteLine(Measurements.Throughput(work, size, a.Get("--engine", "managed"), a.Int("--batch", 32), a.Int("--seq", 128), threads, a.Int("--warmup", 2), a.Int("--repeats", 5)));
        return 0;
    case "latency":
        Console.WriteLine(Measurements.Latency(work, size, a.Get("--route", "engine"), a.Get("--engine", "managed"), threads, a.Int("--warmup", 20), a.Int("--calls", 200)));
        return 0;
    default:
        Console.Error.WriteLine("usage: InferenceBench prepare|throughput|latency [options]  (see eval/bench_inference.sh)");
        return args.Length == 0 || args[0] == "help" ? 0 : 2;
}

/// <summary>Command-line options as --name value pairs.</summary>
internal sealed class Args(string[] args)
{
    public string Get(string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
