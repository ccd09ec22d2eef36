using System.Globalization;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>Which engine to run on which device; passed to <see cref="BertEngines"/>.</summary>
public sealed record EngineOptions
{
    /// <summary>The engine. Default <see cref="EngineKind.Managed"/>.</summary>
    public EngineKind Engine { get; init; } = EngineKind.Managed;

    /// <summary>
    /// <c>cpu</c> (the default), <c>cuda</c> (the first GPU) or <c>cuda:N</c>. CUDA needs the TorchSharp engine with a CUDA
    /// build of libtorch.
    /// </summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Intra-op threads for the engine's kernels; 0 (the default) leaves the engine's own default (all cores). Both engines
    /// keep this setting process-wide (libtorch's <c>set_num_threads</c>, the managed kernels' degree of parallelism).
    /// </summary>
    public int Threads { get; init; }

    /// <summary>
    /// When the requested CUDA device cannot be used, run on the CPU instead of failing (ML.NET's
    /// <c>MLContext.FallbackToCpu</c>). Default false: asking for CUDA without one is an error.
    /// </summary>
    public bool FallbackToCpu { get; init; }

    /// <summary>
    /// Arithmetic of the encoder's matrix products in engines made by <see cref="BertEngines.CreateInference"/> (default
    /// <see cref="Model.InferencePrecision.FullPrecision"/>). <see cref="Model.InferencePrecision.DynamicInt8"/> is the managed
    /// engine's (see <see cref="BertModel.InferencePrecision"/>); the other engines refuse it with
    /// <see cref="NotSupportedException"/>. Training engines ignore it: their passes run in full precision.
    /// </summary>
    public InferencePrecision InferencePrecision { get; init; }

    /// <summary>
    /// Skip padded positions in inference passes of engines made by <see cref="BertEngines.CreateInference"/> (see
    /// <see cref="BertModel.PackPaddedSequences"/>): each sequence's outputs are then bit for bit those of running it alone,
    /// whatever shares its batch, and within 1e-5 relative of the padded computation (which itself moves by ~1e-7 with the
    /// batch's longest sequence). Default false here, as on <see cref="BertModel"/>; the transformers of
    /// <c>Microsoft.ML.RobertaZh.Estimators</c> turn it on by default. The managed engine implements it; the others compute
    /// the padded batch and ignore it. Training engines ignore it.
    /// </summary>
    public bool PackPaddedSequences { get; init; }

    /// <summary>The managed engine on the CPU with default threads.</summary>
    public static EngineOptions Default { get; } = new();

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <see cref="Device"/> is not <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>,
    /// <see cref="Threads"/> is negative, or <see cref="Engine"/> or <see cref="InferencePrecision"/> is not a defined value.
    /// </summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Engine)) throw new ArgumentException($"Unknown engine {(int)Engine}: use Managed, TorchSharp or OnnxRuntime.", nameof(Engine));
        if (!Enum.IsDefined(InferencePrecision)) throw new ArgumentException($"Unknown inference precision {(int)InferencePrecision}.", nameof(InferencePrecision));
        _ = ParseDevice();
    }

    /// <summary>The device as (is CUDA, index): the index is 0 for plain <c>cuda</c> and -1 for the CPU. Validates as <see cref="Validate"/> does.</summary>
    public (bool Cuda, int Index) ParseDevice()
    {
        if (Threads < 0) throw new ArgumentException($"Threads must be >= 0; got {Threads}.", nameof(Threads));
        string d = (Device ?? "").Trim().ToLowerInvariant();
        if (d == "cpu") return (false, -1);
        if (d == "cuda") return (true, 0);
        if (d.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(d.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return (true, index);
        throw new ArgumentException($"Unknown device '{Device}': use cpu, cuda or cuda:N (for example cuda:1).", nameof(Device));
    }
}
