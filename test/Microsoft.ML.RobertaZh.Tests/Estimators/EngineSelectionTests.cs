using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Estimators;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Pretraining;
using Microsoft.ML.RobertaZh.Tests.Data;
using Microsoft.ML.RobertaZh.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.Tests.Estimators;

/// <summary>
/// Engine and device selection in the estimators and loaders, in this managed-only test assembly (the TorchSharp engine's
/// assembly is not here, as in an application that did not add it): MLContext's GPU settings as ML.NET's TorchSharp
/// trainers read them, explicit devices winning, and every unavailable engine or device failing before any row is read
/// with a message that names the package to add.
/// </summary>
public sealed class EngineSelectionTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly string _modelPath;

    public EngineSelectionTests() => _modelPath = ClassifierFixtures.ModelDirectory(_files.Root);

    public void Dispose() => _files.Dispose();

    private RobertaClassifierOptions Options() => new() { ModelPath = _modelPath, BatchSize = 16, MaxSteps = 1, MaxSequenceLength = 32 };

    [Fact]
    public void TheTorchSharpAssemblyIsAbsentFromThisTestAssemblysFolder() =>
        // The premise of the "without its assembly" tests below: the tool references the TorchSharp engine privately.
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "Microsoft.ML.RobertaZh.TorchSharp.dll")));

    [Fact]
    public void AnExplicitDeviceWinsOverMlContextAndOtherwiseGpuDeviceIdGivesCudaN()
    {
        var gpu = new MLContext { GpuDeviceId = 2, FallbackToCpu = true };
        Assert.Equal(("cuda:2", true), Pick(EngineSelection.Resolve(gpu, EngineKind.TorchSharp, device: null, fallbackToCpu: null)));
        Assert.Equal(("cuda:2", false), Pick(EngineSelection.Resolve(gpu, EngineKind.TorchSharp, device: null, fallbackToCpu: false)));
        Assert.Equal(("cpu", false), Pick(EngineSelection.Resolve(gpu, EngineKind.TorchSharp, device: "cpu", fallbackToCpu: null)));
        Assert.Equal(("cuda:0", false), Pick(EngineSelection.Resolve(gpu, EngineKind.TorchSharp, device: "cuda:0", fallbackToCpu: null)));
        Assert.Equal(("cpu", false), Pick(EngineSelection.Resolve(new MLContext(), EngineKind.TorchSharp, device: null, fallbackToCpu: null)));
        Assert.Equal(("cpu", false), Pick(EngineSelection.Resolve(null, EngineKind.Managed, device: null, fallbackToCpu: null)));
        // ML.NET's own default, which a GpuDeviceId set alone therefore gets: no fallback (fail at once).
        Assert.False(new MLContext().FallbackToCpu);
        Assert.Equal(("cuda:1", false), Pick(EngineSelection.Resolve(new MLContext { GpuDeviceId = 1 }, EngineKind.TorchSharp, null, null)));
        Assert.Throws<ArgumentException>(() => EngineSelection.Resolve(null, EngineKind.Managed, device: "gpu", fallbackToCpu: null));

        static (string, bool) Pick(EngineOptions o) => (o.Device, o.FallbackToCpu);
    }

    [Fact]
    public void TorchSharpWithoutItsAssemblyFailsBeforeAnyRowIsReadNamingThePackage()
    {
        var ml = new MLContext(seed: 1);
        var options = Options();
        options.Engine = EngineKind.TorchSharp;
        var e = Assert.Throws<EngineUnavailableException>(() => ml.BinaryClassification.Trainers.RobertaClassifier(options).Fit(ml.Data.LoadFromEnumerable(UnreadableRows.Of<BinaryReview>())));
        AssertNamesTorchSharpPackages(e);

        e = Assert.Throws<EngineUnavailableException>(() => ml.Transforms.Text.RobertaEmbedding(new RobertaEmbeddingOptions { ModelPath = _modelPath, Engine = EngineKind.TorchSharp })
            .Fit(ml.Data.LoadFromEnumerable(new List<TextOnly>())));
        AssertNamesTorchSharpPackages(e);
        e = Assert.Throws<EngineUnavailableException>(() => RobertaEncoderTransformer.Load(_modelPath, new RobertaInferenceOptions { Engine = EngineKind.TorchSharp }));
        AssertNamesTorchSharpPackages(e);
    }

    [Fact]
    public void PretrainingOnAnUnavailableEngineFailsBeforePreprocessing()
    {
        string vocab = Path.Combine(_files.Root, "start", "vocab.txt");
        string corpus = _files.Write("corpus.txt", string.Concat(ClassifierFixtures.Reviews(20, 1).Select(r => r.Text + "\n")));
        string output = Path.Combine(_files.Root, "pretrain");
        var options = new RobertaPretrainOptions
        {
            CorpusPath = corpus, VocabularyPath = vocab, OutputDirectory = output, TotalSteps = 1, MaxSeqLength = 16, BatchSize = 4,
            Masking = new MaskingOptions { Strategy = MaskingStrategy.Token }, Engine = EngineKind.TorchSharp, Seed = 1,
        };
        AssertNamesTorchSharpPackages(Assert.Throws<EngineUnavailableException>(() => new RobertaPretrainEstimator(new MLContext(), options).Fit()));
        var documents = new MLContext().Data.LoadFromEnumerable(UnreadableRows.Of<TextOnly>());
        AssertNamesTorchSharpPackages(Assert.Throws<EngineUnavailableException>(() => new RobertaPretrainEstimator(new MLContext(), options).Fit(documents)));
        var cuda = Assert.Throws<EngineUnavailableException>(() => new RobertaPretrainEstimator(new MLContext(), options with { Engine = EngineKind.Managed, Device = "cuda" }).Fit());
        Assert.Contains("libtorch-cuda-12.8-linux-x64", cuda.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(output, "data")), "nothing was preprocessed");
    }

    [Fact]
    public void MlContextGpuDeviceIdIsHonouredByTheDefaultEngineAsMlNetDoes()
    {
        // GpuDeviceId set and FallbackToCpu false: the CPU-only managed engine cannot serve cuda:0, so Fit fails at once.
        var strict = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var e = Assert.Throws<EngineUnavailableException>(() => strict.BinaryClassification.Trainers.RobertaClassifier(Options()).Fit(strict.Data.LoadFromEnumerable(UnreadableRows.Of<BinaryReview>())));
        Assert.Contains("device 'cuda:0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cuda-12.8-linux-x64", e.Message, StringComparison.Ordinal);

        // An explicit device wins over MLContext's.
        var explicitCpu = Options();
        explicitCpu.Device = "cpu";
        using (var onCpu = strict.BinaryClassification.Trainers.RobertaClassifier(explicitCpu).Fit(strict.Data.LoadFromEnumerable(ToyRows.Binary(16, 1))))
            Assert.Equal((EngineKind.Managed, "cpu"), (onCpu.Engine, onCpu.Device));

        // FallbackToCpu: trained and scored on the CPU.
        var lenient = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        using var fallback = lenient.BinaryClassification.Trainers.RobertaClassifier(Options()).Fit(lenient.Data.LoadFromEnumerable(ToyRows.Binary(16, 1)));
        Assert.Equal("cpu", fallback.Device);
        Assert.Equal(16, lenient.Data.CreateEnumerable<BinaryPrediction>(fallback.Transform(lenient.Data.LoadFromEnumerable(ToyRows.Binary(16, 2))), false).Count());

        // Loading honours it the same way, and an explicit device in the load options wins.
        string dir = Path.Combine(_files.Root, "fallback");
        fallback.Save(dir);
        Assert.Throws<EngineUnavailableException>(() => RobertaClassifierTransformer.Load(strict, dir));
        using var loaded = RobertaClassifierTransformer.Load(strict, dir, new RobertaInferenceOptions { Device = "cpu" });
        Assert.Equal("cpu", loaded.Device);
    }

    [Fact]
    public void AnUnknownDeviceFailsWithTheChoices()
    {
        var options = Options();
        options.Device = "gpu0";
        var e = Assert.Throws<ArgumentException>(() => new MLContext().BinaryClassification.Trainers.RobertaClassifier(options).Fit(new MLContext().Data.LoadFromEnumerable(UnreadableRows.Of<BinaryReview>())));
        Assert.Contains("cpu, cuda or cuda:N", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int8OnAnotherEngineIsRefusedWhateverItsAssembly()
    {
        var model = BertModel.Create(new BertConfig { VocabSize = 10, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 8, MaxPositionEmbeddings = 8 },
            new BertHeads(), seed: 1);
        var e = Assert.Throws<NotSupportedException>(() => BertEngines.CreateInference(model, new EngineOptions { Engine = EngineKind.TorchSharp, InferencePrecision = InferencePrecision.DynamicInt8 }));
        Assert.Contains("managed engine only", e.Message, StringComparison.Ordinal);
        var options = Options();
        options.InferencePrecision = InferencePrecision.DynamicInt8;
        options.Engine = EngineKind.TorchSharp;
        e = Assert.Throws<NotSupportedException>(() => new MLContext().BinaryClassification.Trainers.RobertaClassifier(options).Fit(new MLContext().Data.LoadFromEnumerable(UnreadableRows.Of<BinaryReview>())));
        Assert.Contains("managed engine only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnnxRuntimeCannotTrainAndFitSaysHowToUseItBeforeReadingData()
    {
        var options = Options();
        options.Engine = EngineKind.OnnxRuntime;
        var e = Assert.Throws<NotSupportedException>(() => new MLContext().BinaryClassification.Trainers.RobertaClassifier(options).Fit(new MLContext().Data.LoadFromEnumerable(UnreadableRows.Of<BinaryReview>())));
        Assert.Contains("runs inference only", e.Message, StringComparison.Ordinal);
        Assert.Contains("RobertaInferenceOptions { Engine = EngineKind.OnnxRuntime }", e.Message, StringComparison.Ordinal);
    }

    private static void AssertNamesTorchSharpPackages(EngineUnavailableException e)
    {
        Assert.Contains("Microsoft.ML.RobertaZh.TorchSharp", e.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cpu-linux-x64 2.10.0", e.Message, StringComparison.Ordinal);
    }
}
