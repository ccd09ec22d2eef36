using System.Runtime.CompilerServices;
using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.TorchSharp.Native;

namespace Microsoft.ML.RobertaZh.TorchSharp;

/// <summary>
/// Creates TorchSharp engines; found by <see cref="BertEngines"/> for <see cref="EngineKind.TorchSharp"/>. Trains and infers
/// on the CPU, and on CUDA devices where the application references a CUDA build of libtorch. Engines copy the model's
/// weights into libtorch tensors.
/// </summary>
public sealed class TorchSharpEngineFactory : IBertEngineFactory
{
    /// <inheritdoc/>
    public EngineKind Kind => EngineKind.TorchSharp;

    /// <inheritdoc/>
    public bool SupportsTraining => true;

    /// <inheritdoc/>
    public IBertEngine CreateInference(BertModel model, EngineOptions options) => Create(model, options);

    /// <inheritdoc/>
    public IBertTrainingEngine CreateTraining(BertModel model, EngineOptions options) => Create(model, options);

    private static TorchSharpEngine Create(BertModel model, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        try
        {
            return CreateOnTorch(model, options);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException && e.Message.Contains("TorchSharp", StringComparison.Ordinal))
        {
            throw new EngineUnavailableException($"The TorchSharp engine needs the TorchSharp assembly: add {TorchSharpRuntime.CpuPackages}.", e);
        }
    }

    // Separate and not inlined, so that a missing TorchSharp.dll fails when this method is compiled, inside the catch above.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TorchSharpEngine CreateOnTorch(BertModel model, EngineOptions options)
    {
        var device = TorchSharpRuntime.Resolve(options, out string name);
        return new TorchSharpEngine(model, device, name);
    }
}
