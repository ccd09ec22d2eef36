using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.RobertaZh.Tensors.Kernels;

namespace Microsoft.ML.RobertaZh.Benchmarks;

/// <summary>
/// Times <see cref="Gemm.Multiply"/> on the shapes BERT-base training runs (batch·sequence = 4096 rows, hidden 768,
/// feed-forward 3072) in the three forms training needs, plus 1024³ and the per-head attention products.
/// Shapes are M×K×N: C(M,N) = op(A)(M,K)·op(B)(K,N). Prints one machine-readable RESULT line per case
/// (eval/bench_gemm.sh pairs them with eval/reference/bench_matmul.py) and a readable table.
/// </summary>
internal static class GemmBenchmark
{
    /// <summary>One timed product. Form: "ABt" (B stored (N,K)), "AB", "AtB" (A stored (K,M)).</summary>
    internal sealed record Case(string Form, int M, int K, int N, bool Parallel = true);

    internal static IReadOnlyList<Case> Cases { get; } = BuildCases();

    private static List<Case> BuildCases()
    {
        var cases = new List<Case>();
        (int M, int K, int N)[] shapes = [(4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768), (1024, 1024, 1024)];
        foreach (string form in new[] { "ABt", "AB", "AtB" })
            foreach (var (m, k, n) in shapes) cases.Add(new Case(form, m, k, n));
        // The weight-gradient products as training really shapes them: dW(out,in) = dOutᵀ(out,4096)·input(4096,in).
        cases.Add(new Case("AtB", 768, 4096, 768));
        cases.Add(new Case("AtB", 3072, 4096, 768));
        cases.Add(new Case("AtB", 768, 4096, 3072));
        // The dynamically quantized int8 linear layer (Int8Gemm: input quantized per row on the fly, weights packed
        // once) on the forward shapes; compare with the ABt rows.
        foreach (var (m, k, n) in shapes.Take(3)) cases.Add(new Case("Q8", m, k, n));
        // Attention per (batch, head), single-threaded: scores = Q·Kᵀ and context = P·V.
        cases.Add(new Case("ABt", 128, 64, 128, Parallel: false));
        cases.Add(new Case("AB", 128, 128, 64, Parallel: false));
        return cases;
    }

    public static int Run(string[] args)
    {
        int repeats = 7, warmup = 2;
        string? filter = null;
        bool serial = false, best = false;
        var kernel = GemmKernel.Auto;
        bool serve = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--filter": filter = args[++i]; break;
                case "--serial": serial = true; break; // every case on the calling thread only
                case "--best": best = true; break;     // report the fastest sample instead of the median
                case "--cpu": s_cpuTime = true; break; // process CPU time instead of wall time (with --serial: steady on a busy machine)
                case "--kernel": kernel = Enum.Parse<GemmKernel>(args[++i], ignoreCase: true); break; // auto|avx512|avx2|portable
                case "--serve": serve = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        if (serve) return Serve(warmup, repeats, kernel, serial);
        Console.WriteLine($"# ours: Gemm.Multiply ({kernel} kernel), {Environment.ProcessorCount} cores, warm-up {warmup}, {(best ? "best" : "median")} of {repeats}");
        Console.WriteLine($"# {GemmBlocking.Describe()}");
        Console.WriteLine($"{"form",-5} {"M",6} {"K",6} {"N",6} {"threads",7} {"ms",9} {"GFLOP/s",9}");
        foreach (var c in Cases)
        {
            string name = Name(c);
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var run = serial ? c with { Parallel = false } : c;
            double seconds = Time(run, warmup, repeats, best, kernel);
            double gflops = 2.0 * c.M * c.K * c.N / seconds / 1e9;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{c.Form,-5} {c.M,6} {c.K,6} {c.N,6} {(run.Parallel ? "all" : "1"),7} {seconds * 1e3,9:F2} {gflops,9:F1}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT\t{name}\t{gflops:F2}"));
        }
        return 0;
    }

    internal static string Name(Case c) => $"{c.Form}:{c.M}x{c.K}x{c.N}{(c.Parallel ? "" : ":t1")}";

    /// <summary>
    /// Reads case names from stdin and answers each with a RESULT line, so a driver can interleave this process with
    /// the PyTorch one case by case (eval/bench_gemm.sh). An empty line or end of input stops.
    /// </summary>
    private static int Serve(int warmup, int repeats, GemmKernel kernel, bool serial)
    {
        while (Console.ReadLine() is { Length: > 0 } line)
        {
            var c = Cases.FirstOrDefault(x => Name(x) == line.Trim());
            if (c is null) { Console.WriteLine($"ERROR\tunknown case {line}"); continue; }
            double seconds = Time(serial ? c with { Parallel = false } : c, warmup, repeats, best: false, kernel);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT\t{line.Trim()}\t{2.0 * c.M * c.K * c.N / seconds / 1e9:F2}"));
        }
        return 0;
    }

    private static bool s_cpuTime;

    /// <summary>Wall seconds, or the process's CPU seconds with --cpu.</summary>
    private static double Now() => s_cpuTime ? Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    private static double Time(Case c, int warmup, int repeats, bool best, GemmKernel kernel)
    {
        if (c.Form == "Q8") return TimeInt8(c, warmup, repeats, best);
        bool transA = c.Form == "AtB", transB = c.Form == "ABt";
        var rng = new Random(42);
        float[] a = Random(rng, c.M * c.K), b = Random(rng, c.K * c.N);
        var output = new float[c.M * c.N];
        int lda = transA ? c.M : c.K, ldb = transB ? c.K : c.N;
        // Small products are timed in batches so one sample is well above the timer's resolution.
        int inner = Math.Max(1, (int)(2e8 / (2.0 * c.M * c.K * c.N)));
        // Settle the large-object heap now so no background GC runs during the timings.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var samples = new double[repeats];
        for (int r = -warmup; r < repeats; r++)
        {
            double start = Now();
            for (int i = 0; i < inner; i++)
                Gemm.Multiply(transA, transB, c.M, c.N, c.K, a, lda, b, ldb, output, c.N, false, default, c.Parallel, kernel);
            double elapsed = (Now() - start) / inner;
            if (r >= 0) samples[r] = elapsed;
        }
        Array.Sort(samples);
        return best ? samples[0] : samples[repeats / 2];
    }

    private static double TimeInt8(Case c, int warmup, int repeats, bool best)
    {
        var rng = new Random(42);
        float[] input = Random(rng, c.M * c.K), weight = Random(rng, c.N * c.K), bias = Random(rng, c.N);
        using var packed = new QuantizedWeights(weight, c.N, c.K);
        var output = new float[c.M * c.N];
        int? saved = null;
        if (!c.Parallel) { saved = KernelParallel.MaxDegreeOfParallelism; KernelParallel.MaxDegreeOfParallelism = 1; }
        var samples = new double[repeats];
        for (int r = -warmup; r < repeats; r++)
        {
            double start = Now();
            Int8Gemm.Forward(output, input, packed, bias, c.M);
            if (r >= 0) samples[r] = Now() - start;
        }
        if (saved is int s) KernelParallel.MaxDegreeOfParallelism = s;
        Array.Sort(samples);
        return best ? samples[0] : samples[repeats / 2];
    }

    private static float[] Random(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
