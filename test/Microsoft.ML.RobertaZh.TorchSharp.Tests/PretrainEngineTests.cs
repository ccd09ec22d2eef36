using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Tests.Data;
using Microsoft.ML.RobertaZh.Tests.TestSupport;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>Pretraining through <see cref="RobertaPretrainEstimator"/> on the TorchSharp engine, stopped, and resumed on the managed engine.</summary>
public sealed class PretrainEngineTests : IDisposable
{
    private const string Chars = "我你他她们的是在有不这个人中国大学生时上来到说要就出会可也好天地年月日水火山木";
    private readonly TempFiles _files = new();
    private readonly string _vocab;
    private readonly string _corpus;

    public PretrainEngineTests()
    {
        _vocab = _files.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n，\n。\n" + string.Concat(Chars.Select(c => c + "\n")));
        var rng = new Random(3);
        _corpus = _files.Write("corpus.txt", string.Concat(Enumerable.Range(0, 30).Select(_ => string.Concat(Enumerable.Range(0, rng.Next(3, 6)).Select(_ =>
        {
            int start = rng.Next(Chars.Length - 8);
            return string.Concat(Enumerable.Range(0, rng.Next(4, 9)).Select(i => Chars[start + i])) + "。";
        })) + "\n")));
    }

    public void Dispose() => _files.Dispose();

    private RobertaPretrainOptions Options(string output, EngineKind engine, IProgress<TrainingProgress>? progress = null) => new()
    {
        CorpusPath = _corpus, VocabularyPath = _vocab, OutputDirectory = output, Architecture = "tiny", MaxSeqLength = 32, BatchSize = 8,
        TotalSteps = 6, LearningRate = 1e-3f, WarmupSteps = 2, SaveEverySteps = 3, EvaluateEverySteps = 3, HoldOutDocuments = 4, Dropout = 0f,
        Masking = new MaskingOptions { Strategy = MaskingStrategy.Token }, Seed = 11, Engine = engine, Progress = progress,
    };

    [TorchSharpFact]
    public void PretrainingStartedOnTorchSharpResumesOnTheManagedEngine()
    {
        var straight = new RobertaPretrainEstimator(new MLContext(), Options(Path.Combine(_files.Root, "straight"), EngineKind.Managed)).Fit();

        string output = Path.Combine(_files.Root, "resumed");
        using (var cancel = new CancellationTokenSource())
        {
            var stopAtThree = new Inline(p => { if (p.Step == 3) cancel.Cancel(); });
            var torch = new RobertaPretrainEstimator(new MLContext(), Options(output, EngineKind.TorchSharp, stopAtThree) with { CancellationToken = cancel.Token });
            Assert.Throws<OperationCanceledException>(() => torch.Fit());
            Assert.NotNull(torch.LastEvaluation); // held-out evaluation ran on the TorchSharp engine at step 3
        }

        var managed = new RobertaPretrainEstimator(new MLContext(), Options(output, EngineKind.Managed));
        using var resumed = managed.Fit();
        Assert.Equal(EngineKind.Managed, resumed.Engine);
        // Three updates on libtorch then three on the managed engine: the weights of six managed updates, to float
        // rounding (not bit for bit, which shows the first three did run on the other engine).
        TensorAssert.Close(resumed.Model.Parameters, straight.Model.Parameters, 1e-4, "weights after 6 updates");
        Assert.NotEqual(straight.Model.Parameters, resumed.Model.Parameters);
        Assert.Equal(straight.Model.Parameters.Length, resumed.Model.Parameters.Length);

        // The fitted encoder scores on the engine it was trained on.
        using var onTorch = new RobertaPretrainEstimator(new MLContext(), Options(Path.Combine(_files.Root, "torch"), EngineKind.TorchSharp) with { TotalSteps = 2 }).Fit();
        Assert.Equal(EngineKind.TorchSharp, onTorch.Engine);
        Assert.Equal(3, onTorch.FillMask("我是[MASK]国人", topK: 3).Single().Count);
    }

    private sealed class Inline(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
