using System.Reflection;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Tests.Engines;

/// <summary>Engine selection: the managed default, clear errors for what is missing, inference-only engines refused for training.</summary>
public class BertEnginesTests
{
    private static BertModel Model() => BertModel.Create(ManagedEngineTests.TinyConfig(), new BertHeads(true, true, 2), seed: 1);

    [Fact]
    public void TheDefaultIsTheManagedEngineOnTheCpuSharingTheModel()
    {
        var model = Model();
        using var engine = BertEngines.CreateTraining(model);
        var managed = Assert.IsType<ManagedEngine>(engine);
        Assert.Same(model, managed.Model);
        Assert.Equal(EngineKind.Managed, engine.Kind);
        Assert.Equal("cpu", engine.Device);
        Assert.Equal(model.Layout.Count, engine.ParameterCount);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda0")]
    public void AnUnknownDeviceIsRejectedWithTheValidChoices(string device)
    {
        var e = Assert.Throws<ArgumentException>(() => BertEngines.CreateInference(Model(), new EngineOptions { Device = device }));
        Assert.Contains($"'{device}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cpu, cuda or cuda:N", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CPU", false, -1)]
    [InlineData("cuda", true, 0)]
    [InlineData("cuda:3", true, 3)]
    public void DevicesParse(string device, bool cuda, int index) =>
        Assert.Equal((cuda, index), new EngineOptions { Device = device }.ParseDevice());

    [Fact]
    public void CudaOnTheManagedEngineFailsNamingTheCudaPackagesUnlessFallingBackToCpu()
    {
        var e = Assert.Throws<EngineUnavailableException>(() => BertEngines.CreateTraining(Model(), new EngineOptions { Device = "cuda" }));
        Assert.Contains("CPU only", e.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cuda-12.8-linux-x64", e.Message, StringComparison.Ordinal);
        using var fallback = BertEngines.CreateTraining(Model(), new EngineOptions { Device = "cuda:1", FallbackToCpu = true });
        Assert.Equal("cpu", fallback.Device);
    }

    [Fact]
    public void AMissingEngineAssemblyFailsAtOnceNamingThePackages()
    {
        var entry = new EngineAssembly(EngineKind.TorchSharp, "Microsoft.ML.RobertaZh.NoSuchEngine", "Microsoft.ML.RobertaZh.NoSuchEngine.Factory",
            "libtorch-cpu-linux-x64 2.10.0");
        var e = Assert.Throws<EngineUnavailableException>(() => BertEngines.Load(entry));
        Assert.Contains("Microsoft.ML.RobertaZh.NoSuchEngine", e.Message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cpu-linux-x64 2.10.0", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FileNotFoundException>(e.InnerException);
    }

    [Fact]
    public void AnAssemblyWithoutTheFactoryTypeIsReportedAsAVersionMismatch()
    {
        string name = typeof(BertEnginesTests).Assembly.GetName().Name!;
        var e = Assert.Throws<EngineUnavailableException>(() => BertEngines.Load(new EngineAssembly(EngineKind.OnnxRuntime, name, "No.Such.Factory", "x")));
        Assert.Contains("No.Such.Factory", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not match", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFactoryFoundByNameIsInstantiated()
    {
        var entry = new EngineAssembly(EngineKind.OnnxRuntime, typeof(InferenceOnlyFactory).Assembly.GetName().Name!, typeof(InferenceOnlyFactory).FullName!, "x");
        Assert.IsType<InferenceOnlyFactory>(BertEngines.Load(entry));
    }

    [Fact]
    public void AnInferenceOnlyEngineIsRefusedForTrainingWithAClearMessage()
    {
        var e = Assert.Throws<NotSupportedException>(() => BertEngines.CreateTrainingWith(new InferenceOnlyFactory(), Model(), EngineOptions.Default));
        Assert.Contains("OnnxRuntime engine runs inference only", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EngineKind.TorchSharp, "Microsoft.ML.RobertaZh.TorchSharp", "libtorch-cpu-linux-x64 2.10.0", "TorchSharp-cpu 0.107.0")]
    [InlineData(EngineKind.OnnxRuntime, "Microsoft.ML.RobertaZh.OnnxRuntime", "Microsoft.ML.OnnxRuntime 1.32.0", "Microsoft.ML.OnnxRuntime.Gpu")]
    public void WithoutItsAssemblyAnEngineNamesItsPackageAndNativeRuntime(EngineKind kind, string assembly, string runtime, string alternative)
    {
        var entry = BertEngines.CatalogEntry(kind);
        Assert.Equal(assembly, entry.AssemblyName);
        Assert.Equal(assembly + "." + kind + "EngineFactory", entry.FactoryType);
        // The same entry under a name no application has: what a user without the package sees.
        var e = Assert.Throws<EngineUnavailableException>(() => BertEngines.Load(entry with { AssemblyName = assembly + ".NotInstalled" }));
        Assert.Contains($"EngineKind.{kind} needs the assembly {assembly}.NotInstalled", e.Message, StringComparison.Ordinal);
        Assert.Contains(runtime, e.Message, StringComparison.Ordinal);
        Assert.Contains(alternative, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Stands in for the ONNX Runtime engine's factory: inference only.</summary>
    public sealed class InferenceOnlyFactory : IBertEngineFactory
    {
        /// <inheritdoc/>
        public EngineKind Kind => EngineKind.OnnxRuntime;

        /// <inheritdoc/>
        public bool SupportsTraining => false;

        /// <inheritdoc/>
        public IBertEngine CreateInference(BertModel model, EngineOptions options) => new ManagedEngine(model);

        /// <inheritdoc/>
        public IBertTrainingEngine CreateTraining(BertModel model, EngineOptions options) => throw new InvalidOperationException("never called");
    }
}
