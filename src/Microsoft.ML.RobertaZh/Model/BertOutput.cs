namespace Microsoft.ML.RobertaZh.Model;

/// <summary>What an inference forward pass produces. N = batch·seqLen; all arrays are row-major.</summary>
public sealed class BertOutput
{
    /// <summary>Number of sequences.</summary>
    public required int Batch { get; init; }

    /// <summary>Padded sequence length.</summary>
    public required int SeqLen { get; init; }

    /// <summary>(batch, seqLen, hidden) final hidden states (padded positions included, as in Hugging Face).</summary>
    public required float[] LastHiddenState { get; init; }

    /// <summary>(batch, hidden) tanh pooler output, or null when the model has no pooler.</summary>
    public float[]? PoolerOutput { get; init; }

    /// <summary>(batch, labels) classification logits, or null when the model has no classification head.</summary>
    public float[]? Logits { get; init; }

    /// <summary>
    /// Masked-LM log-probabilities, when requested and the model has the head: (batch, seqLen, vocab) from
    /// <see cref="BertModel.Forward"/>, (rows, vocab) for the rows an engine's <c>Forward</c> was asked for.
    /// </summary>
    public float[]? MaskedLmLogProbabilities { get; init; }
}

/// <summary>Losses and counts of one training forward/backward pass.</summary>
public readonly record struct BertLoss(float Total, float MaskedLm, int MaskedLmPredictions, int MaskedLmCorrect, float Classification, int ClassificationExamples);
