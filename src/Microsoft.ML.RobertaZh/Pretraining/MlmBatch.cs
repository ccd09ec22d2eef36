using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// A place in the endless stream of training instances: <paramref name="Offset"/> instances of epoch
/// <paramref name="Epoch"/>'s shuffled order have been consumed. Two integers, so a checkpoint can store it and a resumed
/// run continues with exactly the batches it would have seen.
/// </summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Offset">Instances of the epoch already consumed.</param>
public readonly record struct DataPosition(int Epoch, int Offset);

/// <summary>One masked-language-model batch and where it came from.</summary>
public sealed class MlmBatch
{
    internal MlmBatch(BertBatch batch, DataPosition position, DataPosition next, int[] instances, int tokenCount, int predictionCount)
    {
        Batch = batch;
        Position = position;
        Next = next;
        Instances = instances;
        TokenCount = tokenCount;
        PredictionCount = predictionCount;
    }

    /// <summary>The padded batch, with <see cref="BertBatch.MaskedLmLabels"/> (−100 where nothing is predicted).</summary>
    public BertBatch Batch { get; }

    /// <summary>Position of the batch's first instance.</summary>
    public DataPosition Position { get; }

    /// <summary>Position just after the batch (the next epoch's start after an epoch's last batch).</summary>
    public DataPosition Next { get; }

    /// <summary>Dataset indices of the instances, in batch order.</summary>
    public IReadOnlyList<int> Instances { get; }

    /// <summary>Real (non-padding) tokens, for tokens per second.</summary>
    public int TokenCount { get; }

    /// <summary>Positions with a label.</summary>
    public int PredictionCount { get; }
}
