using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Runtime;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime;
using Microsoft.ML.RobertaZh.OnnxRuntime.Export;
using Microsoft.ML.RobertaZh.OnnxRuntime.Scoring;
using Microsoft.ML.RobertaZh.Tokenization;
using Microsoft.ML.RobertaZh.Transforms;

namespace Microsoft.ML.RobertaZh.InferenceBench;

/// <summary>The measurements; each returns one JSON line.</summary>
internal static class Measurements
{
    /// <summary>Writes the classifier directory of <paramref name="size"/> and its ONNX export, outside the timed processes.</summary>
    public static void Prepare(string work, string size)
    {
        string dir = BenchModels.ClassifierDirectory(work, size);
        string onnx = Path.Combine(dir, "onnx", "classifier.onnx");
        if (!File.Exists(onnx))
        {
            using var classifier = RobertaClassifierTransformer.Load(new MLContext(), dir);
            classifier.ExportOnnx(onnx);
        }
        // The engine's own cache ($ROBERTA_ZH_ONNX_CACHE): export now, so timed processes only load.
        foreach (bool fused in new[] { false, true })
            new OnnxRuntimeEngineFactory { Fused = fused }.CreateInference(BertModel.Load(dir), new EngineOptions { Engine = EngineKind.OnnxRuntime }).Dispose();
    }

