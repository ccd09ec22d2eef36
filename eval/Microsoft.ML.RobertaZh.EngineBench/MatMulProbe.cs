using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Tensors.Kernels;
using TorchSharp;

namespace Microsoft.ML.RobertaZh.EngineBench;

/// <summary>
/// Each engine's own matrix product on 1024³ and 4096×768×3072 (M×K×N), in the three forms training uses: A·B, A·Bᵀ
/// (nn.Linear's x·Wᵀ) and Aᵀ·B (weight gradients). Managed: Gemm.Multiply; TorchSharp: torch.mm on transposed views.
/// </summary>
internal static class MatMulProbe
{
    private static readonly (int M, int K, int N)[] Shapes = [(1024, 1024, 1024), (4096, 768, 3072)];
    private static readonly string[] Forms = ["AB", "ABt", "AtB"];

    public static IEnumerable<string> Run(EngineKind engine, int warmup, int repeats, int threads)
    {
        if (engine == EngineKind.TorchSharp)
        {
            // Loads and checks the natives (and sets the threads) the way the engine does.
            using var probe = BertEngines.CreateInference(
                Model.BertModel.Create(new Model.BertConfig { VocabSize = 8, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 1, IntermediateSize = 8, MaxPositionEmbeddings = 4 },
                    new Model.BertHeads(false, false), seed: 1),
                new EngineOptions { Engine = EngineKind.TorchSharp, Threads = threads });
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

    private static double Managed(string form, int m, int k, int n, int warmup, int repeats)
    {
        bool transA = form == "AtB", transB = form == "ABt";
        var rng = new Random(42);
        float[] a = [.. Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() * 2 - 1)];
        float[] b = [.. Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() * 2 - 1)];
        var c = new float[m * n];
        return Median(warmup, repeats, () => Gemm.Multiply(transA, transB, m, n, k, a, transA ? m : k, b, transB ? k : n, c, n));
    }

    private static double Torch(string form, int m, int k, int n, int warmup, int repeats)
    {
        using var scope = torch.NewDisposeScope();
        // Operands stored as the managed side stores them; torch.mm sees transposed views (no copies).
        var a = torch.rand(form == "AtB" ? [k, m] : [m, k]) * 2 - 1;
        var b = torch.rand(form == "ABt" ? [n, k] : [k, n]) * 2 - 1;
        var aOp = form == "AtB" ? a.t() : a;
        var bOp = form == "ABt" ? b.t() : b;
        var c = torch.empty(m, n);
        return Median(warmup, repeats, () => c.addmm_(aOp, bOp, beta: 0, alpha: 1)); // c = a·b in place, like torch.mm(out=c)
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
