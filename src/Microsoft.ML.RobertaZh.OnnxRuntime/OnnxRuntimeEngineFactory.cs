using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.OnnxRuntime.Caching;
using Microsoft.ML.RobertaZh.OnnxRuntime.Inference;

namespace Microsoft.ML.RobertaZh.OnnxRuntime;

/// <summary>
/// Creates ONNX Runtime engines; found by <c>BertEngines</c> for <see cref="EngineKind.OnnxRuntime"/>. Inference only.
/// A model is exported once to an ONNX graph kept in a cache folder under a hash of its config and weights
/// (<see cref="CacheDirectory"/>), so further engines for the same weights — in this process or later ones — load the
/// file without exporting; engines of one process over the same graph and settings share one session. CPU here; CUDA
/// devices with <c>Microsoft.ML.OnnxRuntime.Gpu</c> in place of <c>Microsoft.ML.OnnxRuntime</c> (untested: no GPU here).
/// Create one directly to set the cache folder or ONNX Runtime session options; an engine for an existing .onnx file
/// comes from <see cref="OnnxRuntimeEngine.Load"/>.
/// </summary>
public sealed class OnnxRuntimeEngineFactory : IBertEngineFactory
{
    private const string CudaProvider = "CUDAExecutionProvider";
    private const string Packages = "Microsoft.ML.OnnxRuntime 1.32.0 (its native onnxruntime library for this platform)";

    /// <summary>
    /// The folder of exported graphs; null (the default) for <c>$ROBERTA_ZH_ONNX_CACHE</c>, else <c>roberta-zh-onnx-cache</c>
    /// under the system temp folder.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>How many models' graphs the cache folder keeps (the most recently used; those in use are never removed). Default 4.</summary>
    public int MaxCachedModels { get; init; } = 4;

    /// <summary>
    /// Export with ONNX Runtime's fused com.microsoft operators (attention, skip LayerNorm, bias GELU) instead of the plain
    /// graph. Default false: ONNX Runtime fuses the plain graph itself at its default optimization level.
    /// </summary>
    public bool Fused { get; init; }

    /// <summary>
    /// ONNX Runtime settings (graph optimization level, execution mode, inter-op threads, further configuration); the
    /// <see cref="EngineOptions"/> passed to each call set the device and, when above 0, the intra-op threads.
    /// </summary>
    public OnnxSessionOptions? SessionOptions { get; init; }

    /// <inheritdoc/>
    public EngineKind Kind => EngineKind.OnnxRuntime;

    /// <inheritdoc/>
    public bool SupportsTraining => false;

    /// <summary>
    /// An engine running <paramref name="model"/> (its encoder, pooler, classification and masked-LM heads) on ONNX
    /// Runtime. The first call for given weights exports them (seconds for a base model); later ones hash the weights and
    /// load the cached graph. Later changes to <paramref name="model"/> are not seen by the engine.
    /// </summary>
    /// <exception cref="EngineUnavailableException">ONNX Runtime's native library or its CUDA execution provider is missing (the message names the package).</exception>
    /// <exception cref="InvalidDataException">The model cannot be exported (an activation or position embedding type the graph does not support).</exception>
    public IBertEngine CreateInference(BertModel model, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var resolved = Resolve(options, SessionOptions);
        string root = Path.GetFullPath(CacheDirectory ?? GraphCache.DefaultDirectory);
        for (int attempt = 0; ; attempt++)
        {
            var graphs = GraphCache.GetOrExport(model, root, Fused, MaxCachedModels, SessionPool.Uses);
            try
            {
                var lease = Guarded(() => Open(graphs, resolved));
                return new OnnxRuntimeEngine(model.Layout, resolved.Device, lease);
            }
            catch (Exception e) when (attempt == 0 && e is FileNotFoundException or InvalidDataException or DirectoryNotFoundException)
            {
                // The entry was removed or damaged (another process pruned the folder between our check and the load): export again.
                try { Directory.Delete(graphs.Directory, recursive: true); }
                catch (IOException) { }
            }
        }
    }

