using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Tensors.Kernels;
using TorchSharp;

namespace Microsoft.ML.RobertaZh.EngineBench;

/// <summary>
/// Each engine's own matrix product on BERT-base's shapes (M×K×N: 4096×768×768, 4096×768×3072, 4096×3072×768) and 1024³,
/// in the three forms training uses: A·B, A·Bᵀ (nn.Linear's x·Wᵀ) and Aᵀ·B (weight gradients). Managed: Gemm.Multiply;
/// TorchSharp: addmm_ on transposed views (libtorch's sgemm). <see cref="Serve"/> answers eval/bench_gemm.sh's protocol.
/// </summary>
internal static class MatMulProbe
{
    private static readonly (int M, int K, int N)[] Shapes = [(4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768), (1024, 1024, 1024)];
    private static readonly string[] Forms = ["AB", "ABt", "AtB"];

    public static IEnumerable<string> Run(EngineKind engine, int warmup, int repeats, int threads)
    {
        if (engine == EngineKind.TorchSharp)
        {
            Prepare(threads);
        }
        else
        {
            KernelParallel.MaxDegreeOfParallelism = threads;
        }
        foreach (var (m, k, n) in Shapes)
        {
            foreach (string form in Forms)
            {
                double seconds = engine == EngineKind.TorchSharp ? Torch(form, m, k, n, warmup, repeats) : Managed(form, m, k, n, warmup, repeats);
                yield return JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["side"] = engine == EngineKind.Managed ? "managed" : "torchsharp", ["form"] = form, ["shape"] = $"{m}x{k}x{n}",
                    ["gflops"] = 2.0 * m * k * n / seconds / 1e9, ["threads"] = threads,
                });
            }
        }
    }

    /// <summary>
    /// eval/bench_gemm.sh's server protocol: reads case names "FORM:MxKxN" (":t1" = one thread) from stdin until an empty
    /// line, answers each with "RESULT&lt;TAB&gt;name&lt;TAB&gt;GFLOP/s" (median of the timings after warm-up).
    /// </summary>
    public static void Serve(EngineKind engine, int warmup, int repeats, int threads)
    {
        if (engine == EngineKind.TorchSharp) Prepare(threads);
        else KernelParallel.MaxDegreeOfParallelism = threads;
        while (Console.ReadLine() is { Length: > 0 } line)
        {
            string name = line.Trim();
            string[] parts = name.Split(':');
            int[] dims = parts.Length >= 2 ? [.. parts[1].Split('x').Select(int.Parse)] : [];
            if (dims.Length != 3 || parts[0] is not ("AB" or "ABt" or "AtB"))
            {
                Console.WriteLine($"ERROR\tunknown case {name}");
                continue;
            }
            bool single = parts.Length > 2 && parts[2] == "t1";
            int t = single ? 1 : threads;
            if (engine == EngineKind.TorchSharp) torch.set_num_threads(t);
            else KernelParallel.MaxDegreeOfParallelism = t;
            var (m, k, n) = (dims[0], dims[1], dims[2]);
            // Small products are timed in batches, so one sample is well above the timer's resolution.
            int inner = Math.Max(1, (int)(2e8 / (2.0 * m * k * n)));
            double seconds = (engine == EngineKind.TorchSharp ? Torch(parts[0], m, k, n, warmup, repeats, inner) : Managed(parts[0], m, k, n, warmup, repeats, inner)) / inner;
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"RESULT\t{name}\t{2.0 * m * k * n / seconds / 1e9:F2}"));
        }
    }

    /// <summary>Loads and checks the natives (and sets the threads) the way the TorchSharp engine does.</summary>
    private static void Prepare(int threads)
    {
        using var probe = BertEngines.CreateInference(
            Model.BertModel.Create(new Model.BertConfig { VocabSize = 8, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 1, IntermediateSize = 8, MaxPositionEmbeddings = 4 },
                new Model.BertHeads(false, false), seed: 1),
            new EngineOptions { Engine = EngineKind.TorchSharp, Threads = threads });
    }

    private static double Managed(string form, int m, int k, int n, int warmup, int repeats, int inner = 1)
    {
        bool transA = form == "AtB", transB = form == "ABt";
        var rng = new Random(42);
        float[] a = [.. Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() * 2 - 1)];
        float[] b = [.. Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() * 2 - 1)];
        var c = new float[m * n];
        return Median(warmup, repeats, () => { for (int i = 0; i < inner; i++) Gemm.Multiply(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, c, n); });
    }

    private static double Torch(string form, int m, int k, int n, int warmup, int repeats, int inner = 1)
    {
        using var scope = torch.NewDisposeScope();
        // Operands stored as the managed side stores them; torch.mm sees transposed views (no copies).
        var a = torch.rand(form == "AtB" ? [k, m] : [m, k]) * 2 - 1;
        var b = torch.rand(form == "ABt" ? [n, k] : [k, n]) * 2 - 1;
        var aOp = form == "AtB" ? a.t() : a;
        var bOp = form == "ABt" ? b.t() : b;
        var c = torch.empty(m, n);
        return Median(warmup, repeats, () => { for (int i = 0; i < inner; i++) c.addmm_(aOp, bOp, beta: 0, alpha: 1); }); // c = a·b in place, like torch.mm(out=c)
    }

    private static double Median(int warmup, int repeats, Action product)
    {
        var samples = new List<double>();
        for (int r = -warmup; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            product();
            if (r >= 0) samples.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }
}
