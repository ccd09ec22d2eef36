using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Caching;
using Microsoft.ML.RobertaZh.OnnxRuntime.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.OnnxRuntime.Tests.Engine;

/// <summary>
/// The exported-graph cache behind the engine factory: one export per set of weights (not per engine), a new key when a
/// weight changes, shared sessions, and pruning to the most recently used models without touching those in use.
/// </summary>
public sealed class GraphCacheTests : IDisposable
{
    private static readonly EngineOptions OnnxCpu = new() { Engine = EngineKind.OnnxRuntime, Threads = 1 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static BertModel Model(int seed) => BertModel.Create(
        new BertConfig { VocabSize = 50, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 16 },
        new BertHeads(Pooler: true, MaskedLm: true, NumLabels: 2), seed);

    private string[] Entries() => [.. Directory.EnumerateDirectories(_dir.File("cache")).Select(Path.GetFileName).Order()!];

    [Fact]
    public void TheSameWeightsAreExportedOnceAndShareOneSession()
    {
        var factory = new OnnxRuntimeEngineFactory { CacheDirectory = _dir.File("cache") };
        var model = Model(1);
        var first = (OnnxRuntimeEngine)factory.CreateInference(model, OnnxCpu);
        string path = first.Info.ModelPath;
        var written = File.GetLastWriteTimeUtc(path);
        Assert.StartsWith(_dir.File("cache"), path, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "masked-lm-head.onnx")));

        // A copy of the model (same weights) finds the entry; the live session is shared.
        var copy = new BertModel(model.Layout, (float[])model.Parameters.Clone());
        using (var second = (OnnxRuntimeEngine)factory.CreateInference(copy, OnnxCpu))
        {
            Assert.Equal(path, second.Info.ModelPath);
            Assert.Same(first.Info, second.Info);
        }
        first.Dispose();
        // With every engine gone, a new one loads the cached file again without exporting.
        using (var third = (OnnxRuntimeEngine)factory.CreateInference(model, OnnxCpu))
        {
            Assert.Equal(path, third.Info.ModelPath);
            Assert.NotSame(first.Info, third.Info);
        }
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Single(Entries());

        // One changed weight is another model.
        copy.Parameters[^1] += 0.5f;
        using var changed = (OnnxRuntimeEngine)factory.CreateInference(copy, OnnxCpu);
        Assert.NotEqual(path, changed.Info.ModelPath);
        Assert.Equal(2, Entries().Length);
        var batch = new BertBatch(1, 4, [3, 4, 5, 6]);
        using var original = factory.CreateInference(model, OnnxCpu);
        Assert.NotEqual(original.Forward(batch).Logits, changed.Forward(batch).Logits);
    }

    [Fact]
    public void PruningKeepsTheMostRecentlyUsedModelsAndThoseInUse()
    {
        var factory = new OnnxRuntimeEngineFactory { CacheDirectory = _dir.File("cache"), MaxCachedModels = 1 };
        var a = (OnnxRuntimeEngine)factory.CreateInference(Model(1), OnnxCpu);
        string keyA = Path.GetFileName(Path.GetDirectoryName(a.Info.ModelPath))!;
        using (var b = (OnnxRuntimeEngine)factory.CreateInference(Model(2), OnnxCpu))
        {
            // A is in use: kept although only one entry is wanted.
            Assert.Equal(2, Entries().Length);
            a.Dispose();
        }
        using var c = (OnnxRuntimeEngine)factory.CreateInference(Model(3), OnnxCpu);
        var left = Entries();
        Assert.Equal([Path.GetFileName(Path.GetDirectoryName(c.Info.ModelPath))!], left);
        Assert.DoesNotContain(keyA, left);

        // A temporary folder of a crashed export is removed once stale; ClearCache leaves what is in use.
        string crashed = Directory.CreateDirectory(_dir.File("cache/0123.tmp-1-abc")).FullName;
        Directory.SetLastWriteTimeUtc(crashed, DateTime.UtcNow.AddDays(-1));
        OnnxRuntimeEngineFactory.ClearCache(_dir.File("cache"));
        Assert.False(Directory.Exists(crashed));
        Assert.Single(Entries());
        c.Dispose();
        OnnxRuntimeEngineFactory.ClearCache(_dir.File("cache"));
        Assert.Empty(Entries());
    }

    [Fact]
    public void ConcurrentEnginesForTheSameWeightsExportOnceAndShareTheSession()
    {
        var factory = new OnnxRuntimeEngineFactory { CacheDirectory = _dir.File("cache") };
        var model = Model(4);
        var engines = new OnnxRuntimeEngine[4];
        Parallel.For(0, engines.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => engines[i] = (OnnxRuntimeEngine)factory.CreateInference(model, OnnxCpu));
        try
        {
            Assert.All(engines, e => Assert.Same(engines[0].Info, e.Info));
            Assert.Single(Entries()); // and no temporary folder left behind
            var batch = new BertBatch(2, 3, [3, 4, 5, 6, 7, 0], attentionMask: [1, 1, 1, 1, 1, 0]);
            Assert.All(engines, e => Assert.Equal(engines[0].Forward(batch).Logits, e.Forward(batch).Logits));
        }
        finally
        {
            foreach (var e in engines) e?.Dispose();
        }
    }

    [Fact]
    public void TheKeyCoversTheConfigTheHeadsAndEveryWeight()
    {
        var model = Model(1);
        string key = GraphCache.Key(model, fused: false);
        Assert.Equal(32, key.Length);
        Assert.Equal(key, GraphCache.Key(new BertModel(model.Layout, (float[])model.Parameters.Clone()), fused: false));
        Assert.NotEqual(key, GraphCache.Key(model, fused: true));
        var other = BertModel.Create(model.Config, new BertHeads(Pooler: true, MaskedLm: false, NumLabels: 2), seed: 1);
        Assert.NotEqual(key, GraphCache.Key(other, fused: false));
        model.Parameters[0] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(model.Parameters[0]) ^ 1);
        Assert.NotEqual(key, GraphCache.Key(model, fused: false));
    }
}
