using Microsoft.ML.RobertaZh.Model;

namespace Microsoft.ML.RobertaZh.Training;

/// <summary>
/// An endless, deterministic stream of labelled batches whose position can be saved and restored, so a resumed run
/// sees exactly the batches a straight-through run would have seen.
/// </summary>
public interface ITrainingBatchSource
{
    /// <summary>The next batch (with masked-LM and/or class labels); advances the position.</summary>
    BertBatch NextBatch();

    /// <summary>The current position as a small JSON-serializable string.</summary>
    string SavePosition();

    /// <summary>Moves to a position returned by <see cref="SavePosition"/>.</summary>
    void RestorePosition(string position);

    /// <summary>Fractional epochs consumed so far (for progress display).</summary>
    double Epoch { get; }
}
