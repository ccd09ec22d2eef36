using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// Finds and creates engines. The managed engine is built in; the others live in their own assemblies
/// (<c>Microsoft.ML.RobertaZh.TorchSharp</c>, <c>Microsoft.ML.RobertaZh.OnnxRuntime</c>), loaded by name on first use, so
/// this library keeps no native dependency. A missing assembly, native runtime or CUDA build fails at once with an
/// <see cref="EngineUnavailableException"/> naming the packages to add.
/// </summary>
public static class BertEngines
{
    /// <summary>The packages the TorchSharp engine needs on the CPU.</summary>
    internal const string TorchSharpCpuPackages =
        "TorchSharp 0.107.0 with the libtorch runtime for the platform: libtorch-cpu-linux-x64 2.10.0 (libtorch-cpu-win-x64, "
        + "libtorch-cpu-osx-arm64), or TorchSharp-cpu 0.107.0, which bundles all three";

    /// <summary>The packages the TorchSharp engine needs for CUDA devices.</summary>
    internal const string TorchSharpCudaPackages =
        "libtorch-cuda-12.8-linux-x64 2.10.0 (or TorchSharp-cuda-linux 0.107.0; TorchSharp-cuda-windows on Windows) in place of "
        + "the CPU runtime, and an NVIDIA driver for CUDA 12.8";

    private static readonly EngineAssembly[] Catalog =
    [
        new(EngineKind.TorchSharp, "Microsoft.ML.RobertaZh.TorchSharp", "Microsoft.ML.RobertaZh.TorchSharp.TorchSharpEngineFactory", TorchSharpCpuPackages),
        new(EngineKind.OnnxRuntime, "Microsoft.ML.RobertaZh.OnnxRuntime", "Microsoft.ML.RobertaZh.OnnxRuntime.OnnxRuntimeEngineFactory",
            "Microsoft.ML.OnnxRuntime 1.32.0 (Microsoft.ML.OnnxRuntime.Gpu for CUDA)"),
    ];

    private static readonly ConcurrentDictionary<EngineKind, IBertEngineFactory> Factories = new();

    /// <summary>The factory of <paramref name="kind"/>, loading its assembly on first use.</summary>
    /// <exception cref="EngineUnavailableException">The engine's assembly (or a dependency) is missing; the message names the packages.</exception>
    public static IBertEngineFactory GetFactory(EngineKind kind)
    {
        if (kind == EngineKind.Managed) return ManagedEngineFactory.Instance;
        var entry = CatalogEntry(kind);
        return Factories.GetOrAdd(kind, _ => Load(entry));
    }

