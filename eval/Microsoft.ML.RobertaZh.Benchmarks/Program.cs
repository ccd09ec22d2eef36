using Microsoft.ML.RobertaZh.Benchmarks;

// Benchmark entry point: the first argument names the benchmark, the rest are passed to it.
string command = args.Length > 0 ? args[0] : "help";
string[] rest = args.Length > 1 ? args[1..] : [];
switch (command)
{
    case "profile":
        return KernelProfile.Run(rest);
    case "model":
        return ModelBenchmark.Run(rest);
    default:
        Console.Error.WriteLine("usage: Microsoft.ML.RobertaZh.Benchmarks <benchmark> [options]");
        Console.Error.WriteLine("benchmarks:");
        Console.Error.WriteLine("  model --size tiny|mini|small|medium|base --mode forward|train [--batch N] [--seq N] [--repeats N]");
        return command == "help" ? 0 : 2;
}
