using Microsoft.ML.RobertaZh.Benchmarks;

// Benchmark entry point: the first argument names the benchmark, the rest are passed to it.
// Add a subcommand by adding a case that calls YourBenchmark.Run(rest).
string command = args.Length > 0 ? args[0] : "help";
string[] rest = args.Length > 1 ? args[1..] : [];
switch (command)
{
    case "gemm":
        return GemmBenchmark.Run(rest);
    case "model":
        return ModelBenchmark.Run(rest);
    case "tokenizer":
        return TokenizerBenchmark.Run(rest);
    case "int8-accuracy":
        return Int8Accuracy.Run(rest);
    case "tokenizer-api":
        return TokenizerApiBenchmark.Run(rest);
    case "profile":
        return KernelProfile.Run(rest);
    case "segmenter":
        return SegmenterBenchmark.Run(rest);
    case "preprocess":
        return PreprocessBenchmark.Run(rest);
    case "pipeline":
        return PipelineBenchmark.Run(rest);
    case "embedding":
        return PipelineBenchmark.Embedding(rest);
    case "onnx":
        return OnnxBenchmark.Run(rest);
    default:
        Console.Error.WriteLine("usage: Microsoft.ML.RobertaZh.Benchmarks <benchmark> [options]");
        Console.Error.WriteLine("benchmarks:");
        Console.Error.WriteLine("  gemm [--repeats N] [--warmup N] [--filter TEXT] [--serial] [--best] [--kernel K] [--serve]   sgemm GFLOP/s on the base model's shapes");
        Console.Error.WriteLine("  model --size tiny|mini|small|medium|base --mode forward|train [--batch N] [--seq N] [--repeats N]   encoder throughput, peak RSS");
        Console.Error.WriteLine("  profile [size] [batch]   time of each kernel of one layer");
        Console.Error.WriteLine("  int8-accuracy --model DIR --data FILE [--rounds N] [--pack] [--full]   a fine-tuned classifier's accuracy and speed, fp32 vs dynamic int8");
        Console.Error.WriteLine("  segmenter [--lines FILE] [--repeats N] [--no-python]   jieba-compatible segmenter vs jieba (Python), per mode");
        Console.Error.WriteLine("  tokenizer --vocab FILE --input FILE [--repeats N]   tokenizer lines/s and chars/s, single-threaded and batched");
        Console.Error.WriteLine("  pipeline --size tiny|base --vocab FILE --data FILE [--rows N] [--batch N] [--precision fp32|int8]   PredictionEngine latency and batched Transform rows/s (ML.NET)");
        Console.Error.WriteLine("  embedding --model DIR --train FILE --dev FILE [--pooling cls|mean]   RobertaEmbedding -> SdcaLogisticRegression, ML.NET's metrics");
        Console.Error.WriteLine("  onnx --size S --engine managed|ort|ort-fused [--mode throughput|latency] [--batch N] [--seq N] [--threads N]   inference seq/s or latency p50/p99");
        Console.Error.WriteLine("  tokenizer-api --vocab FILE --input FILE [--repeats N] [--cases FILE --expected FILE]   Microsoft.ML.Tokenizers path vs direct API; ML's BertTokenizer");
        Console.Error.WriteLine("  preprocess [--corpus FILE] [--repeats N]   pretraining-data preprocessing documents/s and tokens/s, with and without jieba");
        return command == "help" ? 0 : 2;
}
