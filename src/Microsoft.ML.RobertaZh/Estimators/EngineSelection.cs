using Microsoft.ML.RobertaZh.Engines;
using Microsoft.ML.RobertaZh.Hosting;
using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Estimators;

/// <summary>
/// Turns an estimator's or a loader's engine settings into <see cref="EngineOptions"/>, reading MLContext's
/// <c>GpuDeviceId</c>/<c>FallbackToCpu</c> as ML.NET's TorchSharp trainers do, but only when no device was chosen
/// (see <see cref="RobertaInferenceOptions"/> for the precedence), and checks training engines before any data is read.
/// </summary>
internal static class EngineSelection
{
    /// <summary>The engine options: an explicit <paramref name="device"/> wins; else MLContext's GPU id (cuda:N); else the CPU.</summary>
    /// <exception cref="ArgumentException">The device is not cpu, cuda or cuda:N.</exception>
    public static EngineOptions Resolve(IHostEnvironment? env, EngineKind engine, string? device, bool? fallbackToCpu,
        InferencePrecision precision = InferencePrecision.FullPrecision, bool packPaddedSequences = false)
    {
        string chosen = "cpu";
        bool fallback = fallbackToCpu ?? false;
        if (device is not null)
        {
            chosen = device;
        }
        else if (env is not null && Interop.GpuDeviceId(env) is int id)
        {
            chosen = id >= 0 ? $"cuda:{id}" : "cuda";
            fallback = fallbackToCpu ?? Interop.FallbackToCpu(env);
        }

        var options = new EngineOptions
        {
            Engine = engine, Device = chosen, FallbackToCpu = fallback, InferencePrecision = precision, PackPaddedSequences = packPaddedSequences,
        };
        options.Validate();
        return options;
    }

    /// <summary>The options of a load: the saved precision and packing unless <paramref name="inference"/> overrides them.</summary>
    public static EngineOptions ForLoad(IHostEnvironment? env, RobertaInferenceOptions? inference, InferencePrecision savedPrecision, bool savedPacking)
    {
        inference ??= new RobertaInferenceOptions();
        return Resolve(env, inference.Engine, inference.Device, inference.FallbackToCpu,
            inference.InferencePrecision ?? savedPrecision, inference.PackPaddedSequences ?? savedPacking);
    }

    /// <summary>
    /// Fails at once, before any data is read, when <paramref name="options"/> cannot train here: an inference-only engine
    /// (<see cref="NotSupportedException"/>), a missing engine assembly or native runtime, or an unusable device without
    /// fallback (<see cref="EngineUnavailableException"/>). Creates and drops an engine over a minute model to check the device.
    /// </summary>
    public static void CheckTraining(EngineOptions options)
    {
        // What needs no engine assembly is checked first: the same answer whether or not the assembly is present.
        if (options.Engine == EngineKind.OnnxRuntime) throw InferenceOnly(options.Engine);
        if (options.InferencePrecision != InferencePrecision.FullPrecision && options.Engine != EngineKind.Managed)
            throw new NotSupportedException(
                $"InferencePrecision.{options.InferencePrecision} is implemented by the managed engine only; the fitted transformer would run on {options.Engine}. "
                + "Use Engine = EngineKind.Managed, or InferencePrecision.FullPrecision.");
        var factory = BertEngines.GetFactory(options.Engine);
        if (!factory.SupportsTraining) throw InferenceOnly(options.Engine);
        var probe = BertModel.Create(
            new BertConfig { VocabSize = 8, HiddenSize = 4, NumHiddenLayers = 1, NumAttentionHeads = 1, IntermediateSize = 4, MaxPositionEmbeddings = 4 },
            new BertHeads(Pooler: false, MaskedLm: false), seed: 0);
        factory.CreateTraining(probe, options).Dispose();
    }

    private static NotSupportedException InferenceOnly(EngineKind engine) => new(
        $"The {engine} engine runs inference only and cannot train. Train with Engine = EngineKind.Managed or EngineKind.TorchSharp, "
        + $"then load the saved model with RobertaInferenceOptions {{ Engine = EngineKind.{engine} }} to score on it.");
}