    /// <summary>Sequences per second of <paramref name="engineName"/>'s forward pass on a full (batch, seq) batch of random ids.</summary>
    public static string Throughput(string work, string size, string engineName, int batch, int seq, int threads, int warmup, int repeats)
    {
        var model = BertModel.Load(BenchModels.ClassifierDirectory(work, size));
        var rng = new Random(7);
        var ids = new int[batch * seq];
        for (int i = 0; i < ids.Length; i++) ids[i] = i % seq == 0 ? 101 : rng.Next(1000, model.Config.VocabSize);
        var input = new BertBatch(batch, seq, ids);
        var sw = Stopwatch.StartNew();
        using var engine = CreateEngine(model, engineName, threads);
        double create = sw.Elapsed.TotalSeconds;
        if (engine.Kind != EngineKind.Managed) model = null; // the other engines hold their own copy
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        for (int i = 0; i < warmup; i++) engine.Forward(input);
        var rates = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            sw.Restart();
            engine.Forward(input);
            rates.Add(batch / sw.Elapsed.TotalSeconds);
        }
        rates.Sort();
        return Json(new()
        {
            ["kind"] = "throughput", ["side"] = engineName, ["size"] = size, ["batch"] = batch, ["seq"] = seq, ["threads"] = threads,
            ["median"] = rates[rates.Count / 2], ["min"] = rates[0], ["max"] = rates[^1], ["create_s"] = create, ["peak_rss_mb"] = PeakRss.MiB(),
        });
    }

    /// <summary>Latency of one sentence at a time (real review texts, truncated at 128 tokens) along <paramref name="route"/>.</summary>
    public static string Latency(string work, string size, string route, string engineName, int threads, int warmup, int calls)
    {
        string dir = BenchModels.ClassifierDirectory(work, size);
        var sentences = BenchModels.Sentences(Math.Max(calls, 50));
        Func<string, float> predict;
        IDisposable? owned = null;
        var ml = new MLContext(seed: 1);
        switch (route)
        {
            case "engine":
            {
                var engine = CreateEngine(BertModel.Load(dir), engineName, threads);
                var tokenizer = BertTokenizer.Load(Path.Combine(dir, "vocab.txt"));
                var options = new EncodeOptions { MaxLength = 128 };
                owned = engine;
                predict = text =>
                {
                    var e = tokenizer.Encode(text, options: options);
                    var logits = engine.Forward(new BertBatch(1, e.Count, [.. e.Ids], [.. e.TypeIds])).Logits!;
                    return logits[1] - logits[0];
                };
                break;
            }
            case "prediction-engine":
            {
                var classifier = LoadClassifier(ml, dir, engineName, threads);
                owned = classifier;
                var pe = ml.Model.CreatePredictionEngine<Review, Prediction>(classifier);
                predict = text => pe.Predict(new Review { Text = text }).Score;
                break;
            }
            case "mlnet-onnx":
            {
                if (engineName != "onnxruntime") throw new ArgumentException("--route mlnet-onnx runs ONNX Runtime through ML.NET's ApplyOnnxModel: use --engine onnxruntime.");
                var tokenizer = BertTokenizer.Load(Path.Combine(dir, "vocab.txt"));
                var empty = ml.Data.LoadFromEnumerable(new[] { new Review { Text = "" } });
                var model = ml.Transforms.Text.TokenizeForRoberta(tokenizer, "Text", maxLength: 128, fixedLength: false)
                    .Append(ml.Transforms.ApplyOnnxModel(new Microsoft.ML.Transforms.Onnx.OnnxOptions
                    {
                        ModelFile = Path.Combine(dir, "onnx", "classifier.onnx"), OutputColumns = ["logits"],
                        InputColumns = ["input_ids", "attention_mask", "token_type_ids"], IntraOpNumThreads = threads, InterOpNumThreads = 1,
                    }))
                    .Append(ml.Transforms.CustomMapping(new BinaryClassifierScores().GetMapping(), BinaryClassifierScores.Contract))
                    .Fit(empty);
                var pe = ml.Model.CreatePredictionEngine<Review, Prediction>(model);
                predict = text => pe.Predict(new Review { Text = text }).Score;
                break;
            }
            default:
                throw new ArgumentException($"--route {route}: use engine, prediction-engine or mlnet-onnx.");
        }
        using var _ = owned;
        for (int i = 0; i < warmup; i++) predict(sentences[i % sentences.Count]);
        var ms = new double[calls];
        var sw = new Stopwatch();
        for (int i = 0; i < calls; i++)
        {
            sw.Restart();
            predict(sentences[i % sentences.Count]);
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(ms);
        return Json(new()
        {
            ["kind"] = "latency", ["route"] = route, ["side"] = engineName, ["size"] = size, ["threads"] = threads, ["calls"] = calls,
            ["p50_ms"] = ms[calls / 2], ["p99_ms"] = ms[Math.Min(calls - 1, (int)Math.Ceiling(calls * 0.99) - 1)], ["mean_ms"] = ms.Average(), ["peak_rss_mb"] = PeakRss.MiB(),
        });
    }

    private static IBertEngine CreateEngine(BertModel model, string name, int threads) => name switch
    {
        "managed" => BertEngines.CreateInference(model, new EngineOptions { Engine = EngineKind.Managed, Threads = threads }),
        "torchsharp" => BertEngines.CreateInference(model, new EngineOptions { Engine = EngineKind.TorchSharp, Threads = threads }),
        "onnxruntime" => BertEngines.CreateInference(model, new EngineOptions { Engine = EngineKind.OnnxRuntime, Threads = threads }),
        "onnxruntime-fused" => new OnnxRuntimeEngineFactory { Fused = true }.CreateInference(model, new EngineOptions { Engine = EngineKind.OnnxRuntime, Threads = threads }),
        _ => throw new ArgumentException($"--engine {name}: use managed, torchsharp, onnxruntime or onnxruntime-fused."),
    };

    // The classifier transformer on the engine asked for, as an application loads it (RobertaInferenceOptions).
    private static RobertaClassifierTransformer LoadClassifier(MLContext ml, string dir, string engineName, int threads)
    {
        // The managed kernels' degree of parallelism is process-wide and set by an engine's Threads (public behaviour of
        // EngineOptions); RobertaInferenceOptions has no thread count, so ONNX Runtime and libtorch keep their default,
        // the physical cores (2 on the project's machine).
        using (BertEngines.CreateInference(BertModel.Create(BertConfig.FromPreset("tiny"), BertHeads.Classification(2), seed: 1), new EngineOptions { Threads = threads })) { }
        var kind = engineName switch
        {
            "managed" => EngineKind.Managed,
            "torchsharp" => EngineKind.TorchSharp,
            "onnxruntime" => EngineKind.OnnxRuntime,
            _ => throw new ArgumentException($"--engine {engineName} has no prediction-engine route."),
        };
        return RobertaClassifierTransformer.Load(ml, dir, new RobertaInferenceOptions { Engine = kind });
    }

    private static string Json(Dictionary<string, object> fields) => JsonSerializer.Serialize(fields);
}

/// <summary>The input row.</summary>
internal sealed class Review
{
    public string Text { get; set; } = "";
}

/// <summary>The binary score.</summary>
internal sealed class Prediction
{
    public float Score { get; set; }
}