    /// <summary>Where the optional engine <paramref name="kind"/> lives.</summary>
    internal static EngineAssembly CatalogEntry(EngineKind kind) =>
        Array.Find(Catalog, e => e.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown engine.");

    /// <summary>
    /// An inference engine of <paramref name="options"/>' kind and device holding <paramref name="model"/>'s weights (the
    /// managed engine shares the weight array, with its own activation buffers and <paramref name="options"/>'
    /// <see cref="EngineOptions.InferencePrecision"/> and <see cref="EngineOptions.PackPaddedSequences"/>, leaving
    /// <paramref name="model"/>'s own settings alone; the others copy the weights).
    /// </summary>
    /// <exception cref="EngineUnavailableException">The engine, its native runtime or the device is not available here.</exception>
    /// <exception cref="NotSupportedException"><see cref="Model.InferencePrecision.DynamicInt8"/> was asked of an engine other than the managed one.</exception>
    public static IBertEngine CreateInference(BertModel model, EngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= EngineOptions.Default;
        options.Validate();
        if (options.InferencePrecision != InferencePrecision.FullPrecision && options.Engine != EngineKind.Managed)
            throw new NotSupportedException(
                $"InferencePrecision.{options.InferencePrecision} is implemented by the managed engine only; the {options.Engine} engine runs in full precision. "
                + "Use EngineKind.Managed for int8 inference, or InferencePrecision.FullPrecision.");
        return GetFactory(options.Engine).CreateInference(model, options);
    }

    /// <summary>
    /// A training engine of <paramref name="options"/>' kind and device starting from <paramref name="model"/> (the managed
    /// engine trains it in place; the others copy it: read the result with <see cref="IBertTrainingEngine.ExportParameters"/>).
    /// </summary>
    /// <exception cref="EngineUnavailableException">The engine, its native runtime or the device is not available here.</exception>
    /// <exception cref="NotSupportedException">The engine is inference-only.</exception>
    public static IBertTrainingEngine CreateTraining(BertModel model, EngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= EngineOptions.Default;
        options.Validate();
        return CreateTrainingWith(GetFactory(options.Engine), model, options);
    }

    /// <summary>Creates a training engine from <paramref name="factory"/>, refusing inference-only engines with a message.</summary>
    internal static IBertTrainingEngine CreateTrainingWith(IBertEngineFactory factory, BertModel model, EngineOptions options)
    {
        if (!factory.SupportsTraining)
            throw new NotSupportedException(
                $"The {factory.Kind} engine runs inference only. Train with EngineKind.Managed or EngineKind.TorchSharp, save the model, "
                + $"and load it into the {factory.Kind} engine for scoring.");
        return factory.CreateTraining(model, options);
    }

    /// <summary>Copies a training engine's current weights into <paramref name="model"/> (same layout), for saving or scoring with the managed API.</summary>
    public static void CopyParametersTo(this IBertTrainingEngine engine, BertModel model)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(model);
        if (engine is ManagedEngine managed && ReferenceEquals(managed.Model, model)) return;
        engine.ExportParameters(model.Parameters);
    }

    /// <summary>Loads the engine assembly named by <paramref name="entry"/> and instantiates its factory.</summary>
    internal static IBertEngineFactory Load(EngineAssembly entry)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(entry.AssemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new EngineUnavailableException(
                $"EngineKind.{entry.Kind} needs the assembly {entry.AssemblyName}, which this application does not reference. "
                + $"Add the package {entry.AssemblyName} (or a project reference to it) and {entry.Packages}.", e);
        }
        var type = assembly.GetType(entry.FactoryType, throwOnError: false);
        if (type is null || !typeof(IBertEngineFactory).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
            throw new EngineUnavailableException(
                $"{assembly.GetName().Name} {assembly.GetName().Version} has no public {entry.FactoryType} implementing IBertEngineFactory "
                + $"with a parameterless constructor: its version does not match Microsoft.ML.RobertaZh {typeof(BertEngines).Assembly.GetName().Version}.");
        try
        {
            return (IBertEngineFactory)Activator.CreateInstance(type)!;
        }
        catch (Exception e) when (e is TargetInvocationException or TypeLoadException or FileNotFoundException or FileLoadException)
        {
            var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
            if (inner is EngineUnavailableException unavailable) throw unavailable;
            throw new EngineUnavailableException(
                $"EngineKind.{entry.Kind} could not start ({inner.GetType().Name}: {inner.Message}). It needs {entry.Packages}.", inner);
        }
    }
}

/// <summary>Where an optional engine lives: its assembly, factory type and the packages it needs (named in errors).</summary>
internal sealed record EngineAssembly(EngineKind Kind, string AssemblyName, string FactoryType, string Packages);

/// <summary>The built-in managed engine's factory.</summary>
internal sealed class ManagedEngineFactory : IBertEngineFactory
{
    public static ManagedEngineFactory Instance { get; } = new();

    public EngineKind Kind => EngineKind.Managed;

    public bool SupportsTraining => true;

    // A view of the model: the same weight array (no copy; in-place changes are seen), its own activation buffers (so
    // engines over one model do not share them) and the options' inference settings (the caller's model keeps its own).
    public IBertEngine CreateInference(BertModel model, EngineOptions options) => new ManagedEngine(
        new BertModel(model.Layout, model.Parameters)
        {
            InferencePrecision = options.InferencePrecision, PackPaddedSequences = options.PackPaddedSequences, DropoutSeed = model.DropoutSeed,
        }, options);

    public IBertTrainingEngine CreateTraining(BertModel model, EngineOptions options) => new ManagedEngine(model, options);
}