    /// <summary>Always throws: ONNX Runtime runs inference only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IBertTrainingEngine CreateTraining(BertModel model, EngineOptions options) =>
        throw new NotSupportedException(
            "The OnnxRuntime engine runs inference only. Train with EngineKind.Managed or EngineKind.TorchSharp, save the model, "
            + "and load it into the OnnxRuntime engine for scoring.");

    /// <summary>Deletes the cached graphs in <paramref name="directory"/> (default: <see cref="CacheDirectory"/>'s default) that no engine of this process uses.</summary>
    public static void ClearCache(string? directory = null) =>
        GraphCache.Prune(Path.GetFullPath(directory ?? GraphCache.DefaultDirectory), keep: 0, SessionPool.Uses);

    private static SessionLease Open(CachedGraphs graphs, OnnxSessionOptions options)
    {
        // Sessions are shared only when every setting is comparable (a Configure callback is compared by reference).
        string key = string.Join("|", graphs.Key, options.Device, options.IntraOpThreads.ToString(CultureInfo.InvariantCulture),
            options.InterOpThreads.ToString(CultureInfo.InvariantCulture), options.GraphOptimizationLevel, options.ExecutionMode,
            options.Configure is null ? "" : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(options.Configure).ToString(CultureInfo.InvariantCulture));
        return SessionPool.Acquire(key, () =>
        {
            var encoder = OnnxBertSession.Load(graphs.ModelPath, options);
            try
            {
                return (encoder, graphs.MaskedLmHeadPath is { } head ? MaskedLmHeadSession.Load(head, options) : null);
            }
            catch
            {
                encoder.Dispose();
                throw;
            }
        });
    }

    /// <summary>
    /// The session options for <paramref name="options"/>: its device (CUDA checked here: a missing provider is an error, or
    /// the CPU with <see cref="EngineOptions.FallbackToCpu"/>) and threads over <paramref name="baseOptions"/>.
    /// </summary>
    internal static OnnxSessionOptions Resolve(EngineOptions options, OnnxSessionOptions? baseOptions)
    {
        var (cuda, index) = options.ParseDevice();
        string device = "cpu";
        if (cuda)
        {
            var available = Guarded(() => OrtEnv.Instance().GetAvailableProviders());
            if (available.Contains(CudaProvider, StringComparer.Ordinal)) device = $"cuda:{index}";
            else if (!options.FallbackToCpu)
                throw new EngineUnavailableException(
                    $"Device '{options.Device}' needs ONNX Runtime's {CudaProvider}, which the loaded onnxruntime library does not have "
                    + $"(it has: {string.Join(", ", available)}). Reference Microsoft.ML.OnnxRuntime.Gpu 1.32.0 in place of Microsoft.ML.OnnxRuntime "
                    + "(with CUDA 12 and cuDNN 9 installed), set FallbackToCpu = true, or use device 'cpu'.");
        }
        var b = baseOptions ?? new OnnxSessionOptions();
        return new OnnxSessionOptions
        {
            Device = device, IntraOpThreads = options.Threads > 0 ? options.Threads : b.IntraOpThreads, InterOpThreads = b.InterOpThreads,
            GraphOptimizationLevel = b.GraphOptimizationLevel, ExecutionMode = b.ExecutionMode, Configure = b.Configure,
        };
    }

    /// <summary>Runs <paramref name="action"/>, turning a missing native onnxruntime library into <see cref="EngineUnavailableException"/>.</summary>
    internal static T Guarded<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
            || e is TypeInitializationException { InnerException: DllNotFoundException or EntryPointNotFoundException })
        {
            throw new EngineUnavailableException($"The OnnxRuntime engine cannot load ONNX Runtime's native library ({e.GetBaseException().Message}). Add {Packages}.", e);
        }
    }
}
