using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.TorchSharp.Native;
using Microsoft.ML.RobertaZh.TorchSharp.Tests.TestSupport;

namespace Microsoft.ML.RobertaZh.TorchSharp.Tests;

/// <summary>Selecting the TorchSharp engine: found by name, and clear errors for a missing native runtime or CUDA build.</summary>
public class EngineSelectionTests
{
    private static BertModel Model() => BertModel.Create(
        new BertConfig { VocabSize = 30, HiddenSize = 16, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 32, MaxPositionEmbeddings = 8 },
        new BertHeads(true, true, 2), seed: 1);

    [TorchSharpFact]
    public void TheResolverFindsTheTorchSharpFactoryByAssemblyName()
    {
        var factory = BertEngines.GetFactory(EngineKind.TorchSharp);
        Assert.IsType<TorchSharpEngineFactory>(factory);
        Assert.True(factory.SupportsTraining);
        using var engine = BertEngines.CreateTraining(Model(), new EngineOptions { Engine = EngineKind.TorchSharp, Threads = 2 });
        Assert.Equal(2, global::TorchSharp.torch.get_num_threads());
        Assert.Equal(Model().Layout.Count, engine.ParameterCount);
    }

    [TorchSharpFact]
    public void CudaWithTheCpuBuildFailsAtOnceNamingTheCudaPackages()
    {
        var e = Assert.Throws<EngineUnavailableException>(() =>
            BertEngines.CreateInference(Model(), new EngineOptions { Engine = EngineKind.TorchSharp, Device = "cuda" }));
        Assert.Contains("CUDA build of libtorch", e.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cuda-12.8-linux-x64 2.10.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cuda-linux", e.Message, StringComparison.Ordinal);
    }

    [TorchSharpFact]
    public void CudaFallsBackToTheCpuWhenAllowed()
    {
        using var engine = BertEngines.CreateInference(Model(), new EngineOptions { Engine = EngineKind.TorchSharp, Device = "cuda:1", FallbackToCpu = true });
        Assert.Equal("cpu", engine.Device);
        Assert.Equal(2 * 3 * 16, engine.Forward(new BertBatch(2, 3, [1, 2, 3, 4, 5, 6])).LastHiddenState.Length);
    }

    [TorchSharpFact]
    public void AMissingLibtorchRuntimeIsReportedWithThePackageToAdd()
    {
        var e = Assert.Throws<EngineUnavailableException>(() => TorchSharpRuntime.CheckNatives("torch_cpu_not_installed", "LibTorchSharp"));
        Assert.Contains("no libtorch runtime", e.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cpu-linux-x64 2.10.0", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp-cpu 0.107.0", e.Message, StringComparison.Ordinal);
    }

    [TorchSharpFact]
    public void AMissingNativeBindingIsReportedWithThePackageToAdd()
    {
        var e = Assert.Throws<EngineUnavailableException>(() => TorchSharpRuntime.CheckNatives("torch_cpu", "TorchSharpBindingNotInstalled"));
        Assert.Contains("cannot find libTorchSharpBindingNotInstalled.so", e.Message, StringComparison.Ordinal);
        Assert.Contains("TorchSharp 0.107.0", e.Message, StringComparison.Ordinal);
    }

    [TorchSharpFact]
    public void TheCudaCheckNamesTheMissingCudaRuntime() =>
        Assert.Contains("libtorch-cuda-12.8-linux-x64", TorchSharpRuntime.CudaProblem("torch_cuda", 0), StringComparison.Ordinal);
}
