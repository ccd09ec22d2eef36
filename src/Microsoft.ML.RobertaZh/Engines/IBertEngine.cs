using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Engines;

/// <summary>
/// An encoder ready for inference on one engine and device: what scoring, embedding, fill-mask and held-out evaluation
/// need. Created by <see cref="BertEngines.CreateInference"/> (or <see cref="BertEngines.CreateTraining"/>, whose engines
/// also infer). Not thread-safe: one caller at a time. Dispose it to free native memory.
/// </summary>
public interface IBertEngine : IDisposable
{
    /// <summary>The engine.</summary>
    EngineKind Kind { get; }

    /// <summary>The device it runs on (<c>cpu</c>, <c>cuda:N</c>): the one asked for, or <c>cpu</c> after a fallback.</summary>
    string Device { get; }

    /// <summary>Architecture, heads and the parameter names, shapes and order every engine exchanges weights in.</summary>
    BertParameterLayout Layout { get; }

    /// <summary>Number of parameters (the tied masked-LM decoder counted once).</summary>
    long ParameterCount { get; }

    /// <summary>
    /// Runs the model in inference mode (no dropout, no gradients): last hidden states, the pooler output and the
    /// classification logits when the model has those heads, and — when <paramref name="maskedLmRows"/> is given and the
    /// model has a masked-LM head — masked-LM log-probabilities of those token rows only.
    /// </summary>
    /// <param name="batch">The padded batch (labels are ignored).</param>
    /// <param name="maskedLmRows">Token rows (indexes into batch·seqLen, row-major) whose (rows, vocab) masked-LM
    /// log-probabilities to return in <see cref="BertOutput.MaskedLmLogProbabilities"/>; null for none.</param>
    BertOutput Forward(BertBatch batch, int[]? maskedLmRows = null);

    /// <summary>
    /// The classification logits only, (batch, labels): the values of <c>Forward(batch).Logits</c>. An engine may
    /// compute less for them (the managed engine runs the last layer for each sequence's first token only); by default
    /// this calls <see cref="Forward"/>.
    /// </summary>
    /// <param name="batch">The padded batch (labels are ignored).</param>
    /// <exception cref="InvalidOperationException">The model has no sequence-classification head.</exception>
    float[] ForwardLogits(BertBatch batch) =>
        Forward(batch).Logits ?? throw new InvalidOperationException("This model has no sequence-classification head.");

    /// <summary>
    /// The losses of the heads that have labels in <paramref name="batch"/>, in inference mode (no dropout, no gradients),
    /// with the counts <see cref="BertLoss"/> carries: for held-out evaluation.
    /// </summary>
    BertLoss Evaluate(BertBatch batch);
}
