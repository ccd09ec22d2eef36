using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.RobertaZh.Data;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Evaluation;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Tokenization;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// The ML.NET-facing paths: PredictionEngine latency per sentence and batched Transform throughput of a binary
/// RoBERTa classifier (random-initialised weights of the named size, real vocabulary, real sentences), and the
/// RobertaEmbedding → SdcaLogisticRegression pipeline on a task.
/// </summary>
internal static class PipelineBenchmark
{
    public sealed class Review
    {
        public string Sentence1 { get; set; } = "";
    }

    public sealed class Prediction
    {
        public float Score { get; set; }
    }

    /// <summary><c>pipeline --size tiny|base --vocab FILE --data FILE [--rows N] [--batch N] [--seq N] [--precision fp32|int8]</c>.</summary>
    public static int Run(string[] args)
    {
        string size = Arg(args, "--size") ?? "tiny";
        string vocab = Arg(args, "--vocab") ?? throw new ArgumentException("--vocab FILE is needed");
        string data = Arg(args, "--data") ?? throw new ArgumentException("--data FILE (UER TSV) is needed");
        int rows = int.Parse(Arg(args, "--rows") ?? "512", CultureInfo.InvariantCulture);
        int batch = int.Parse(Arg(args, "--batch") ?? "32", CultureInfo.InvariantCulture);
        int seq = int.Parse(Arg(args, "--seq") ?? "128", CultureInfo.InvariantCulture);
        var precision = (Arg(args, "--precision") ?? "fp32") switch
        {
            "fp32" => InferencePrecision.FullPrecision,
            "int8" => InferencePrecision.DynamicInt8,
            var other => throw new ArgumentException($"--precision {other}: use fp32 or int8."),
        };
        var ml = new MLContext(seed: 1);
        var tokenizer = BertTokenizer.Load(vocab);
        var config = BertConfig.FromPreset(size);
        config.VocabSize = tokenizer.Vocabulary.Count;
        var model = BertModel.Create(config, BertHeads.Classification(2), seed: 7);
        var settings = new ClassifierSettings { Task = RobertaClassifierTask.Binary, ProbabilityColumnName = "Probability", MaxSequenceLength = seq, BatchSize = batch, InferencePrecision = precision };
        using var classifier = new RobertaClassifierTransformer(ml, model, tokenizer, ClassLabels.Binary, settings, []);
        var texts = ml.Data.CreateEnumerable<Review>(ml.Data.LoadTaskDataset(data), reuseRowObject: false).Take(rows).ToList();
        var view = ml.Data.LoadFromEnumerable(texts);

        // Warm-up, then batched Transform: rows/s through ML.NET's cursor.
        Score(ml, classifier, ml.Data.TakeRows(view, batch));
        var clock = Stopwatch.StartNew();
        int n = Score(ml, classifier, view);
        double throughput = n / clock.Elapsed.TotalSeconds;

        // PredictionEngine: one sentence per call.
        var engine = ml.Model.CreatePredictionEngine<Review, Prediction>(classifier);
        for (int i = 0; i < 8; i++) engine.Predict(texts[i]);
        int single = Math.Min(rows, 200);
        var latencies = new double[single];
        for (int i = 0; i < single; i++)
        {
            var t = Stopwatch.StartNew();
            engine.Predict(texts[i]);
            latencies[i] = t.Elapsed.TotalMilliseconds;
        }

        Array.Sort(latencies);
        double avgChars = texts.Take(single).Average(t => t.Sentence1.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{size} {(precision == InferencePrecision.DynamicInt8 ? "int8" : "fp32")}: Transform (batch {batch}, max {seq} tokens) {throughput:F1} rows/s over {n} rows; PredictionEngine per sentence median {latencies[single / 2]:F2} ms, p90 {latencies[single * 9 / 10]:F2} ms over {single} sentences (mean {avgChars:F0} chars)"));
        return 0;
    }

    /// <summary><c>embedding --model DIR --train FILE --dev FILE</c>: RobertaEmbedding → SdcaLogisticRegression, evaluated by ML.NET.</summary>
    public static int Embedding(string[] args)
    {
        string modelDir = Arg(args, "--model") ?? throw new ArgumentException("--model DIR is needed");
        var ml = new MLContext(seed: 7);
        var train = ml.Data.LoadTaskDataset(Arg(args, "--train") ?? throw new ArgumentException("--train FILE is needed"));
        var dev = ml.Data.LoadTaskDataset(Arg(args, "--dev") ?? throw new ArgumentException("--dev FILE is needed"));
        var pooling = Arg(args, "--pooling") == "mean" ? EmbeddingPooling.Mean : EmbeddingPooling.Cls;
        var pipeline = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Boolean)
            .Append(ml.Transforms.Text.RobertaEmbedding("Features", "Sentence1", modelPath: modelDir, pooling: pooling))
            .AppendCacheCheckpoint(ml) // embed each row once: SDCA makes many passes
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression());
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        double fit = clock.Elapsed.TotalSeconds;
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(dev));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RobertaEmbedding ({pooling}) → SdcaLogisticRegression: fit {fit:F1} s; dev:"));
        Console.WriteLine(metrics.ToTable());
        return 0;
    }

    private static int Score(MLContext ml, RobertaClassifierTransformer classifier, IDataView view)
    {
        int n = 0;
        foreach (var _ in ml.Data.CreateEnumerable<Prediction>(classifier.Transform(view), reuseRowObject: true)) n++;
        return n;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
