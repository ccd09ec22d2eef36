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
    case "tokenizer-api":
        return TokenizerApiBenchmark.Run(rest);
    case "profile":
        return KernelProfile.Run(rest);
    case "segmenter":
        return SegmenterBenchmark.Run(rest);
    case "preprocess":
        return PreprocessBenchmark.Run(rest);
    default:
        Console.Error.WriteLine("usage: Microsoft.ML.RobertaZh.Benchmarks <benchmark> [options]");
        Console.Error.WriteLine("benchmarks:");
        Console.Error.WriteLine("  gemm [--repeats N] [--warmup N] [--filter TEXT] [--serial] [--best] [--kernel K] [--serve]   sgemm GFLOP/s on the base model's shapes");
        Console.Error.WriteLine("  model --size tiny|mini|small|medium|base --mode forward|train [--batch N] [--seq N] [--repeats N]   encoder throughput, peak RSS");
        Console.Error.WriteLine("  profile [size] [batch]   time of each kernel of one layer");
        Console.Error.WriteLine("  segmenter [--lines FILE] [--repeats N] [--no-python]   jieba-compatible segmenter vs jieba (Python), per mode");
        Console.Error.WriteLine("  tokenizer --vocab FILE --input FILE [--repeats N]   tokenizer lines/s and chars/s, single-threaded and batched");
        Console.Error.WriteLine("  tokenizer-api --vocab FILE --input FILE [--repeats N] [--cases FILE --expected FILE]   Microsoft.ML.Tokenizers path vs direct API; ML's BertTokenizer");
        Console.Error.WriteLine("  preprocess [--corpus FILE] [--repeats N]   pretraining-data preprocessing documents/s and tokens/s, with and without jieba");
        return command == "help" ? 0 : 2;
}
