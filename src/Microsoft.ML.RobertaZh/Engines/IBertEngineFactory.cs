using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// Creates engines of one kind. An optional engine's assembly provides one public class implementing this interface with
/// a parameterless constructor, under the name <see cref="BertEngines"/> looks for (for example
/// <c>Microsoft.ML.RobertaZh.TorchSharp.TorchSharpEngineFactory</c>). Both methods check the engine's native runtime and
/// the device first and throw <see cref="EngineUnavailableException"/>, naming the packages to add, when they are missing.
/// </summary>
public interface IBertEngineFactory
{
    /// <summary>The engine this factory makes.</summary>
    EngineKind Kind { get; }

    /// <summary>
    /// Whether <see cref="CreateTraining"/> is supported. Inference-only engines return false and
    /// <see cref="BertEngines.CreateTraining"/> refuses them with a message before calling the factory.
    /// </summary>
    bool SupportsTraining { get; }

    /// <summary>
    /// An inference engine holding <paramref name="model"/>'s weights and heads (loaded through the checkpoint readers:
    /// <see cref="BertModel.Load(string, BertHeads?, int)"/>). The engine may copy the weights or share
    /// <see cref="BertModel.Parameters"/>; either way later changes to <paramref name="model"/> need not be seen.
    /// </summary>
    IBertEngine CreateInference(BertModel model, EngineOptions options);

    /// <summary>
    /// A training engine starting from <paramref name="model"/>'s weights, its <see cref="BertModel.DropoutSeed"/> and
    /// <see cref="BertModel.TrainingPasses"/>. Engines that copy the weights leave <paramref name="model"/> unchanged: read
    /// the trained weights back with <see cref="IBertTrainingEngine.ExportParameters"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The engine is inference-only.</exception>
    IBertTrainingEngine CreateTraining(BertModel model, EngineOptions options);
}
