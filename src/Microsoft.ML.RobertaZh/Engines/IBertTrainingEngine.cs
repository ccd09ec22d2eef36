using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// An encoder that also trains: what <see cref="TrainingLoop"/> needs. Parameters, gradients and optimizer state are
/// exchanged in <see cref="IBertEngine.Layout"/> order (Hugging Face names and shapes), so weights and AdamW moments move
/// between engines unchanged.
/// </summary>
public interface IBertTrainingEngine : IBertEngine
{
    /// <summary>Whether <see cref="ForwardBackward"/> applies the config's dropout. Default true; turn off for exact comparisons.</summary>
    bool DropoutEnabled { get; set; }

    /// <summary>Seed of the dropout masks.</summary>
    ulong DropoutSeed { get; set; }

    /// <summary>Training passes run so far; the masks of a pass depend on (seed, pass), so a resumed run repeats them on the same engine.</summary>
    long TrainingPasses { get; set; }

    /// <summary>
    /// One training pass: forward (with dropout when enabled), the losses of every head that has labels in
    /// <paramref name="batch"/> (masked-LM and classification losses are means and are summed), and backward, which ADDS
    /// <paramref name="lossScale"/> × the gradient of the total loss into the gradients (1/accumulationSteps to accumulate).
    /// </summary>
    BertLoss ForwardBackward(BertBatch batch, float lossScale = 1f);

    /// <summary>Sets every gradient to zero (once per optimizer step).</summary>
    void ZeroGradients();

    /// <summary>
    /// The global L2 norm of the gradients; when <paramref name="maxNorm"/> is positive, also scales them by
    /// maxNorm / (norm + 1e-6) where that is below 1 (torch's <c>clip_grad_norm_</c>). Returns the norm before clipping.
    /// </summary>
    double ClipGradients(double maxNorm);

    /// <summary>
    /// One AdamW update at <paramref name="learningRate"/> with <paramref name="options"/> (bias correction on or off, decay
    /// before or after the update), decaying only the tensors whose <see cref="Model.ParameterSlice.WeightDecay"/> is set.
    /// Moments are created on the first step.
    /// </summary>
    void OptimizerStep(float learningRate, AdamWOptions options);

    /// <summary>Copies every parameter, in layout order, into <paramref name="destination"/> (length <see cref="IBertEngine.ParameterCount"/>).</summary>
    void ExportParameters(Span<float> destination);

    /// <summary>Replaces every parameter with <paramref name="source"/> (layout order, length <see cref="IBertEngine.ParameterCount"/>).</summary>
    void ImportParameters(ReadOnlySpan<float> source);

    /// <summary>Copies every gradient, in layout order, into <paramref name="destination"/> (length <see cref="IBertEngine.ParameterCount"/>).</summary>
    void ExportGradients(Span<float> destination);

    /// <summary>AdamW's moments and step count, in layout order (zeros before the first step).</summary>
    OptimizerState ExportOptimizerState();

    /// <summary>Replaces AdamW's moments and step count (for example from a checkpoint written on another engine).</summary>
    void ImportOptimizerState(OptimizerState state);

    /// <summary>
    /// Saves the model as a Hugging Face-compatible directory (config.json, model.safetensors and, when
    /// <paramref name="vocabularyPath"/> is given, vocab.txt), as <see cref="Model.BertModel.Save"/> does; every file atomically.
    /// </summary>
    void Save(string directory, string? vocabularyPath = null);
}
