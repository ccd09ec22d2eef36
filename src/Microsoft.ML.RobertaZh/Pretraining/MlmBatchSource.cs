using System.Globalization;
using Microsoft.ML.RobertaZh.Model;
using Microsoft.ML.RobertaZh.Training;

namespace Microsoft.ML.RobertaZh.Pretraining;

/// <summary>
/// Feeds <see cref="TrainingLoop"/> from a preprocessed dataset: shuffled epochs, dynamic (or static) masks, and a
/// position "epoch,offset" that a checkpoint records so a resumed run continues mid-epoch with the same batches.
/// </summary>
public sealed class MlmBatchSource : ITrainingBatchSource
{
    private readonly MlmBatcher _batcher;
    private readonly int _batchSize;
    private DataPosition _position;

    /// <summary>Batches of <paramref name="batchSize"/> instances of <paramref name="dataset"/>.</summary>
    public MlmBatchSource(PretrainingDataset dataset, int batchSize, MlmBatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (dataset.InstanceCount == 0) throw new ArgumentException($"The dataset in {dataset.Directory} has no instances.", nameof(dataset));
        _batcher = new MlmBatcher(dataset, options);
        _batchSize = batchSize;
    }

    /// <inheritdoc/>
    public double Epoch => _position.Epoch + (double)_position.Offset / _batcher.InstanceCount;

    /// <inheritdoc/>
    public BertBatch NextBatch()
    {
        var batch = _batcher.Next(_position, _batchSize);
        _position = batch.Next;
        return batch.Batch;
    }

    /// <inheritdoc/>
    public string SavePosition() => string.Create(CultureInfo.InvariantCulture, $"{_position.Epoch},{_position.Offset}");

    /// <inheritdoc/>
    public void RestorePosition(string position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var parts = position.Split(',');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int epoch) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int offset)
            || epoch < 0 || offset < 0 || offset >= _batcher.InstanceCount)
            throw new FormatException($"'{position}' is not a data position of this dataset (epoch,offset with offset < {_batcher.InstanceCount}).");
        _position = new DataPosition(epoch, offset);
    }
}
